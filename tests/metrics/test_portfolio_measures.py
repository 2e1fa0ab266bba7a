"""The portfolio measures against hand-computed examples, bounded by their period, in a fixed number of
queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account
from kam.models import ProgrammeSettings
from metrics import portfolio_measures as pm
from metrics.models import AccountSnapshot
from planning.models import Commitment
from tests.factories import AccountFactory, UserFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=90)


def _client_commitment(p, *, due_ago, status="open", delivered_ago=None):
    return Commitment.objects.create(
        plan=p, party="client", description="Datos de previsión", status=status,
        due_date=TODAY - datetime.timedelta(days=due_ago),
        delivered_on=TODAY - datetime.timedelta(days=delivered_ago) if delivered_ago is not None else None)


def test_share_is_none_without_a_whole():
    assert pm.share(0, 0) is None
    assert pm.share(1, 3) == Decimal("0.3333")


def test_plan_coverage_counts_plans_in_force_and_agreed():
    a, b, c, d = (AccountFactory() for _ in range(4))
    mf.plan(a, status="agreed")
    mf.plan(b, status="committed")
    mf.plan(c, status="closed")  # closed: no longer in force
    out = pm.plan_coverage(account_ids=[a.pk, b.pk, c.pk, d.pk], end=TODAY)
    assert out == {"accounts": 4, "with_plan": 2, "agreed": 1, "coverage": Decimal("0.5000"),
                   "agreed_share": Decimal("0.2500")}
    # Before the plans' periods started nobody had one.
    early = pm.plan_coverage(account_ids=[a.pk, b.pk], end=TODAY - datetime.timedelta(days=200))
    assert early["with_plan"] == 0 and early["coverage"] == Decimal("0")


def test_commitments_on_time_by_party_within_the_period():
    a = AccountFactory()
    p = mf.plan(a)
    mf.commitment(p, due_ago=10, status="done", delivered_ago=12)  # early: kept
    mf.commitment(p, due_ago=20, status="done", delivered_ago=15)  # late: not kept
    mf.commitment(p, due_ago=30, status="open")  # overdue: not kept
    mf.commitment(p, due_ago=200, status="done", delivered_ago=200)  # before the period: not counted
    _client_commitment(p, due_ago=5, status="done", delivered_ago=5)
    _client_commitment(p, due_ago=6, status="missed")
    out = pm.commitments_on_time(account_ids=[a.pk], start=START, end=TODAY)
    assert out["us"] == {"due": 3, "kept": 1, "share": Decimal("0.3333")}
    assert out["client"] == {"due": 2, "kept": 1, "share": Decimal("0.5000")}


def test_commitments_delivered_after_the_period_end_are_not_yet_kept():
    a = AccountFactory()
    p = mf.plan(a)
    mf.commitment(p, due_ago=10, status="done", delivered_ago=10)
    out = pm.commitments_on_time(account_ids=[a.pk], start=START, end=TODAY - datetime.timedelta(days=11))
    assert out["us"]["due"] == 0
    out = pm.commitments_on_time(account_ids=[a.pk], start=START, end=TODAY - datetime.timedelta(days=10))
    assert out["us"] == {"due": 1, "kept": 1, "share": Decimal("1.0000")}
    assert out["client"] == {"due": 0, "kept": 0, "share": None}


def test_sponsor_visits_within_cadence():
    sponsor = UserFactory()
    visited = AccountFactory(sponsor=sponsor)
    late = AccountFactory(sponsor=sponsor)
    never = AccountFactory(sponsor=sponsor)
    Account.objects.filter(pk=never.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    no_sponsor = AccountFactory()
    mf.touchpoint(visited, ago=30, kind="executive_visit")
    mf.touchpoint(late, ago=120, kind="executive_visit")
    mf.touchpoint(late, ago=5, kind="commercial")  # not a sponsor visit
    ids = [visited.pk, late.pk, never.pk, no_sponsor.pk]
    out = pm.sponsor_visits_in_cadence(account_ids=ids, end=TODAY, cadence_days=90)
    assert out == {"with_sponsor": 3, "within": 1, "share": Decimal("0.3333")}
    # On a day before the visit of 30 days ago, that account is measured by its creation only (recent).
    out = pm.sponsor_visits_in_cadence(account_ids=[late.pk], end=TODAY - datetime.timedelta(days=100),
                                       cadence_days=90)
    assert out["within"] == 1


def test_sponsor_cadence_defaults_to_the_programme_setting():
    s = ProgrammeSettings.current()
    a = AccountFactory(sponsor=UserFactory())
    mf.touchpoint(a, ago=s.sponsor_visit_days + 1, kind="executive_visit")
    assert pm.sponsor_visits_in_cadence(account_ids=[a.pk], end=TODAY)["within"] == 0


def test_satisfaction_and_mutuality():
    a, b, c = AccountFactory(), AccountFactory(), AccountFactory()
    mf.feedback(a, 8, ago=40)
    mf.feedback(a, 6, ago=5)  # the latest counts
    mf.rating(a, 9)
    mf.feedback(b, 9)
    out = pm.satisfaction(account_ids=[a.pk, b.pk, c.pk], end=TODAY)
    assert out["rated"] == 2 and out["score"] == Decimal("7.50")
    # Only `a` has both: client 6 against our 9.
    assert out["mutuality"] == {"accounts": 1, "client": Decimal("6.00"), "ours": Decimal("9.00"),
                                "gap": Decimal("-3.00")}
    # As of 20 days ago: a's score was 8 and our rating (10 days ago) did not exist yet.
    before = pm.satisfaction(account_ids=[a.pk, b.pk], end=TODAY - datetime.timedelta(days=20))
    assert before["score"] == Decimal("8.00") and before["mutuality"] is None


def test_value_from_the_latest_snapshot_on_or_before_the_end():
    a, b = AccountFactory(), AccountFactory()
    old = TODAY - datetime.timedelta(days=40)
    AccountSnapshot.objects.create(account=a, day=old, contribution_12m=Decimal("1"), clv=Decimal("1"))
    AccountSnapshot.objects.create(account=a, day=TODAY, contribution_12m=Decimal("1000"), clv=Decimal("5000"))
    AccountSnapshot.objects.create(account=b, day=TODAY, contribution_12m=Decimal("-200"), clv=None)
    out = pm.value(account_ids=[a.pk, b.pk], end=TODAY)
    assert out["day"] == TODAY and out["measured"] == 2
    assert out["contribution"] == Decimal("800") and out["contribution_mean"] == Decimal("400.00")
    assert out["clv"] == Decimal("5000") and out["clv_mean"] == Decimal("5000.00") and out["clv_measured"] == 1
    assert pm.value(account_ids=[a.pk], end=old + datetime.timedelta(days=1))["contribution"] == Decimal("1")
    assert pm.value(account_ids=[], end=TODAY)["measured"] == 0


def test_portfolio_measures_in_a_fixed_number_of_queries():
    def build(n):
        for _ in range(n):
            a = AccountFactory(sponsor=UserFactory())
            p = mf.plan(a)
            mf.commitment(p, due_ago=10, status="done", delivered_ago=10)
            mf.feedback(a, 7)
            mf.rating(a, 8)
            AccountSnapshot.objects.create(account=a, day=TODAY, contribution_12m=Decimal("10"))

    def count():
        ids = list(Account.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            out = pm.portfolio_measures(account_ids=ids, start=START, end=TODAY, cadence_days=90)
        return len(ctx.captured_queries), out

    build(2)
    small, _out = count()
    build(20)
    large, out = count()
    assert small == large <= 7
    assert out["accounts"] == 22 and out["commitments"]["us"]["kept"] == 22
    assert pm.jsonable(out)["value"]["contribution"] == "220.00"
