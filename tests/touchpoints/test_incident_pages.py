"""Incident pages for a five-star service: severity first everywhere, red for critical, the assignee on
the queue, taking and waiting from the incident page, the read-only SLA policy page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.models import ProgrammeSettings
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.touchpoints.factories import IncidentFactory
from touchpoints import selectors
from touchpoints.models import IncidentStatus, ServiceIncident

pytestmark = pytest.mark.django_db
QUEUE = reverse("touchpoints:incident_list")


def _queue_order(client, **params):
    return [i.title for i, _clocks in client.get(QUEUE, params).context["rows"]]


def _mixed(personas):
    now = timezone.now()
    standard = AccountFactory(tier="standard")
    IncidentFactory(account=standard, title="Estándar baja vencida", severity="low",
                    ack_due_at=now - datetime.timedelta(hours=3))
    IncidentFactory(account=personas.account, title="Clave alta", severity="high",
                    ack_due_at=now + datetime.timedelta(hours=1))
    IncidentFactory(account=standard, title="Estándar crítica", severity="critical",
                    ack_due_at=now - datetime.timedelta(hours=1))
    IncidentFactory(account=personas.account, title="Clave crítica", severity="critical",
                    ack_due_at=now + datetime.timedelta(hours=5))
    IncidentFactory(account=personas.account, title="Clave crítica antes", severity="critical",
                    ack_due_at=now + datetime.timedelta(hours=2))
    return standard


def test_queue_is_severity_first_then_key_account_then_deadline(personas):
    _mixed(personas)
    assert _queue_order(client_for(personas.operator)) == [
        "Clave crítica antes", "Clave crítica", "Estándar crítica", "Clave alta", "Estándar baja vencida"]


def test_account_panel_and_sponsor_list_are_severity_first(personas):
    _mixed(personas)
    titles = [i.title for i in selectors.open_incidents(AccountFactory._meta.model.objects.all())]
    assert titles[:3] == ["Clave crítica antes", "Clave crítica", "Estándar crítica"]
    now = timezone.now()
    ServiceIncident.objects.filter(account=personas.account).update(ack_breached_at=now)
    escalations = [i.title for i in selectors.escalations_for(personas.sponsor)]
    assert escalations == ["Clave crítica antes", "Clave crítica", "Clave alta"]


def test_critical_is_red_on_every_list(personas):
    IncidentFactory(account=personas.account, title="Clave crítica", severity="critical",
                    ack_breached_at=timezone.now())
    red = re.compile(r'class="badge text-bg-danger"[^>]*>Critical<')
    pages = {
        "queue": client_for(personas.operator).get(QUEUE),
        "sponsor": client_for(personas.sponsor).get(reverse("metrics:dashboard_sponsor")),
        "kam": client_for(personas.kam).get(reverse("metrics:dashboard_kam")),
        "account": client_for(personas.kam).get(reverse("accounts:panel", args=[personas.account.pk, "touchpoints"])),
    }
    for name, response in pages.items():
        assert red.search(response.content.decode()), name


def test_queue_shows_the_assignee_and_filters_mine_and_unassigned(personas):
    IncidentFactory(account=personas.account, title="Mía", assignee=personas.operator)
    IncidentFactory(account=personas.account, title="Sin asignar")
    client = client_for(personas.operator)
    assert _queue_order(client, assigned="mine") == ["Mía"]
    assert _queue_order(client, assigned="unassigned") == ["Sin asignar"]
    assert "Carlos Navarro" in client.get(QUEUE).content.decode()


def test_take_it_from_the_incident_page(personas):
    incident = IncidentFactory(account=personas.account)
    client = client_for(personas.operator)
    url = reverse("touchpoints:incident_assign", args=[incident.pk])
    response = client.post(url, {"assignee": str(personas.operator.pk), "version": incident.version})
    assert response.status_code == 302
    assert ServiceIncident.objects.get(pk=incident.pk).assignee == personas.operator
    assert "Carlos Navarro" in client.get(reverse("touchpoints:incident_detail", args=[incident.pk])).content.decode()


def test_assigning_a_non_operations_person_shows_the_error(personas):
    incident = IncidentFactory(account=personas.account)
    client = client_for(personas.lead)
    url = reverse("touchpoints:incident_assign", args=[incident.pk])
    response = client.post(url, {"assignee": str(personas.teammate.pk), "version": incident.version})
    assert response.status_code == 400
    assert ServiceIncident.objects.get(pk=incident.pk).assignee is None


def test_closing_critical_without_root_cause_shows_field_errors(personas):
    incident = IncidentFactory(account=personas.account, severity="critical", status=IncidentStatus.RESOLVED,
                               resolution="Reenvío", resolved_at=timezone.now(), acknowledged_at=timezone.now())
    client = client_for(personas.operator)
    url = reverse("touchpoints:incident_detail", args=[incident.pk])
    response = client.post(url, {"status": "closed", "severity": "critical", "resolution": "Reenvío",
                                 "root_cause": "", "corrective_action": "", "cost": "0",
                                 "version": incident.version})
    assert response.status_code == 400
    form = response.context["form"]
    assert "root_cause" in form.errors and "corrective_action" in form.errors
    response = client.post(url, {"status": "closed", "severity": "critical", "resolution": "Reenvío",
                                 "root_cause": "Ruta mal asignada", "corrective_action": "Validar rutas",
                                 "cost": "0", "version": incident.version})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Ruta mal asignada" in page and "Validar rutas" in page


def test_waiting_on_the_client_from_the_incident_page(personas):
    incident = IncidentFactory(account=personas.account, severity="medium")
    client = client_for(personas.operator)
    url = reverse("touchpoints:incident_detail", args=[incident.pk])
    base = {"status": "open", "severity": "medium", "resolution": "", "root_cause": "", "corrective_action": "",
            "cost": "0"}
    assert client.post(url, {**base, "waiting_on_client": "on", "version": incident.version}).status_code == 302
    incident = ServiceIncident.objects.get(pk=incident.pk)
    assert incident.waiting_since is not None
    assert "Waiting on the client" in client.get(url).content.decode()
    assert client.post(url, {**base, "version": incident.version}).status_code == 302
    assert ServiceIncident.objects.get(pk=incident.pk).waiting_since is None


def test_sla_policy_page_reads_for_operations_and_links_from_the_queue(personas):
    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(holidays=["2026-12-25"])
    url = reverse("touchpoints:sla_policy_read")
    assert url in client_for(personas.operator).get(QUEUE).content.decode()
    page = client_for(personas.operator).get(url).content.decode()
    assert "2026-12-25" in page or "25/12/2026" in page or "Dec. 25, 2026" in page
    edit = f'href="{reverse("touchpoints:sla_policies")}"'
    assert edit not in page  # no edit link for operations
    assert edit in client_for(personas.lead).get(url).content.decode()


def test_sla_policy_page_query_budget(personas, django_assert_max_num_queries):
    client = client_for(personas.operator)
    url = reverse("touchpoints:sla_policy_read")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(
        holidays=[f"2027-01-{d:02d}" for d in range(1, 29)])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large) <= 12


def test_queue_order_keeps_using_its_index_on_thousands_of_rows(personas):
    now = timezone.now()
    accounts = AccountFactory.create_batch(10, tier="key") + AccountFactory.create_batch(10, tier="standard")
    severities = ["low", "medium", "high", "critical"]
    ServiceIncident.objects.bulk_create([
        ServiceIncident(account=accounts[i % 20], title=f"Incidencia {i}", category="delivery",
                        severity=severities[i % 4], opened_at=now, ack_due_at=now + datetime.timedelta(minutes=i),
                        resolve_due_at=now + datetime.timedelta(hours=24),
                        status="closed" if i % 3 == 0 else "open")
        for i in range(6000)
    ], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE touchpoints_serviceincident")
    queue = selectors.incident_queue(personas.operator).values_list("pk", flat=True)[:25]
    plan = queue.explain()
    assert "touchpoints_incident_queue_idx" in plan, plan
    assert [i.severity for i in ServiceIncident.objects.filter(pk__in=list(queue))].count("critical") == 25


def test_who_sees_take_it_and_the_assign_form(personas):
    from tests.factories import TeamMemberFactory, UserFactory, department

    ops_member = UserFactory(username="ops_member3", first_name="Irene", last_name="Vidal")
    TeamMemberFactory(account=personas.account, user=ops_member, department=department("operations"))
    incident = IncidentFactory(account=personas.account)
    url = reverse("touchpoints:incident_detail", args=[incident.pk])

    def page(user):
        return client_for(user).get(url).content.decode()

    operator, kam, teammate, member = page(personas.operator), page(personas.kam), page(personas.teammate), page(
        ops_member)
    assert 'data-testid="take-it"' in operator and 'data-testid="incident-assign"' in operator
    assert 'data-testid="take-it"' not in kam and 'data-testid="incident-assign"' in kam
    assert 'data-testid="take-it"' not in teammate and 'data-testid="incident-assign"' not in teammate
    assert 'data-testid="take-it"' in member and 'data-testid="incident-assign"' not in member
