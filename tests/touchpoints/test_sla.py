"""SLA arithmetic against cases computed by hand."""

import datetime

import pytest

from touchpoints import sla

UTC = datetime.UTC


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_deadlines_are_wall_clock_hours_from_opening():
    # Opened Friday 22:30 with 2 h / 24 h: acknowledge by 00:30 Saturday, resolve by Saturday 22:30.
    ack, resolve = sla.deadlines(at(6, 22, 30), 2, 24)
    assert ack == at(7, 0, 30)
    assert resolve == at(7, 22, 30)


def test_created_near_a_deadline_shows_minutes_left_then_overdue():
    ack_due = at(10, 9, 0)  # opened 08:00 with 1 h
    before = sla.clock(due_at=ack_due, done_at=None, now=at(10, 8, 55))
    assert before.state == "running"
    assert before.margin == datetime.timedelta(minutes=5)
    assert not sla.is_due_breach(due_at=ack_due, done_at=None, now=at(10, 8, 55))
    exactly = sla.clock(due_at=ack_due, done_at=None, now=ack_due)
    assert exactly.state == "running" and not exactly.breached
    assert not sla.is_due_breach(due_at=ack_due, done_at=None, now=ack_due)
    after = sla.clock(due_at=ack_due, done_at=None, now=at(10, 9, 1))
    assert after.state == "overdue"
    assert after.margin == datetime.timedelta(minutes=-1)
    assert sla.is_due_breach(due_at=ack_due, done_at=None, now=at(10, 9, 1))


def test_acknowledged_late_is_breached_by_the_lateness_and_stays_so():
    ack_due = at(10, 9, 0)
    late = sla.clock(due_at=ack_due, done_at=at(10, 10, 20), now=at(12, 0, 0))
    assert late.state == "breached"
    assert late.margin == datetime.timedelta(hours=-1, minutes=-20)
    assert sla.format_margin(late.margin) == (0, 1, 20)
    # Done: no longer a breach to escalate, whatever the time now.
    assert not sla.is_due_breach(due_at=ack_due, done_at=at(10, 10, 20), now=at(12, 0, 0))


def test_done_exactly_at_the_deadline_meets_it():
    due = at(10, 9, 0)
    assert sla.clock(due_at=due, done_at=due, now=at(11, 0)).state == "met"


def test_resolved_after_breach():
    # Key account, critical: 1 h / 8 h. Opened 10:00, acknowledged 10:30 (met, 30 min early),
    # resolved 19:15 the same day: resolve deadline 18:00, so 1 h 15 min late.
    ack_due, resolve_due = sla.deadlines(at(10, 10), 1, 8)
    ack = sla.clock(due_at=ack_due, done_at=at(10, 10, 30), now=at(10, 20))
    resolve = sla.clock(due_at=resolve_due, done_at=at(10, 19, 15), now=at(10, 20))
    assert (ack.state, ack.margin) == ("met", datetime.timedelta(minutes=30))
    assert (resolve.state, resolve.margin) == ("breached", datetime.timedelta(hours=-1, minutes=-15))


def test_policy_change_after_creation_keeps_the_original_target():
    opened = at(10, 8)
    original_ack, original_resolve = sla.deadlines(opened, 4, 48)
    # The policy is later tightened to 1 h / 8 h; the incident keeps the targets it was opened with,
    # so at 10:00 it is still within its 4-hour acknowledge window.
    sla.deadlines(opened, 1, 8)
    assert sla.clock(due_at=original_ack, done_at=None, now=at(10, 10)).state == "running"
    assert original_ack == at(10, 12) and original_resolve == at(12, 8)


@pytest.mark.parametrize(("minutes", "expected"), [
    (59, (0, 0, 59)), (60, (0, 1, 0)), (25 * 60 + 5, (1, 1, 5)), (-(2 * 24 * 60 + 30), (2, 0, 30)),
])
def test_format_margin(minutes, expected):
    assert sla.format_margin(datetime.timedelta(minutes=minutes)) == expected
