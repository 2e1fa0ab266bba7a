"""The demo backfill: a year of daily snapshots, interpolated between computed days, idempotent."""

import datetime
import random

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from kam.demo import DemoContext
from metrics import demo
from metrics.models import AccountSnapshot, RecomputeRun
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


def _ctx():
    return DemoContext(size="small", today=timezone.localdate(), rng=random.Random(1), log=lambda m: None)


def _state():
    return (AccountSnapshot.objects.count(),
            AccountSnapshot.objects.aggregate(h=Sum("health"), c=Sum("clv"), r=Sum("revenue_12m")),
            list(AccountSnapshot.objects.values("account").annotate(n=Count("id")).values_list("n", flat=True)))


def test_a_year_of_daily_snapshots_and_running_twice_changes_nothing(personas):
    mf.financial_year(personas.account, months=range(1, 25))
    demo.seed(_ctx())
    count, totals, per_account = _state()
    assert per_account == [demo.HISTORY_DAYS + 1] * 2  # every day of the year, and today, per account
    today = timezone.localdate()
    days = set(AccountSnapshot.objects.filter(account=personas.account).values_list("day", flat=True))
    assert days == {today - datetime.timedelta(days=n) for n in range(demo.HISTORY_DAYS + 1)}
    runs = RecomputeRun.objects.count()
    demo.seed(_ctx())
    assert _state() == (count, totals, per_account)
    assert RecomputeRun.objects.count() == runs


def test_a_partial_history_is_completed_by_the_seed(personas):
    """A database seeded before (say, yesterday's history is missing) gets its anchors upserted and
    the gaps filled, without duplicating what exists."""
    mf.financial_year(personas.account)
    anchors = demo.anchor_days(timezone.localdate(), 7)
    from metrics.services import snapshots_compute, snapshots_save

    snapshots_save(snapshots_compute(day=anchors[0]))
    demo.seed(_ctx())
    assert AccountSnapshot.objects.filter(account=personas.account).count() == demo.HISTORY_DAYS + 1


@pytest.mark.parametrize("fill", ["fill_between_anchors", "_fill_python"])  # the database's path, and SQLite's
def test_days_between_computed_days_are_interpolated(personas, fill):
    today = timezone.localdate()
    anchors = demo.anchor_days(today, 7)
    a, b = anchors[-3], anchors[-2]
    AccountSnapshot.objects.create(account=personas.account, day=a, revenue_12m=0, health=40, quadrant="star")
    AccountSnapshot.objects.create(account=personas.account, day=b, revenue_12m=700, health=54, quadrant="status")
    getattr(demo, fill)([a, b])
    mid = AccountSnapshot.objects.get(account=personas.account, day=a + datetime.timedelta(days=3))
    assert mid.revenue_12m == 300  # 0 + 700 · 3/7
    assert mid.health == 46  # 40 + 14 · 3/7
    assert mid.quadrant == "star"  # categories carry forward from the earlier day
    assert AccountSnapshot.objects.filter(account=personas.account).count() == 8  # 2 computed + 6 filled
