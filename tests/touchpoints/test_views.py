import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity, ActivityKind
from kam.models import Department, Notification
from tests.conftest import client_for
from tests.factories import AccountFactory, ContactFactory, department
from tests.touchpoints.factories import FeedbackFactory, IncidentFactory, RatingFactory, TouchpointFactory
from touchpoints.models import IncidentStatus, ServiceIncident, SlaPolicy, Touchpoint

pytestmark = pytest.mark.django_db

NEW = reverse("touchpoints:touchpoint_new")


def form_data(account, **kw):
    data = {"account": account.pk, "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "department": department("finance").pk, "channel": "phone", "kind": "operational",
            "summary": "Conciliación de facturas de octubre", "quality": "4"}
    data.update(kw)
    return data


# --- Quick logging ---------------------------------------------------------------------------------
def test_picker_offers_my_accounts_and_search_finds_visible_ones_only(personas):
    client = client_for(personas.teammate)
    page = client.get(NEW).content.decode()
    assert "Aceros del Norte" in page and "Otra Cuenta" not in page
    found = client.get(reverse("touchpoints:account_search"), {"q": "cuenta"}, HTTP_HX_REQUEST="true")
    assert "Otra Cuenta" not in found.content.decode()
    assert "No account you can use matches" in found.content.decode()
    operator = client_for(personas.operator).get(reverse("touchpoints:account_search"), {"q": "cuenta"})
    assert f"?account={personas.other_account.pk}" in operator.content.decode()


def test_form_preselects_account_and_defaults_department_from_the_team(personas):
    ContactFactory(account=personas.account, name="Jorge Prieto")
    ContactFactory(account=personas.other_account, name="Ajeno Contacto")
    response = client_for(personas.teammate).get(NEW, {"account": personas.account.pk})
    html = response.content.decode()
    assert response.status_code == 200
    finance = department("finance").pk
    assert f'<option value="{finance}" selected>' in html
    assert "Jorge Prieto" in html and "Ajeno Contacto" not in html
    assert "executive_visit" not in html  # only the sponsor may log a sponsor visit


def test_logging_a_touchpoint_end_to_end(personas):
    contact = ContactFactory(account=personas.account)
    response = client_for(personas.teammate).post(
        f"{NEW}?account={personas.account.pk}",
        form_data(personas.account, contacts=[contact.pk], cost="12.50", follow_up="on",
                  follow_up_note="Enviar abono", follow_up_owner=personas.teammate.pk,
                  follow_up_due=timezone.localdate().isoformat()))
    assert response.status_code == 302
    assert response["Location"] == reverse("touchpoints:timeline", args=[personas.account.pk])
    tp = Touchpoint.objects.get()
    assert tp.cost == Decimal("12.50") and tp.follow_up and list(tp.contacts.all()) == [contact]
    assert tp.follow_up_owner == personas.teammate and tp.follow_up_due == timezone.localdate()
    contact.refresh_from_db()
    assert contact.last_contact_date == timezone.localdate()
    timeline = client_for(personas.teammate).get(response["Location"]).content.decode()
    assert "Conciliación de facturas de octubre" in timeline


def test_invalid_touchpoint_keeps_input_and_explains(personas):
    response = client_for(personas.kam).post(f"{NEW}?account={personas.account.pk}",
                                             form_data(personas.account, summary="", follow_up="on"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html and "Say what needs following up." in html
    assert "Say by when the follow-up is due." in html
    assert not Touchpoint.objects.exists()


def test_teammate_cannot_log_on_accounts_they_may_not_see(personas):
    client = client_for(personas.teammate)
    assert client.get(NEW, {"account": personas.other_account.pk}).status_code == 404
    response = client.post(f"{NEW}?account={personas.other_account.pk}", form_data(personas.other_account))
    assert response.status_code == 404
    # Nor by swapping the hidden account field under a visible account's URL.
    response = client.post(f"{NEW}?account={personas.account.pk}", form_data(personas.other_account))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Touchpoint.objects.exists()


def test_sponsor_logs_a_visit_from_the_panel_link(personas):
    client = client_for(personas.sponsor)
    page = client.get(NEW, {"account": personas.account.pk, "kind": "executive_visit"}).content.decode()
    assert '<option value="executive_visit" selected>' in page
    response = client.post(f"{NEW}?account={personas.account.pk}",
                           form_data(personas.account, kind="executive_visit",
                                     department=department("executive").pk))
    assert response.status_code == 302
    assert Activity.objects.get().kind == ActivityKind.SPONSOR_VISIT


# --- Timeline --------------------------------------------------------------------------------------
def test_operations_cannot_read_commercial_rows_in_the_timeline(personas):
    Activity.objects.create(account=personas.account, kind=ActivityKind.PLAN_EVENT, commercial=True,
                            summary="Plan: descuento del 4 % a cambio de volumen")
    Activity.objects.create(account=personas.account, kind=ActivityKind.INCIDENT_OPENED,
                            summary="Entrega retrasada")
    url = reverse("touchpoints:timeline", args=[personas.account.pk])
    operator = client_for(personas.operator).get(url).content.decode()
    assert "Entrega retrasada" in operator and "descuento del 4" not in operator
    kam = client_for(personas.kam).get(url).content.decode()
    assert "descuento del 4" in kam


def test_timeline_filters_and_coverage_strip(personas):
    now = timezone.now()
    Activity.objects.create(account=personas.account, kind=ActivityKind.TOUCHPOINT, summary="Visita técnica",
                            department=department("technical"), occurred_at=now - datetime.timedelta(days=5))
    Activity.objects.create(account=personas.account, kind=ActivityKind.TOUCHPOINT, summary="Llamada de finanzas",
                            department=department("finance"), occurred_at=now - datetime.timedelta(days=200))
    Activity.objects.create(account=personas.account, kind=ActivityKind.FEEDBACK, summary="Satisfacción 8/10",
                            department=department("technical"), occurred_at=now - datetime.timedelta(days=1))
    url = reverse("touchpoints:timeline", args=[personas.account.pk])
    client = client_for(personas.kam)
    response = client.get(url)
    strip = {d.code: d.events for d in response.context["departments"]}
    assert strip["technical"] == 2 and not strip["finance"] and not strip["sales"]
    assert response.context["covered"] == 1
    html = client.get(url, {"department": "finance"}).content.decode()
    assert "Llamada de finanzas" in html and "Visita técnica" not in html
    html = client.get(url, {"kind": "feedback"}).content.decode()
    assert "Satisfacción 8/10" in html and "Visita técnica" not in html
    html = client.get(url, {"department": "nonsense", "kind": "nonsense"}).content.decode()
    assert "Visita técnica" in html  # bad filter values are ignored, not a 500


def _bulk_activity(account, n):
    departments = list(Department.objects.all())
    now = timezone.now()
    Activity.objects.bulk_create([
        Activity(account=account, kind=ActivityKind.TOUCHPOINT, summary=f"Contacto {i}",
                 department=departments[i % len(departments)], occurred_at=now - datetime.timedelta(hours=i))
        for i in range(n)
    ], batch_size=2000)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_timeline_query_budget_does_not_grow_with_data(personas, django_assert_max_num_queries):
    url = reverse("touchpoints:timeline", args=[personas.account.pk]) + "?page=2"
    client = client_for(personas.operator)
    _bulk_activity(personas.account, 30)
    small = _count_queries(client, url)
    _bulk_activity(personas.account, 5000)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    large = _count_queries(client, url)
    assert small == large <= 15
    assert len(response.context["page"].object_list) == 25


def test_timeline_of_an_invisible_account_is_404(personas):
    assert client_for(personas.teammate).get(
        reverse("touchpoints:timeline", args=[personas.other_account.pk])).status_code == 404


# --- Incident queue --------------------------------------------------------------------------------
QUEUE = reverse("touchpoints:incident_list")


def test_queue_at_equal_severity_sorts_key_accounts_first_then_by_sla_urgency(personas):
    now = timezone.now()
    standard = AccountFactory(tier="standard", name="Retail Sur")
    due = now + datetime.timedelta(hours=2)
    a = IncidentFactory(account=standard, title="Estándar mismo plazo", ack_due_at=due)
    b = IncidentFactory(account=personas.account, title="Clave mismo plazo", ack_due_at=due)
    c = IncidentFactory(account=standard, title="Estándar vencida", ack_due_at=now - datetime.timedelta(hours=1))
    d = IncidentFactory(account=personas.account, title="Clave en curso", status=IncidentStatus.IN_PROGRESS,
                        acknowledged_at=now, resolve_due_at=now + datetime.timedelta(days=1))
    IncidentFactory(account=personas.account, title="Cerrada", status=IncidentStatus.CLOSED)
    response = client_for(personas.operator).get(QUEUE)
    order = [incident.pk for incident, _clocks in response.context["rows"]]
    # All high: the key account's two first (nearest deadline first), then the standard account's.
    assert order == [b.pk, d.pk, c.pk, a.pk]
    html = response.content.decode()
    assert "Cerrada" not in html and " over" in html and " left" in html


def test_queue_filters(personas):
    now = timezone.now()
    IncidentFactory(account=personas.account, title="Factura duplicada", category="billing", severity="low")
    IncidentFactory(account=personas.other_account, title="Calidad de bobinas", category="quality",
                    severity="critical", ack_due_at=now - datetime.timedelta(minutes=5))
    IncidentFactory(account=personas.account, title="Resuelta ayer", status=IncidentStatus.RESOLVED)
    client = client_for(personas.operator)

    def titles(**params):
        return {i.title for i, _ in client.get(QUEUE, params).context["rows"]}

    assert titles() == {"Factura duplicada", "Calidad de bobinas"}
    assert titles(category="billing") == {"Factura duplicada"}
    assert titles(severity="critical") == {"Calidad de bobinas"}
    assert titles(tier="key") == {"Factura duplicada"}
    assert titles(breached="yes") == {"Calidad de bobinas"}
    assert titles(status="resolved") == {"Resuelta ayer"}
    assert titles(status="all") == {"Factura duplicada", "Calidad de bobinas", "Resuelta ayer"}
    assert titles(account="aceros") == {"Factura duplicada"}
    assert client.get(QUEUE, {"severity": "bogus"}).status_code == 200


def test_kam_queue_only_shows_visible_accounts(personas):
    IncidentFactory(account=personas.other_account, title="Ajena")
    IncidentFactory(account=personas.account, title="Propia")
    rows = client_for(personas.kam).get(QUEUE).context["rows"]
    assert [i.title for i, _ in rows] == ["Propia"]


def test_queue_query_budget_does_not_grow_with_data(personas, django_assert_max_num_queries):
    client = client_for(personas.operator)
    IncidentFactory.create_batch(3, account=personas.account)
    small = _count_queries(client, QUEUE)
    now = timezone.now()
    accounts = AccountFactory.create_batch(20, tier="key")
    ServiceIncident.objects.bulk_create([
        ServiceIncident(account=accounts[i % 20], title=f"Incidencia {i}", category="delivery", severity="high",
                        opened_at=now, ack_due_at=now + datetime.timedelta(minutes=i),
                        resolve_due_at=now + datetime.timedelta(hours=24))
        for i in range(3000)
    ], batch_size=1000)
    with django_assert_max_num_queries(15):
        client.get(QUEUE + "?page=3")
    large = _count_queries(client, QUEUE + "?page=3")
    assert small == large <= 15


# --- Incidents: new, detail, SLA -------------------------------------------------------------------
def test_operator_opens_critical_incident_and_kam_and_sponsor_are_notified(personas):
    contact = ContactFactory(account=personas.account)
    url = reverse("touchpoints:incident_new") + f"?account={personas.account.pk}"
    client = client_for(personas.operator)
    assert "1 hour" in client.get(url).content.decode()  # the key-account SLA is shown
    response = client.post(url, {"account": personas.account.pk, "severity": "critical", "category": "delivery",
                                 "title": "Parada de línea por falta de material", "contact": contact.pk})
    incident = ServiceIncident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("touchpoints:incident_detail",
                                                                           args=[incident.pk])
    assert incident.opened_by == personas.operator and incident.contact == contact
    assert {n.recipient for n in Notification.objects.all()} == {personas.kam, personas.sponsor}


def test_incident_form_errors(personas):
    url = reverse("touchpoints:incident_new") + f"?account={personas.account.pk}"
    response = client_for(personas.operator).post(url, {"account": personas.account.pk, "severity": "extreme",
                                                        "category": "delivery", "title": ""})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ServiceIncident.objects.exists()


def test_sponsor_may_not_open_incidents_on_their_account(personas):
    url = reverse("touchpoints:incident_new") + f"?account={personas.account.pk}"
    assert client_for(personas.sponsor).get(url).status_code == 403


def test_update_incident_through_the_page(personas):
    incident = IncidentFactory(account=personas.account)
    url = reverse("touchpoints:incident_detail", args=[incident.pk])
    client = client_for(personas.operator)
    response = client.post(url, {"version": 1, "status": "acknowledged", "severity": "high", "resolution": "",
                                 "cost": "0"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "acknowledged" and incident.acknowledged_at is not None
    page = client.get(url).content.decode()
    assert "met," in page  # acknowledged within the deadline
    # A form loaded before that change is refused, with the other person's change shown beside the user's.
    stale = client.post(url, {"version": 1, "status": "in_progress", "severity": "high",
                              "resolution": "Repuesto enviado", "cost": "99"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved this while you were editing" in html
    table = html[html.index('data-testid="conflict-changes"'):]
    assert "Acknowledged" in table and "In progress" in table  # saved now / yours
    # Nothing typed is lost: the form comes back with the user's values and the version now shown.
    form = stale.context["form"]
    assert form["resolution"].value() == "Repuesto enviado" and str(form["version"].value()) == "2"
    incident.refresh_from_db()
    assert incident.cost == 0 and incident.status == "acknowledged"
    # Saved again knowingly, from the version now shown: it goes through.
    again = client.post(url, {"version": 2, "status": "in_progress", "resolution": "Repuesto enviado",
                              "cost": "99"})
    assert again.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.cost, incident.version) == ("in_progress", 99, 3)
    bad = client.post(url, {"version": 3, "status": "resolved", "resolution": "", "cost": "0"})
    assert bad.status_code == 400 and "Say how the incident was resolved." in bad.content.decode()


def test_sponsor_reads_incident_but_cannot_update(personas):
    incident = IncidentFactory(account=personas.account)
    url = reverse("touchpoints:incident_detail", args=[incident.pk])
    page = client_for(personas.sponsor).get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client_for(personas.sponsor).post(url, {"version": 1, "status": "acknowledged", "cost": "0"}
                                             ).status_code == 403


SLA = reverse("touchpoints:sla_policies")


def _sla_page(client):
    """The SLA table as the lead's browser would send it back untouched, and the index of key/high."""
    from bench.htmlforms import parse_forms

    response = client.get(SLA)
    order = [(f.instance.tier, f.instance.severity) for f in response.context["formset"].forms]
    form = next(f for f in parse_forms(response.content.decode()) if f.field("form-TOTAL_FORMS"))
    data = {name: values[0] for name, values in form.defaults().items()}
    return data, order, order.index(("key", "high"))


def test_lead_edits_sla_policy(personas):
    url = SLA
    client = client_for(personas.lead)
    data, order, target = _sla_page(client)
    assert order[:2] == [("key", "critical"), ("key", "high")] and order[-1] == ("standard", "low")
    data[f"form-{target}-ack_hours"] = 3
    assert client.post(url, data).status_code == 302
    assert SlaPolicy.objects.get(tier="key", severity="high").ack_hours == 3
    data[f"form-{target}-resolve_hours"] = 1
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Resolving cannot take less than acknowledging." in response.content.decode()
    assert SlaPolicy.objects.get(tier="key", severity="high").resolve_hours == 24


def test_two_leads_editing_the_sla_table_the_second_is_told(personas):
    first, second = client_for(personas.lead), client_for(personas.lead)
    mine, order, high = _sla_page(first)
    critical = order.index(("key", "critical"))
    theirs = dict(mine)
    theirs[f"form-{high}-ack_hours"] = "3"
    theirs[f"form-{critical}-resolve_hours"] = "7"  # a row the first lead does not touch
    assert second.post(SLA, theirs).status_code == 302
    mine[f"form-{high}-ack_hours"] = "4"
    refused = first.post(SLA, mine)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this while you were editing" in html
    table = html[html.index('data-testid="conflict-changes"'):]
    assert "Key account · High: hours to acknowledge" in table and ">3<" in table and ">4<" in table
    assert SlaPolicy.objects.get(tier="key", severity="high").ack_hours == 3
    # The user's 4 is still in the table, now carrying the version saved: saving again is a decision.
    from bench.htmlforms import parse_forms

    form = next(f for f in parse_forms(html) if f.field("form-TOTAL_FORMS"))
    assert form.field(f"form-{high}-ack_hours").value == "4"
    again = {name: values[0] for name, values in form.defaults().items()}
    assert again[f"form-{critical}-resolve_hours"] == "7"  # shown as saved now, not as first loaded
    assert first.post(SLA, again).status_code == 302
    assert SlaPolicy.objects.get(tier="key", severity="high").ack_hours == 4
    assert SlaPolicy.objects.get(tier="key", severity="critical").resolve_hours == 7


@pytest.mark.parametrize("tamper", [
    {"form-INITIAL_FORMS": "-1"},
    {"form-INITIAL_FORMS": "0"},
    {"form-INITIAL_FORMS": "99"},
    {"form-TOTAL_FORMS": "13", "form-12-ack_hours": "1", "form-12-resolve_hours": "2"},
    {"form-TOTAL_FORMS": "100000"},
    {"form-TOTAL_FORMS": "-3"},
    {"form-TOTAL_FORMS": "x"},
    {"form-TOTAL_FORMS": None, "form-INITIAL_FORMS": None},
    {"form-0-id": "999999"},
    {"form-0-id": None},
    {"form-1-id": "first"},
], ids=lambda t: ",".join(f"{k}={v}" for k, v in t.items()))
def test_sla_table_with_tampered_management_data_is_refused_and_writes_nothing(personas, tamper):
    client = client_for(personas.lead)
    data, _order, high = _sla_page(client)
    data[f"form-{high}-ack_hours"] = "2"  # a real change alongside the tampering
    if tamper.get("form-1-id") == "first":
        tamper = {"form-1-id": data["form-0-id"]}
    for key, value in tamper.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    before = list(SlaPolicy.objects.order_by("pk").values_list("pk", "tier", "severity", "ack_hours",
                                                                "resolve_hours", "version"))
    response = client.post(SLA, data)
    assert response.status_code == 400
    assert 'class="alert alert-danger"' in response.content.decode()
    after = list(SlaPolicy.objects.order_by("pk").values_list("pk", "tier", "severity", "ack_hours",
                                                               "resolve_hours", "version"))
    assert after == before


# --- Feedback --------------------------------------------------------------------------------------
def test_feedback_and_rating_pages(personas):
    contact = ContactFactory(account=personas.account, name="Marta Ibáñez")
    client = client_for(personas.kam)
    response = client.post(reverse("touchpoints:feedback_new", args=[personas.account.pk]),
                           {"contact": contact.pk, "score": "9", "comment": "Muy satisfechos",
                            "received_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    response = client.post(reverse("touchpoints:partnership_rating_new", args=[personas.account.pk]),
                           {"score": "6", "comment": "Aún transaccional", "rated_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    html = client.get(reverse("touchpoints:feedback_list", args=[personas.account.pk])).content.decode()
    assert "9/10" in html and "Marta Ibáñez" in html and "6/10" in html and "Aún transaccional" in html
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    bad = client.post(reverse("touchpoints:feedback_new", args=[personas.account.pk]),
                      {"score": "12", "received_on": future})
    assert bad.status_code == 400
    assert "The date cannot be in the future." in bad.content.decode()


# --- Panel -----------------------------------------------------------------------------------------
PANEL = Template("{% load touchpoints_panels %}{% account_touchpoints_panel account %}")


def render_panel(user, account):
    request = RequestFactory().get("/")
    request.user = type(user).objects.get(pk=user.pk)  # fresh: no role cache from an earlier render
    return PANEL.render(Context({"request": request, "account": account}))


def _seed_panel_data(account, n):
    TouchpointFactory.create_batch(n, account=account, created_by=None)
    IncidentFactory.create_batch(n, account=account, opened_by=None)
    FeedbackFactory.create_batch(n, account=account)
    RatingFactory.create_batch(n, account=account)


def test_panel_shows_everything_with_a_fixed_number_of_queries(personas):
    past = timezone.now() - datetime.timedelta(days=200)
    TouchpointFactory(account=personas.account, kind="executive_visit", occurred_at=past, created_by=None)
    _seed_panel_data(personas.account, 2)
    account = type(personas.account).objects.get(pk=personas.account.pk)
    with CaptureQueriesContext(connection) as small:
        html = render_panel(personas.sponsor, account)
    assert "overdue by" in html and "Log sponsor visit" in html and "6/10" in html and "8/10" in html
    _seed_panel_data(personas.account, 20)
    account = type(personas.account).objects.get(pk=personas.account.pk)
    with CaptureQueriesContext(connection) as large:
        html = render_panel(personas.sponsor, account)
    assert len(small) == len(large) <= 8
    assert "All open incidents" in html


def test_panel_for_operator_hides_sponsor_and_rating_actions(personas):
    html = render_panel(personas.operator, personas.account)
    assert "Log sponsor visit" not in html and "rate the partnership" not in html
    assert "Report incident" in html and "No open incidents." in html and "No touchpoints yet" in html


def test_panel_on_the_account_page_within_its_budget(personas, django_assert_max_num_queries):
    """The account hub loads this panel in its own request; the whole request stays small."""
    from django.urls import NoReverseMatch

    try:
        url = reverse("accounts:panel", args=[personas.account.pk, "touchpoints"])
    except NoReverseMatch:
        pytest.skip("the account hub does not load panels by URL")
    IncidentFactory(account=personas.account, title="Rotura de stock en almacén")
    TouchpointFactory(account=personas.account, summary="Reunión de arranque de proyecto", created_by=None)
    client = client_for(personas.kam)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rotura de stock en almacén" in html and "Reunión de arranque de proyecto" in html
    assert client_for(personas.outsider).get(url).status_code == 404
