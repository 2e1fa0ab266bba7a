"""The account brief: what each section shows and leaves out, who reads it and which sections, the
links to it, and its fixed number of queries whatever the account holds."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import Attitude, DecisionRole
from kam.models import ProgrammeSettings
from metrics.models import AccountSnapshot
from metrics.selectors import brief, vision_paragraph
from planning.models import AgreedVersion
from tests.agreements.factories import FrameworkAgreementFactory
from tests.conftest import client_for
from tests.factories import ContactFactory, department
from tests.planning.factories import CommitmentFactory, PlanFactory
from tests.touchpoints.factories import IncidentFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

VISION = ("Ser el socio de referencia en mantenimiento predictivo\n\nde sus tres plantas, con contratos "
          "plurianuales y un equipo conjunto.")


def _url(account):
    return reverse("metrics:account_brief", args=[account.pk])


def _page(user, account, **headers):
    response = client_for(user).get(_url(account), **headers)
    assert response.status_code == 200
    return response.content.decode()


def _section(html, testid):
    match = re.search(rf'<section[^>]*data-testid="{testid}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def _ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def fill(account, *, n=1, start=0):
    """An account with `n` of everything a brief shows and, beside each, what it must leave out."""
    today = timezone.localdate()
    ops, sales = department("operations"), department("sales")
    plan = account.plans.first() or PlanFactory(account=account, status="agreed", vision_statement=VISION)
    AgreedVersion.objects.create(plan=plan, plan_version=plan.version, agreed_by="Marta Ibáñez",
                                 channel="meeting", content={"text": {"vision_statement": VISION}})
    for i in range(start, start + n):
        IncidentFactory(account=account, severity="low", title=f"Factura duplicada {i}")
        IncidentFactory(account=account, severity="critical", title=f"Parada de línea {i}")
        IncidentFactory(account=account, severity="high", title=f"Resuelta {i}", status="resolved")
        CommitmentFactory(plan=plan, department=ops, description=f"Informe de paradas {i}",
                          due_date=today + datetime.timedelta(days=5))
        CommitmentFactory(plan=plan, department=ops, description=f"Auditoría lejana {i}",
                          due_date=today + datetime.timedelta(days=90))
        CommitmentFactory(plan=plan, department=ops, description=f"Ya entregado {i}", status="done",
                          due_date=today - datetime.timedelta(days=3))
        CommitmentFactory(plan=plan, party="client", department=None, description=f"Datos de sensores {i}",
                          due_date=today - datetime.timedelta(days=4))
        TouchpointFactory(account=account, department=sales, occurred_at=_ago(40 + i), summary=f"Antigua {i}")
        TouchpointFactory(account=account, department=sales, occurred_at=_ago(2 + i), summary=f"Reciente {i}")
        TouchpointFactory(account=account, department=ops, occurred_at=_ago(20 + i), summary=f"Visita planta {i}")
        ContactFactory(account=account, name=f"Decisora Olvidada {i}", decision_role=DecisionRole.DECISION_MAKER,
                       last_contact_date=today - datetime.timedelta(days=100))
        ContactFactory(account=account, name=f"Campeón Sin Contacto {i}", attitude=Attitude.CHAMPION)
        ContactFactory(account=account, name=f"Decisor Al Día {i}", decision_role=DecisionRole.DECISION_MAKER,
                       last_contact_date=today - datetime.timedelta(days=10))
        ContactFactory(account=account, name=f"Influyente Lejano {i}", decision_role=DecisionRole.INFLUENCER,
                       last_contact_date=today - datetime.timedelta(days=200))
        ContactFactory(account=account, name=f"Ya Se Fue {i}", attitude=Attitude.CHAMPION,
                       left_at=today - datetime.timedelta(days=30))
        FrameworkAgreementFactory(account=account, status="active", title=f"Suministro renovable {i}",
                                  start_date=today - datetime.timedelta(days=330),
                                  end_date=today + datetime.timedelta(days=30))
        FrameworkAgreementFactory(account=account, status="active", title=f"Suministro lejano {i}",
                                  start_date=today - datetime.timedelta(days=30),
                                  end_date=today + datetime.timedelta(days=330))
    for days, health in ((1, 58), (0, 72)):
        AccountSnapshot.objects.update_or_create(account=account, day=today - datetime.timedelta(days=days),
                                                 defaults={"health": health})
    return plan


def test_each_section_shows_what_is_due_and_leaves_out_the_rest(personas):
    fill(personas.account)
    html = _page(personas.kam, personas.account)

    incidents = _section(html, "brief-incidents")
    assert incidents.index("Parada de línea 0") < incidents.index("Factura duplicada 0")  # severity first
    assert "Resuelta 0" not in incidents
    critical = re.search(r'<li[^>]*data-severity="critical"[^>]*>', incidents).group(0)
    assert "text-danger" in critical
    assert "text-danger" not in re.search(r'<li[^>]*data-severity="low"[^>]*>', incidents).group(0)

    commitments = _section(html, "brief-commitments")
    ours, theirs = commitments.split('data-testid="brief-theirs"')
    assert "Informe de paradas 0" in ours and "Datos de sensores 0" not in ours
    assert "Datos de sensores 0" in theirs and "overdue" in theirs
    assert "Auditoría lejana 0" not in commitments and "Ya entregado 0" not in commitments

    touchpoints = _section(html, "brief-touchpoints")
    assert "Reciente 0" in touchpoints and "Visita planta 0" in touchpoints
    assert "Antigua 0" not in touchpoints
    assert touchpoints.count('data-testid="brief-touchpoint"') == 2

    health = _section(html, "brief-health")
    assert 'data-testid="brief-health-score">72<' in health and "+14" in health and "Good" in health

    people = _section(html, "brief-stakeholders")
    assert "Decisora Olvidada 0" in people and "Campeón Sin Contacto 0" in people
    assert "never contacted" in people
    assert "Decisor Al Día 0" not in people and "Influyente Lejano 0" not in people
    assert "Ya Se Fue 0" not in people
    assert people.index("Campeón Sin Contacto 0") < people.index("Decisora Olvidada 0")  # never first

    vision = _section(html, "brief-vision")
    assert "Ser el socio de referencia en mantenimiento predictivo de sus tres plantas" in vision

    agreements = _section(html, "brief-agreements")
    assert "Suministro renovable 0" in agreements and "Suministro lejano 0" not in agreements


def test_empty_account_explains_each_section_and_has_no_agreements_section(personas):
    html = _page(personas.kam, personas.account)
    assert "No open incidents." in html
    assert "The account has no plan yet" in html
    assert "No touchpoints recorded yet." in html
    assert "Not measured yet" in html
    assert "Every decision maker and champion was contacted" in html
    assert "No plan agreed with the client yet" in html
    assert 'data-testid="brief-agreements"' not in html


def test_commitments_come_from_the_current_plan_only(personas):
    today = timezone.localdate()
    old = PlanFactory(account=personas.account, status="closed", period_start=datetime.date(today.year - 1, 1, 1),
                      period_end=datetime.date(today.year - 1, 12, 31))
    CommitmentFactory(plan=old, description="Del plan anterior", due_date=today - datetime.timedelta(days=2))
    current = PlanFactory(account=personas.account)
    CommitmentFactory(plan=current, description="Del plan en vigor", due_date=today + datetime.timedelta(days=2))
    commitments = _section(_page(personas.kam, personas.account), "brief-commitments")
    assert "Del plan en vigor" in commitments and "Del plan anterior" not in commitments


def test_the_stale_contact_days_are_the_programme_setting(personas):
    today = timezone.localdate()
    ContactFactory(account=personas.account, name="Decisora Reciente", decision_role=DecisionRole.DECISION_MAKER,
                   last_contact_date=today - datetime.timedelta(days=40))
    assert brief.stale_contact_days() == 90
    assert "Decisora Reciente" not in _section(_page(personas.kam, personas.account), "brief-stakeholders")
    ProgrammeSettings.objects.update(stakeholder_contact_days=30)
    people = _section(_page(personas.kam, personas.account), "brief-stakeholders")
    assert "Decisora Reciente" in people and "30 days" in people


def test_vision_is_one_trimmed_paragraph():
    assert vision_paragraph("Uno\n\n  dos\ttres") == "Uno dos tres"
    long = " ".join(f"palabra{i}" for i in range(200))
    short = vision_paragraph(long, words=80)
    assert short.endswith("…") and len(short.split()) == 81
    assert vision_paragraph("") == ""


def test_health_change_against_the_previous_snapshot():
    day = datetime.date(2026, 11, 30)
    now, before = AccountSnapshot(day=day, health=35), AccountSnapshot(day=day - datetime.timedelta(days=1), health=41)
    assert brief.health_change([now, before])["delta"] == -6
    assert brief.health_change([now, before])["band"] == "poor"
    assert brief.health_change([now])["delta"] is None
    assert brief.health_change([])["score"] is None


def test_who_reads_which_sections(personas):
    fill(personas.account)
    # Operations see the account, not its plan or its commercial agreements.
    ops = _page(personas.operator, personas.account)
    assert 'data-testid="brief-incidents"' in ops and 'data-testid="brief-stakeholders"' in ops
    assert 'data-testid="brief-commitments"' not in ops and 'data-testid="brief-vision"' not in ops
    assert 'data-testid="brief-agreements"' not in ops and "Suministro renovable" not in ops
    # A finance teammate reads the plan and the commercial data.
    team = _page(personas.teammate, personas.account)
    assert 'data-testid="brief-commitments"' in team and 'data-testid="brief-agreements"' in team
    assert client_for(personas.outsider).get(_url(personas.account)).status_code == 404
    assert client_for(personas.kam).get(_url(personas.other_account)).status_code == 404
    assert client_for(None).get(_url(personas.account)).status_code == 302


def test_spanish_dates_and_labels(personas):
    fill(personas.account)
    html = _page(personas.kam, personas.account, HTTP_ACCEPT_LANGUAGE="es")
    today = timezone.localdate()
    with translation.override("es"):
        long_date = formats.date_format(today, "DATE_FORMAT")
    assert "de" in long_date and long_date in html  # "1 de diciembre de 2026"
    assert today.strftime("%d/%m/%Y") in _section(html, "brief-health")
    assert "Incidencias abiertas" in html and "Compromisos" in html


def test_links_from_the_account_page_and_the_dashboards(personas):
    url = _url(personas.account)
    assert f'href="{url}"' in client_for(personas.kam).get(reverse("accounts:detail", args=[personas.account.pk])
                                                          ).content.decode()
    assert f'href="{url}"' in client_for(personas.kam).get(reverse("metrics:dashboard_kam")).content.decode()
    assert f'href="{url}"' in client_for(personas.sponsor).get(reverse("metrics:dashboard_sponsor")).content.decode()


def _count(user, account):
    client = client_for(user)
    client.get(_url(account))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(account))
    assert response.status_code == 200
    return len(ctx)


BUDGET = 17


def test_fixed_query_budget_whatever_the_account_holds(personas):
    fill(personas.account, n=1)
    small = {who: _count(getattr(personas, who), personas.account) for who in ("kam", "teammate", "operator")}
    fill(personas.account, n=25, start=1)
    large = {who: _count(getattr(personas, who), personas.account) for who in ("kam", "teammate", "operator")}
    assert small == large
    assert max(large.values()) <= BUDGET, large
