"""The coaching comparison: each KAM's accounts measured by the programme review's own measures, with
the health and CLV trends from the snapshots."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import AccountSnapshot
from roster import measures
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


def _snapshot(account, day, health, clv):
    AccountSnapshot.objects.create(account=account, day=day, tier=account.tier, health=health, clv=Decimal(clv))


def test_each_kam_is_measured_on_their_own_accounts(personas):
    today = timezone.localdate()
    second = AccountFactory(name="Minera del Sur S.A.", tier="key", kam=personas.kam)
    agreed = mf.plan(personas.account, status="agreed")
    mf.plan(second, status="draft")
    mf.commitment(agreed, due_ago=30, status="done", delivered_ago=31)   # kept on time
    mf.commitment(agreed, due_ago=20, status="done", delivered_ago=10)   # late
    mf.commitment(agreed, due_ago=10)                                     # open past its date
    before, now = today - datetime.timedelta(days=40), today
    _snapshot(personas.account, before, 50, "1000")
    _snapshot(second, before, 70, "3000")
    _snapshot(personas.account, now, 60, "1500")
    _snapshot(second, now, 80, "3500")
    _snapshot(personas.other_account, before, 60, "900")
    _snapshot(personas.other_account, now, 40, "800")

    got = measures.measures_for([personas.kam, personas.other_kam], today=today)
    mine, theirs = got[personas.kam.pk], got[personas.other_kam.pk]
    assert (mine["key_accounts"], mine["plans"]["with_plan"], mine["plans"]["agreed"]) == (2, 2, 1)
    assert mine["plans"]["agreed_share"] == Decimal("0.5")
    assert (mine["commitments"]["due"], mine["commitments"]["kept"]) == (3, 1)
    assert (mine["health"], mine["health_before"], mine["health_trend"]) == (Decimal("70.0"), Decimal("60.0"), "up")
    assert (mine["clv_mean"], mine["clv_trend"]) == (Decimal("2500.00"), "up")
    # The other KAM runs one standard account: no key account to plan, and health going down.
    assert (theirs["key_accounts"], theirs["plans"]["coverage"]) == (0, None)
    assert (theirs["health"], theirs["health_trend"], theirs["clv_trend"]) == (Decimal("40.0"), "down", "down")


def test_the_programme_figure_adds_up_the_people(personas):
    personas.other_kam.first_name, personas.other_kam.last_name = "Zoe", "Zamora"
    personas.other_kam.save()
    mf.plan(personas.account, status="agreed")
    page = measures.comparison_page()
    assert page["programme"]["key_accounts"] == 1 and page["programme"]["agreed_share"] == Decimal("1")
    assert [r["person"].username for r in page["rows"]] == ["kam", "other_kam"]  # by name, not by score
