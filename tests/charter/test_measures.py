"""Each measure against a hand-computed example, over 1 July – 30 September 2026."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Account
from charter import formulas
from charter.selectors import compliance
from tests.charter.helpers import END, START, account, at, incident, promise
from tests.factories import UserFactory, department
from tests.planning.factories import CommitmentFactory, PlanFactory
from tests.touchpoints.factories import TouchpointFactory
from touchpoints import sla

pytestmark = pytest.mark.django_db
NOW = at(2026, 10, 15, 12)


def _measure(measure, target, *, now=NOW, code="operations", start=START, end=END, tiers=("key",)):
    p = promise(measure, target, code=code, tiers=tiers)
    report = compliance(Account.objects.all(), start=start, end=end, now=now)
    result = next(r for r in report.results if r.promise.pk == p.pk)
    cells = {row.account["pk"]: c for row in report.accounts for c in row.cells if c.promise.pk == p.pk}
    return result, cells


def test_sla_resolution_counts_the_deadlines_of_the_period_by_the_sla_clock():
    a, b = account("key"), account("standard")
    incidents = [
        incident(a, at(2026, 7, 1), resolved=at(2026, 7, 1)),           # exactly at the deadline: met
        incident(a, at(2026, 8, 1), resolved=at(2026, 8, 2)),           # late: breached
        incident(a, at(2026, 9, 30, 23, 59)),                           # unresolved after it: overdue
        incident(a, at(2026, 6, 30, 23, 59), resolved=at(2026, 7, 5)),  # deadline before the period
        incident(a, at(2026, 10, 1), resolved=at(2026, 9, 1)),          # deadline after the period
        incident(b, at(2026, 7, 15), resolved=at(2026, 7, 14)),         # early: met
    ]
    result, cells = _measure("sla_resolution", 95)
    assert cells[a.pk].value == Decimal("33.3") and cells[a.pk].met is False  # 1 of 3
    assert result.key == Decimal("33.3") and result.rest == Decimal("100.0")
    assert result.key_met is False and result.rest_met is True
    # The same states as the touchpoints' SLA clock, incident by incident.
    states = [sla.clock(due_at=i.resolve_due_at, done_at=i.resolved_at, now=NOW).state for i in incidents[:3]]
    assert states == ["met", "breached", "overdue"]


def test_sla_resolution_leaves_running_clocks_out():
    a = account("key")
    incident(a, at(2026, 9, 20), resolved=at(2026, 9, 19))
    incident(a, at(2026, 9, 25))  # still running on 24 September
    result, _cells = _measure("sla_resolution", 100, now=at(2026, 9, 24))
    assert result.key == Decimal("100.0") and result.key_met is True


def test_ack_hours_averages_the_wait_of_the_incidents_opened_in_the_period():
    a = account("key")
    incident(a, at(2026, 7, 10), opened=at(2026, 7, 1), acked=at(2026, 7, 1, 2))       # 2 h
    incident(a, at(2026, 8, 10), opened=at(2026, 8, 1), acked=at(2026, 8, 1, 4))       # 4 h
    incident(a, at(2026, 10, 5), opened=at(2026, 9, 30, 20))                           # 6 h so far
    incident(a, at(2026, 7, 5), opened=at(2026, 6, 30, 23), acked=at(2026, 7, 1, 23))  # opened before
    result, cells = _measure("ack_hours", 4, now=at(2026, 10, 1, 2))
    assert cells[a.pk].value == Decimal("4.0") and cells[a.pk].met is True  # (2 + 4 + 6) / 3, at most 4
    stricter, _ = _measure("ack_hours", Decimal("3.5"), now=at(2026, 10, 1, 2))
    assert stricter.met is False


def test_commitments_on_time_are_the_departments_own():
    a = account("key")
    plan = PlanFactory(account=a)
    ops = department("operations")
    CommitmentFactory(plan=plan, department=ops, due_date=datetime.date(2026, 7, 1), status="done",
                      delivered_on=datetime.date(2026, 7, 1))                          # on the day: kept
    CommitmentFactory(plan=plan, department=ops, due_date=datetime.date(2026, 8, 1), status="done",
                      delivered_on=datetime.date(2026, 8, 3))                          # late
    CommitmentFactory(plan=plan, department=ops, due_date=datetime.date(2026, 9, 30))  # still open
    CommitmentFactory(plan=plan, department=department("finance"), due_date=datetime.date(2026, 8, 1))
    CommitmentFactory(plan=plan, party="client", department=None, due_date=datetime.date(2026, 8, 1))
    CommitmentFactory(plan=plan, department=ops, due_date=datetime.date(2026, 10, 1))  # after the period
    result, cells = _measure("commitments_on_time", 80)
    assert cells[a.pk].value == Decimal("33.3") and result.met is False  # 1 of 3
    finance, _ = _measure("commitments_on_time", 0, code="finance")
    assert finance.key == Decimal("0.0")  # its one commitment, open after its due date


def test_sponsor_visits_keep_the_cadence_of_the_programme_settings():
    sponsor = UserFactory()
    kept = account("key", sponsor=sponsor)
    late = account("key", sponsor=sponsor)
    new = account("key", sponsor=sponsor, created=datetime.date(2026, 8, 15))  # due 13 November
    old = account("key", sponsor=sponsor, created=datetime.date(2025, 1, 1))  # visited long ago only
    account("key")  # no sponsor: not measured
    for acc, day in ((kept, at(2026, 5, 1, 10)), (kept, at(2026, 7, 20, 10)), (late, at(2026, 3, 1, 10)),
                     (old, at(2025, 1, 10, 10))):
        TouchpointFactory(account=acc, kind="executive_visit", occurred_at=day, department=department("executive"))
    result, cells = _measure("sponsor_visits", 100, code="executive")
    assert {cells[kept.pk].met, cells[late.pk].met, cells[new.pk].met} == {True, False}
    assert cells[kept.pk].value == Decimal("100.0") and cells[late.pk].value == Decimal("0.0")
    assert cells[new.pk].met is True and cells[old.pk].met is False
    assert result.key == Decimal("50.0") and result.measured == 4  # 2 of 4


def test_touchpoints_per_quarter_count_every_account_over_the_whole_period():
    a, b = account("key"), account("key")
    recent = account("key", created=datetime.date(2026, 12, 1))  # imported later, with its history
    ops = department("operations")
    for day in (1, 2, 3, 4):
        TouchpointFactory(account=a, department=ops, occurred_at=at(2026, 8, day, 10))
    TouchpointFactory(account=a, department=department("sales"), occurred_at=at(2026, 8, 5, 10))
    TouchpointFactory(account=a, department=ops, occurred_at=at(2026, 10, 1, 0, 5))  # after the period
    TouchpointFactory(account=b, department=ops, occurred_at=at(2026, 9, 30, 23, 30))
    TouchpointFactory(account=recent, department=ops, occurred_at=at(2026, 9, 10, 10))
    TouchpointFactory(account=recent, department=ops, occurred_at=at(2026, 9, 11, 10))
    result, cells = _measure("touchpoints_per_quarter", 2)
    # 92 days are 92 / 91.3125 quarters: 4 touchpoints make 3.97 a quarter, 1 makes 0.99.
    assert cells[a.pk].value == Decimal("4.0") and cells[b.pk].value == Decimal("1.0")
    assert cells[recent.pk].value == Decimal("2.0")  # 1.98
    assert cells[b.pk].met is False and cells[a.pk].met is True
    # Pooled: 7 touchpoints over three accounts' 92 days: 2.32.
    assert result.key == Decimal("2.3") == formulas.ratio(7, 3 * Decimal(92) / formulas.QUARTER_DAYS)


def test_an_account_without_anything_to_measure_is_not_measured():
    a = account("key")
    result, cells = _measure("sla_resolution", 95)
    assert cells[a.pk].value is None and cells[a.pk].met is None
    assert result.value is None and result.met is None and result.measured == 0
