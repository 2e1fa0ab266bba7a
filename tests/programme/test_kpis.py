"""The review's KPIs against hand-computed examples: key accounts against the rest, over the period."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.models import ProgrammeSettings
from metrics.models import AccountSnapshot
from programme import kpis
from programme.selectors import period_containing
from tests.factories import AccountFactory, UserFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def period():
    """Two key accounts and two others, with what every KPI reads."""
    ProgrammeSettings.objects.update(key_account_cap=5, sponsor_visit_days=90)
    sponsor = UserFactory()
    k1 = AccountFactory(tier="key", sponsor=sponsor, quadrant="streamline", attractiveness=10, strength=10)
    k2 = AccountFactory(tier="key", sponsor=sponsor, attractiveness=80, strength=80, quadrant="strategic")
    r1 = AccountFactory(tier="development", quadrant="strategic", attractiveness=80, strength=70)
    r2 = AccountFactory(tier="standard")
    p1 = mf.plan(k1, status="agreed")
    mf.plan(k2, status="committed")
    mf.plan(r1, status="agreed")
    # Ours on key accounts: 1 of 2 on time; the client's: 1 of 1. The rest: 0 of 1 ours.
    mf.commitment(p1, due_ago=5, status="done", delivered_ago=6)
    mf.commitment(p1, due_ago=6, status="missed")
    from planning.models import Commitment
    Commitment.objects.create(plan=p1, party="client", description="Datos", status="done",
                              due_date=TODAY - datetime.timedelta(days=3),
                              delivered_on=TODAY - datetime.timedelta(days=3))
    p3 = r1.plans.first()
    mf.commitment(p3, due_ago=4, status="open")
    mf.touchpoint(k1, ago=10, kind="executive_visit")
    mf.touchpoint(k2, ago=200, kind="executive_visit")
    mf.feedback(k1, 6)
    mf.rating(k1, 9)
    mf.feedback(k2, 8)
    mf.feedback(r1, 9)
    mf.rating(r1, 7)
    for a, c, v in ((k1, "1000", "9000"), (k2, "3000", "11000"), (r1, "500", "4000"), (r2, "-100", None)):
        AccountSnapshot.objects.create(account=a, day=TODAY, tier=a.tier, contribution_12m=Decimal(c),
                                       clv=None if v is None else Decimal(v))
    # The period: the last 30 days up to today (the split is today's tiers).
    return kpis.ReviewPeriod(TODAY - datetime.timedelta(days=30), TODAY)


def test_each_kpi_against_its_hand_computed_value(period):
    got = kpis.compute_all(period)
    assert got["key_accounts"] == kpis.Actual(Decimal(2), reference=Decimal(5))
    assert got["plan_coverage"] == kpis.Actual(Decimal("100.0"), Decimal("50.0"))
    assert got["plan_agreed"] == kpis.Actual(Decimal("50.0"), Decimal("50.0"))
    assert got["commitments_ours"] == kpis.Actual(Decimal("50.0"), Decimal("0.0"))
    assert got["commitments_client"] == kpis.Actual(Decimal("100.0"), None)
    # k1 visited 10 days ago (within 90), k2 200 days ago (overdue); the rest have no sponsor.
    assert got["sponsor_visits"] == kpis.Actual(Decimal("50.0"), None)
    assert got["satisfaction"] == kpis.Actual(Decimal("7.0"), Decimal("9.0"))
    # Only k1 has both on the key side: 6 − 9; on the rest r1: 9 − 7.
    assert got["mutuality"] == kpis.Actual(Decimal("-3.0"), Decimal("2.0"))
    assert got["contribution"] == kpis.Actual(Decimal("2000.00"), Decimal("200.00"))
    assert got["clv"] == kpis.Actual(Decimal("10000.00"), Decimal("4000.00"))
    # k1 is a key account in Streamline; r1 is Strategic outside the programme.
    assert got["tier_disagreements"] == kpis.Actual(Decimal(2))


def test_a_past_period_splits_by_the_tiers_of_its_last_snapshot(period):
    a = AccountFactory(tier="standard")
    ended = TODAY - datetime.timedelta(days=40)
    AccountSnapshot.objects.create(account=a, day=ended, tier="key", contribution_12m=Decimal("70"))
    past = kpis.ReviewPeriod(ended - datetime.timedelta(days=30), ended)
    assert past.key_ids == {a.pk}
    assert kpis.key_accounts(past).value == Decimal(1)


def test_met_follows_the_goal():
    at_least = kpis.KPIS["plan_coverage"]
    at_most = kpis.KPIS["key_accounts"]
    assert at_least.met(Decimal(80), Decimal(80)) is True
    assert at_least.met(Decimal("79.9"), Decimal(80)) is False
    assert at_most.met(Decimal(26), Decimal(25)) is False
    assert at_most.met(Decimal(25), Decimal(25)) is True
    assert at_least.met(None, Decimal(1)) is None and at_least.met(Decimal(1), None) is None


def test_a_registered_kpi_joins_every_review(period):
    kpi = kpis.Kpi("demo_extra", "Extra", kpis.PERCENT, lambda p: kpis.Actual(kpis.percent(Decimal("0.25"))))
    kpis.register(kpi)
    try:
        assert kpis.compute_all(period)["demo_extra"].value == Decimal("25.0")
    finally:
        kpis.KPIS.pop("demo_extra")


def test_periods_follow_the_cadence():
    assert period_containing(datetime.date(2026, 5, 17), 3) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert period_containing(datetime.date(2026, 12, 31), 3) == (datetime.date(2026, 10, 1),
                                                                 datetime.date(2026, 12, 31))
    assert period_containing(datetime.date(2026, 7, 1), 6) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    assert period_containing(datetime.date(2026, 2, 1), 12) == (datetime.date(2026, 1, 1),
                                                                datetime.date(2026, 12, 31))


def test_frozen_actuals_read_back_the_same():
    a = kpis.Actual(Decimal("12.5"), None, Decimal(25))
    assert kpis.Actual.thawed(a.frozen()) == a


def test_charter_compliance_is_the_share_of_promises_kept_key_against_the_rest():
    from tests.charter.helpers import account, incident, promise

    start, end = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
    promise("sla_resolution", "90")
    key, rest = account("key"), account("standard")
    due = timezone.make_aware(datetime.datetime(2026, 8, 1, 12))
    incident(key, due, resolved=due - datetime.timedelta(hours=1))
    incident(rest, due, resolved=due + datetime.timedelta(hours=5))
    got = kpis.compute_all(kpis.ReviewPeriod(start, end))["charter_compliance"]
    # The one promise is kept on the key account (resolved in time) and missed on the rest.
    assert got == kpis.Actual(Decimal("100.0"), Decimal("0.0"))
