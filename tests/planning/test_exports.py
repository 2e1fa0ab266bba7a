"""The download of an account's plans: plans, commitments and opportunities (one sheet each in Excel,
one file each in CSV), commercial figures only for who may read them, and a fixed query count."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from planning.models import Commitment, Opportunity
from tests.conftest import client_for
from tests.downloads import body, csv_rows, xlsx_sheets
from tests.factories import TeamMemberFactory, UserFactory, department
from tests.planning.factories import CommitmentFactory, OpportunityFactory, PlanFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 6, 30)


@pytest.fixture
def plan(personas):
    plan = PlanFactory(account=personas.account, period_start=datetime.date(2026, 1, 1),
                       period_end=datetime.date(2026, 12, 31))
    CommitmentFactory(plan=plan, description="=HYPERLINK(\"http://x\")", due_date=DUE, owner=personas.kam)
    OpportunityFactory(plan=plan, client_benefit="Reducir paradas", value=Decimal("100000"), probability=40)
    PlanFactory(account=personas.other_account)
    return plan


def _xlsx(client, account):
    return xlsx_sheets(client.get(reverse("planning:plans_export_xlsx", args=[account.pk])))


def test_excel_has_one_sheet_per_kind_with_their_rows(personas, plan):
    sheets = _xlsx(client_for(personas.kam), personas.account)
    assert list(sheets) == ["Plans", "Commitments", "Opportunities"]
    (header, row), = [sheets["Plans"]]
    assert header[:2] == ("Period start", "Period end") and row[0] == datetime.datetime(2026, 1, 1)
    assert row[4] == "Ana García"
    header, commitment = sheets["Commitments"]
    assert commitment[6] == "'=HYPERLINK(\"http://x\")" and commitment[7] == datetime.datetime(2026, 6, 30)
    assert commitment[3] == "Finance"
    header, opportunity = sheets["Opportunities"]
    assert opportunity[2] == "Reducir paradas"
    assert opportunity[6:9] == (100000, 40, 40000)


@pytest.mark.parametrize("sheet,column,value", [
    ("plans", 3, "Draft"), ("commitments", 6, "'=HYPERLINK(\"http://x\")"), ("opportunities", 2, "Reducir paradas"),
])
def test_csv_is_one_file_per_kind(personas, plan, sheet, column, value):
    url = reverse("planning:plans_export", args=[personas.account.pk]) + f"?sheet={sheet}"
    response = client_for(personas.kam).get(url)
    assert f"{sheet}-{personas.account.pk}-" in response["Content-Disposition"]
    header, row = csv_rows(response)
    assert row[column] == value


def test_unknown_sheet_gives_the_plans(personas, plan):
    url = reverse("planning:plans_export", args=[personas.account.pk]) + "?sheet=%00nope"
    response = client_for(personas.kam).get(url)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert csv_rows(response)[0][0] == "Period start"


def test_opportunity_values_are_blank_for_plan_readers_without_figures(personas, plan):
    reader = UserFactory(username="ops_reader")
    TeamMemberFactory(account=personas.account, user=reader, department=department("operations"))
    header, opportunity = _xlsx(client_for(reader), personas.account)["Opportunities"]
    assert opportunity[2] == "Reducir paradas" and opportunity[6:] in ((), (None, None, None))
    url = reverse("planning:plans_export", args=[personas.account.pk]) + "?sheet=opportunities"
    assert csv_rows(client_for(reader).get(url))[1][6:] == ["", "", ""]


def test_only_the_accounts_plans_and_only_for_its_readers(personas, plan):
    sheets = _xlsx(client_for(personas.lead), personas.account)
    assert len(sheets["Plans"]) == 2  # the header and this account's plan, not the other account's
    assert client_for(personas.operator).get(
        reverse("planning:plans_export_xlsx", args=[personas.account.pk])).status_code == 404


def test_buttons_in_both_languages(personas, plan):
    url = reverse("planning:plan_list", args=[personas.account.pk])
    english = client_for(personas.kam).get(url).content.decode()
    assert "Download plans, commitments and opportunities" in english
    assert reverse("planning:plans_export_xlsx", args=[personas.account.pk]) in english
    with translation.override("en"):
        spanish = client_for(personas.kam).get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Descargar planes, compromisos y oportunidades" in spanish


def test_queries_do_not_grow_with_the_rows(personas, plan):
    client = client_for(personas.kam)
    url = reverse("planning:plans_export_xlsx", args=[personas.account.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            body(client.get(url))
        return len(ctx.captured_queries)

    count()
    small = count()
    for year in range(2020, 2025):
        more = PlanFactory(account=personas.account, period_start=datetime.date(year, 1, 1),
                           period_end=datetime.date(year, 12, 31))
        Commitment.objects.bulk_create(Commitment(plan=more, description=f"C{i}", due_date=DUE, owner=personas.kam,
                                                  department=department("sales")) for i in range(30))
        Opportunity.objects.bulk_create(Opportunity(plan=more, client_benefit=f"O{i}", our_solution="S",
                                                    value=i) for i in range(30))
    assert count() == small <= 12
