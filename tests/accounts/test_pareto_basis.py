"""Pareto on revenue or on contribution: the programme's basis drives the stored classes, the tier
evidence and the snapshots alike; the page shows either ranking, with loss-making accounts, and its
payload stays small however many accounts there are."""

import json
import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from accounts import pareto, scoring, services
from accounts.models import Account, FinancialRecord
from kam.models import ProgrammeSettings
from metrics import services as metric_services
from metrics.models import AccountSnapshot
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics.factories import month_start

pytestmark = pytest.mark.django_db


def _year(account, revenue, cogs="0", cts="0"):
    FinancialRecord.objects.create(account=account, month=month_start(3), revenue=D(revenue),
                                   cost_of_goods=D(cogs), cost_to_serve=D(cts))


def _basis(lead, basis):
    s = ProgrammeSettings.current()
    metric_services.programme_settings_update(actor=lead, expected_version=s.version, data={"pareto_basis": basis})


@pytest.fixture
def portfolio(personas):
    """Revenue ranks big > thin > lean > losing; contribution ranks lean > thin > big, losing below 0."""
    big = AccountFactory(name="Grande S.A.")
    thin = AccountFactory(name="Margen Fino S.A.")
    lean = AccountFactory(name="Rentable S.A.")
    losing = AccountFactory(name="Pierde Dinero S.A.")
    _year(big, "1000", cogs="950")  # contribution 50
    _year(thin, "600", cogs="400")  # 200
    _year(lean, "500", cogs="100")  # 400
    _year(losing, "300", cogs="250", cts="150")  # −100
    services.revenue_recompute()
    return {"big": big, "thin": thin, "lean": lean, "losing": losing}


def _classes():
    return dict(Account.objects.filter(name__contains="S.A.").values_list("name", "pareto_class"))


def test_the_programme_basis_drives_the_stored_classes_at_once(portfolio, personas):
    # Revenue: 2,400 in all; above big 0 → A, above thin 1,000 (42 %) → A, above lean 1,600 (67 %) → A,
    # above losing 2,100 (88 %) → B.
    assert _classes()["Pierde Dinero S.A."] == "B"
    _basis(personas.lead, "contribution")
    # Contribution: positives 650; above lean 0 → A, thin 400 (62 %) → A, big 600 (92 %) → B; losing → C.
    got = _classes()
    assert (got["Rentable S.A."], got["Margen Fino S.A."], got["Grande S.A."], got["Pierde Dinero S.A."]) == (
        "A", "A", "B", "C")


def test_the_tier_evidence_and_the_snapshots_use_the_same_basis(portfolio, personas):
    _basis(personas.lead, "contribution")
    decision = services.tier_decide(actor=personas.lead, account=portfolio["big"], to_tier="development",
                                    reason="Mucho volumen")
    assert decision.evidence["pareto_class"] == "B"
    metric_services.recompute_metrics()
    snaps = dict(AccountSnapshot.objects.values_list("account__name", "pareto_class"))
    assert {k: v for k, v in snaps.items() if k in _classes()} == _classes()


def test_sql_classes_on_contribution_agree_with_the_reference_rule_on_random_data(personas):
    ProgrammeSettings.objects.update(pareto_basis="contribution")
    rng = random.Random(11)
    expected = {}
    for _ in range(40):
        a = AccountFactory()
        revenue = rng.choice([0, 100, 100, 500, rng.randint(1, 3000)])
        cogs = rng.choice([0, revenue // 2, revenue, revenue + 50])
        _year(a, revenue, cogs=cogs)
        expected[a.pk] = D(revenue - cogs)
    services.revenue_recompute()
    got = dict(Account.objects.filter(pk__in=expected).values_list("pk", "pareto_class"))
    assert got == scoring.pareto_classes(expected)


def _chart(html):
    start = html.index('id="pareto-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_the_page_ranks_by_contribution_and_shows_the_accounts_that_lose_money(portfolio, personas):
    html = client_for(personas.lead).get("/accounts/pareto/?basis=contribution").content.decode()
    table = html[html.index('data-testid="pareto-table"'):]
    names = [n for n in ("Rentable", "Margen Fino", "Grande", "Pierde Dinero") if n in table]
    assert sorted(names, key=table.index) == ["Rentable", "Margen Fino", "Grande", "Pierde Dinero"]
    assert 'data-testid="losing"' in html and "1 account loses money" in html
    chart = _chart(html)
    # 400, 600, 650 of 650; the personas' two accounts (0) and −100 add nothing.
    assert chart["shares"] == [61.54, 92.31, 100.0, 100.0, 100.0, 100.0]
    # Revenue is still one click away, and is the default (the programme's basis).
    revenue_chart = _chart(client_for(personas.lead).get("/accounts/pareto/").content.decode())
    assert revenue_chart["shares"] == [41.67, 66.67, 87.5, 100.0, 100.0, 100.0]
    assert client_for(personas.lead).get("/accounts/pareto/?basis=nonsense").status_code == 200


def test_a_kam_sees_where_their_accounts_stand_in_the_contribution_ranking(portfolio, personas):
    _year(personas.account, "100", cogs="10")  # 90: behind lean, thin and, in the ranking, nobody else
    rows = list(pareto.pareto_rows(personas.kam, "contribution"))
    assert [(r.pk, r.rank, r.value) for r in rows] == [(personas.account.pk, 3, D("90.00"))]


def test_the_curve_is_thinned_keeping_both_ends():
    ranks = pareto.thin(list(range(100_000)), pareto.CURVE_POINTS)
    assert len(ranks) == pareto.CURVE_POINTS and ranks[0] == 0 and ranks[-1] == 99_999
    assert ranks == sorted(set(ranks))
    assert pareto.thin([3, 5], 400) == [3, 5]


@pytest.mark.parametrize("basis", ["revenue", "contribution"])
def test_the_page_stays_under_50_kb_with_100_000_accounts(personas, basis):
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO accounts_account (name, tax_id, industry, country, region, status, tier,
                relationship_stage, created_at, updated_at, revenue_12m, pareto_class, quadrant, version)
            SELECT 'Masiva ' || g, '', 'steel', 'ES', '', 'active',
                   CASE WHEN g %% 50 = 0 THEN 'key' ELSE 'standard' END, 'exploratory', %s, %s,
                   (g %% 997) * 10, 'C', '', 1
            FROM generate_series(1, 100000) AS g""", [timezone.now(), timezone.now()])
    response = client_for(personas.lead).get(f"/accounts/pareto/?basis={basis}")
    assert response.status_code == 200
    assert len(response.content) < 50_000, len(response.content)
    chart = _chart(response.content.decode())
    assert chart["count"] == Account.objects.count() and len(chart["shares"]) <= pareto.CURVE_POINTS
    assert len(chart["key"]) <= pareto.KEY_MARKS
