"""The recompute against figures worked out by hand from a small, fully known account."""

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import Account
from metrics import services
from metrics.models import AccountSnapshot, RecomputeRun
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(personas):
    """personas.account with: 12 months of 10 000 revenue / 6 000 goods / 1 000 recorded cost to serve;
    an open incident (cost 500) breached 10 days ago; a commercial touchpoint (cost 300) and a sponsor
    visit 35 days ago; an agreed plan 60 % complete with one commitment kept and one missed; client
    feedback 8 and our rating 10."""
    a = personas.account
    mf.financial_year(a)
    mf.incident(a, ago=40, cost="500", ack_breached_ago=10)
    mf.touchpoint(a, ago=35, dept="sales", cost="300")
    mf.touchpoint(a, ago=35, dept="executive", kind="executive_visit", by=personas.sponsor)
    p = mf.plan(a, pct=60)
    mf.commitment(p, due_ago=10, status="done", delivered_ago=12)
    mf.commitment(p, due_ago=5, status="missed")
    mf.feedback(a, 8)
    mf.rating(a, 10)
    return a


def test_snapshot_figures_match_the_hand_computation(known):
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=known, day=timezone.localdate())
    assert s.revenue_12m == D("120000.00")
    assert s.cost_of_goods_12m == D("72000.00")
    assert (s.cts_recorded_12m, s.cts_incidents_12m, s.cts_touchpoints_12m) == (D("12000"), D("500"), D("300"))
    assert s.cost_to_serve_12m == D("12800.00")
    assert s.contribution_12m == D("35200.00")  # 120 000 − 72 000 − 12 800
    assert s.clv == D("158400.00")  # 35 200 · 0.9 / 0.2
    # engagement: 2 touchpoints → 60·2/12 = 10, 2 departments → 40·2/4 = 20
    assert s.health_engagement == 30
    assert s.health_service == 75  # 100 − 10 (one open) − 15 (one breach in 90 days)
    assert s.health_plan == 73  # 0.4·100 + 0.3·60 + 0.3·50
    assert s.health_sponsor == 100  # visited 35 days ago, cadence 90
    assert s.health_satisfaction == 70  # 8 → 80, gap 2 → −10
    # commercial: revenue 120 000 against 0 → 100; finance contribution 36 000 against 0 → 100;
    # bought last month → no recency penalty: 100
    assert s.health_commercial == 100
    # (20·30 + 20·75 + 16·73 + 12·100 + 12·70 + 20·100) / 100 = 73.08
    assert s.health == 73
    # r(73) = 0.70 + 0.25 · 0.73 = 0.8825; 35 200 · 0.8825 / 0.2175 = 142 822.99
    assert s.retention_risk_adjusted == D("0.8825")
    assert s.clv_risk_adjusted == D("142822.99")
    assert s.yoy_growth is None  # no revenue the year before
    assert s.pareto_class == "A" and s.tier == "key"

    known.refresh_from_db()
    assert known.health_score == 73
    assert known.clv == D("158400.00")
    assert known.metrics_updated_at is not None


def test_current_month_and_older_history_are_outside_the_window(known):
    mf.FinancialRecordFactory(account=known, month=mf.month_start(0), revenue=D("999999"))
    mf.financial_year(known, revenue="5000", cogs="0", cts="0", months=range(13, 25))
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=known)
    assert s.revenue_12m == D("120000.00")
    assert s.revenue_prev_12m == D("60000.00")
    assert s.yoy_growth == D("1.0000")  # (120 000 − 60 000) / 60 000


def test_running_twice_the_same_day_changes_nothing(known):
    services.recompute_metrics()
    fields = ["account_id", "day", *services.SNAPSHOT_FIELDS]
    first = list(AccountSnapshot.objects.order_by("account_id").values_list(*fields))
    account_first = Account.objects.values_list("health_score", "clv").get(pk=known.pk)
    services.recompute_metrics()
    assert list(AccountSnapshot.objects.order_by("account_id").values_list(*fields)) == first
    assert AccountSnapshot.objects.count() == Account.objects.active().count()
    assert Account.objects.values_list("health_score", "clv").get(pk=known.pk) == account_first


def test_a_new_fact_changes_the_same_days_snapshot_in_place(known):
    services.recompute_metrics()
    mf.incident(known, ago=50, cost="1000", ack_breached_ago=20)
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=known)
    assert AccountSnapshot.objects.filter(account=known).count() == 1
    assert s.cts_incidents_12m == D("1500.00")
    assert s.health_service == 50  # two open, two breaches: 100 − 20 − 30


def test_account_without_financials_has_no_clv_and_health_from_what_is_recorded(personas):
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=personas.other_account)
    assert s.has_financials is False
    assert s.clv is None and s.clv_risk_adjusted is None
    # standard account with a KAM and nothing recorded: no component is measured, so no health (not the
    # 50 that "no touchpoints" as 0 and "no incidents" as 100 used to make)
    assert s.health is None and s.health_engagement is None and s.health_service is None
    mf.touchpoint(personas.other_account, ago=200)
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=personas.other_account)
    # recorded on the platform for over 180 days: engagement 0 (nothing in 90 days), service 100
    assert (s.health_engagement, s.health_service) == (0, 100)
    assert (s.health_plan, s.health_sponsor, s.health_satisfaction, s.health_commercial) == (None,) * 4
    assert s.health == 50  # (20·0 + 20·100) / 40
    personas.other_account.refresh_from_db()
    assert personas.other_account.clv is None


def test_key_account_without_plan_scores_zero_on_plan(personas):
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=personas.account)
    assert s.health_plan == 0
    assert s.health_sponsor == 0  # a sponsor who never visited


def test_negative_contribution_gives_negative_clv(personas):
    mf.financial_year(personas.other_account, revenue="1000", cogs="900", cts="200")
    services.recompute_metrics()
    s = AccountSnapshot.objects.get(account=personas.other_account)
    assert s.contribution_12m == D("-1200.00")
    assert s.clv == D("-5400.00")  # −1 200 · 0.9 / 0.2


def test_resolved_incident_is_not_open_and_old_breach_weighs_less(personas):
    a = personas.other_account
    mf.incident(a, ago=150, status="resolved", resolved_ago=140, ack_breached_ago=149)
    services.recompute_metrics()
    assert AccountSnapshot.objects.get(account=a).health_service == 95  # one breach 91–180 days ago


def test_archived_accounts_are_left_out(personas):
    AccountFactory(archived_at=timezone.now())
    result = services.recompute_metrics()
    assert result.accounts == 2
    assert AccountSnapshot.objects.count() == 2


def test_backfilled_day_does_not_overwrite_the_account_row(known):
    services.recompute_metrics()
    known.refresh_from_db()
    health, clv = known.health_score, known.clv
    mf.financial_year(known, revenue="1", cogs="0", cts="0", months=range(13, 25))
    past = timezone.localdate() - datetime.timedelta(days=400)
    services.recompute_metrics(day=past)
    known.refresh_from_db()
    assert (known.health_score, known.clv) == (health, clv)
    old = AccountSnapshot.objects.get(account=known, day=past)
    assert old.revenue_12m != D("120000.00")


def test_snapshot_pareto_classes_are_the_accounts_rule(known):
    """The recompute's classes (in Python, for the snapshot's day) agree with the account rows' (SQL)."""
    for revenue in ("5000", "800", "800", "300"):
        mf.financial_year(AccountFactory(), revenue=revenue)
    services.recompute_metrics()
    day = timezone.localdate()
    snapshot_classes = dict(AccountSnapshot.objects.filter(day=day).values_list("account_id", "pareto_class"))
    assert snapshot_classes == dict(Account.objects.filter(pk__in=snapshot_classes)
                                    .values_list("pk", "pareto_class"))
    assert set(snapshot_classes.values()) >= {"A", "B", "C"}


def test_management_command_reports_what_it_did(known):
    out = StringIO()
    call_command("recompute_metrics", stdout=out)
    text = out.getvalue()
    assert "Recomputed 2 accounts" in text and " s." in text
    assert RecomputeRun.objects.get().trigger == "command"


def test_management_command_rejects_a_bad_day(known):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("recompute_metrics", day="22/11/2026")


def test_financials_import_signal_triggers_a_recompute(personas, django_capture_on_commit_callbacks):
    from accounts.models import FinancialRecord
    from accounts.signals import financials_imported

    mf.financial_year(personas.account)
    with django_capture_on_commit_callbacks(execute=True):
        financials_imported.send(sender=FinancialRecord, account_ids=[personas.account.pk])
    run = RecomputeRun.objects.get()
    assert run.trigger == "import"
    assert AccountSnapshot.objects.get(account=personas.account).revenue_12m == D("120000.00")


def test_a_breach_counts_from_its_deadline_not_from_when_it_was_stamped(personas):
    a = personas.other_account
    mf.incident(a, ago=200, status="closed", resolved_ago=190, ack_breached_ago=0)  # noticed late, long ago
    services.recompute_metrics()
    assert AccountSnapshot.objects.get(account=a).health_service == 100


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_both_finish_with_one_snapshot_per_account():
    import threading

    from django.db import connection, connections

    from tests.factories import AccountFactory

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    accounts = [AccountFactory(tier="key" if i < 3 else "standard") for i in range(12)]
    for a in accounts:
        mf.financial_year(a)
    errors = []

    def run():
        try:
            services.recompute_metrics(trigger="concurrent")
        except Exception as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert AccountSnapshot.objects.count() == len(accounts)
    assert RecomputeRun.objects.filter(trigger="concurrent").count() == 3


def test_only_the_programme_lead_asks_for_a_recompute(personas):
    from kam.errors import Forbidden

    for user in (personas.kam, personas.sponsor, personas.operator):
        with pytest.raises(Forbidden):
            services.recompute_request(actor=user)
    assert not RecomputeRun.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):  # in-process here: runs when the request commits
        services.recompute_request(actor=personas.lead)
    assert RecomputeRun.objects.get().trigger == "lead"
