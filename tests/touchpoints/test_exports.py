"""Downloads of an account's touchpoints (the timeline's filters) and of the incident queue (the
queue's filters): content in CSV and XLSX, scoping, costs only for who reads figures, fixed queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kam.people import person_label
from tests.conftest import client_for
from tests.downloads import body, csv_rows, xlsx_sheets
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory, department
from tests.touchpoints.factories import IncidentFactory, TouchpointFactory
from touchpoints.models import IncidentStatus, ServiceIncident, Severity, TouchpointKind

pytestmark = pytest.mark.django_db
WHEN = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 15))


@pytest.fixture
def log(personas):
    TouchpointFactory(account=personas.account, occurred_at=WHEN, summary="=cmd|' /C calc'!A0",
                      cost=Decimal("150.00"), department=department("sales"))
    TouchpointFactory(account=personas.account, occurred_at=WHEN - datetime.timedelta(days=1),
                      kind=TouchpointKind.EXECUTIVE_VISIT, department=department("operations"))
    TouchpointFactory(account=personas.other_account)
    IncidentFactory(account=personas.account, title="=HYPERLINK(\"x\")", severity=Severity.CRITICAL,
                    cost=Decimal("75.00"))
    IncidentFactory(account=personas.account, title="Cerrada", status=IncidentStatus.CLOSED)
    IncidentFactory(account=personas.other_account, title="De otra cuenta")
    return personas


def _touchpoints(user, account, query="", fmt="csv"):
    name = "touchpoints:touchpoints_export" + ("_xlsx" if fmt == "xlsx" else "")
    response = client_for(user).get(reverse(name, args=[account.pk]) + query)
    return csv_rows(response) if fmt == "csv" else list(xlsx_sheets(response).values())[0]


def test_touchpoints_of_the_account_newest_first_neutralised(log):
    header, first, second = _touchpoints(log.kam, log.account)
    assert header[:5] == ["When", "Department", "Channel", "Kind", "Summary"]
    assert first[0] == timezone.localtime(WHEN).strftime("%Y-%m-%d %H:%M")
    assert first[4] == "'=cmd|' /C calc'!A0" and first[header.index("Cost")] == "150.00"
    assert second[3] == "Executive (sponsor) visit"
    header, first, second = _touchpoints(log.kam, log.account, fmt="xlsx")
    assert first[0] == timezone.make_naive(WHEN) and first[4] == "'=cmd|' /C calc'!A0"
    assert first[header.index("Cost")] == 150


@pytest.mark.parametrize("query,summaries", [
    ("?department=sales", 1), ("?department=nope", 2), ("?kind=sponsor_visit", 1), ("?kind=touchpoint", 1),
    ("?kind=incident_opened", 0), ("?kind=garbage", 2), ("?department=operations&kind=touchpoint", 0),
])
def test_touchpoints_follow_the_timelines_filters(log, query, summaries):
    assert len(_touchpoints(log.lead, log.account, query)) - 1 == summaries


def test_touchpoint_costs_only_for_who_reads_the_figures(log):
    reader = UserFactory(username="ops_reader")
    TeamMemberFactory(account=log.account, user=reader, department=department("operations"))
    header, first, _second = _touchpoints(reader, log.account)
    assert first[4] == "'=cmd|' /C calc'!A0" and first[header.index("Cost")] == ""
    assert client_for(log.outsider).get(
        reverse("touchpoints:touchpoints_export", args=[log.account.pk])).status_code == 404


def test_incidents_follow_the_queue_and_its_filters(log):
    url = reverse("touchpoints:incident_export")
    header, *rows = csv_rows(client_for(log.lead).get(url))
    assert header[:4] == ["#", "Account", "Tax id", "Title"]
    # The default queue: active incidents only, as on the page.
    assert sorted(r[3] for r in rows) == ["'=HYPERLINK(\"x\")", "De otra cuenta"]
    rows = csv_rows(client_for(log.lead).get(url + "?status=all&severity=critical"))[1:]
    assert [(r[3], r[5], r[-1]) for r in rows] == [("'=HYPERLINK(\"x\")", "Critical", "75.00")]
    (header, *rows), = xlsx_sheets(client_for(log.lead).get(reverse("touchpoints:incident_export_xlsx")
                                                              + "?status=closed")).values()
    assert [r[3] for r in rows] == ["Cerrada"]
    assert isinstance(rows[0][7], datetime.datetime)


def test_incidents_are_scoped_and_costs_blank_without_figures(log):
    rows = csv_rows(client_for(log.kam).get(reverse("touchpoints:incident_export")))[1:]
    assert [r[3] for r in rows] == ["'=HYPERLINK(\"x\")"]
    # Operations work every incident but read no account's figures.
    rows = csv_rows(client_for(log.operator).get(reverse("touchpoints:incident_export")))[1:]
    assert len(rows) == 2 and {r[-1] for r in rows} == {""}


def test_buttons_in_both_languages(log):
    timeline = reverse("touchpoints:timeline", args=[log.account.pk])
    queue = reverse("touchpoints:incident_list")
    client = client_for(log.lead)
    assert "Download the touchpoints" in client.get(timeline).content.decode()
    assert "Download these incidents" in client.get(queue + "?status=all").content.decode()
    with translation.override("en"):
        assert "Descargar los puntos de contacto" in client.get(timeline, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        page = client.get(queue + "?severity=high", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Descargar estas incidencias" in page
    assert reverse("touchpoints:incident_export_xlsx") + "?severity=high" in page


def test_queries_do_not_grow_with_the_rows(log):
    client = client_for(log.lead)
    urls = [reverse("touchpoints:touchpoints_export_xlsx", args=[log.account.pk]),
            reverse("touchpoints:incident_export") + "?status=all"]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                body(client.get(url))
            found.append(len(ctx.captured_queries))
        return found

    counts()
    small = counts()
    for _ in range(20):
        account = AccountFactory()
        TouchpointFactory(account=log.account, created_by=UserFactory())
        IncidentFactory(account=account, opened_by=UserFactory())
    assert counts() == small and max(small) <= 12


def test_a_download_in_spanish_stays_in_spanish_while_it_streams(log):
    client = client_for(log.lead)
    with translation.override("en"):
        incidents = client.get(reverse("touchpoints:incident_export") + "?severity=critical",
                               HTTP_ACCEPT_LANGUAGE="es")
        touchpoints = client.get(reverse("touchpoints:touchpoints_export", args=[log.account.pk]),
                                 HTTP_ACCEPT_LANGUAGE="es")
    # Read after the request's language is gone: the rows are produced as the response is sent.
    with translation.override("en"):
        header, row = csv_rows(incidents)
        assert header[5] == "Gravedad" and row[5] == "Crítica"
        header, first, second = csv_rows(touchpoints)
        assert second[3] == "Visita ejecutiva (patrocinador)" and first[6] == "no"


def test_the_follow_up_owner_and_the_incident_assignee_are_in_the_downloads(log):
    due = datetime.date(2026, 3, 9)
    TouchpointFactory(account=log.account, occurred_at=WHEN + datetime.timedelta(hours=1), follow_up=True,
                      follow_up_note="Enviar oferta", follow_up_owner=log.teammate, follow_up_due=due)
    header, first, *_rest = _touchpoints(log.kam, log.account)
    assert first[header.index("Follow-up owner")] == person_label(log.teammate)
    assert first[header.index("Follow-up due")] == "2026-03-09" and first[header.index("Follow-up done at")] == ""
    incident = ServiceIncident.objects.get(title__startswith="=HYPERLINK")
    ServiceIncident.objects.filter(pk=incident.pk).update(assignee=log.operator)
    header, *rows = csv_rows(client_for(log.lead).get(reverse("touchpoints:incident_export")))
    assigned = {r[header.index("#")]: r[header.index("Assigned to")] for r in rows}
    assert assigned[str(incident.pk)] == person_label(log.operator) and "" in assigned.values()
