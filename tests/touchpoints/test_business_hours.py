"""Business-hours SLA arithmetic against cases computed by hand (9–18, Monday to Friday, Madrid)."""

import datetime
from zoneinfo import ZoneInfo

from touchpoints import sla

MADRID = ZoneInfo("Europe/Madrid")
H = datetime.timedelta(hours=1)
CAL = sla.BusinessCalendar(work_days=frozenset({0, 1, 2, 3, 4}), start_hour=9, end_hour=18,
                           holidays=frozenset(), tz=MADRID)


def at(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=MADRID)


def test_friday_evening_plus_two_hours_is_monday_morning():
    # Friday 6 March 17:30: 30 min left that day, 1 h 30 min from Monday 09:00 → Monday 10:30.
    assert sla.add_business_time(at(3, 6, 17, 30), 2 * H, CAL) == at(3, 9, 10, 30)


def test_within_one_day():
    assert sla.add_business_time(at(3, 10, 10), 3 * H, CAL) == at(3, 10, 13)


def test_opened_before_opening_time_counts_from_opening():
    # Tuesday 07:00 + 1 h: the clock starts at 09:00 → 10:00.
    assert sla.add_business_time(at(3, 10, 7), H, CAL) == at(3, 10, 10)


def test_opened_on_saturday_starts_on_monday():
    assert sla.add_business_time(at(3, 7, 12), 4 * H, CAL) == at(3, 9, 13)


def test_holidays_are_skipped():
    # Monday 9 March a holiday: Friday 17:30 + 2 h → Tuesday 10:30.
    cal = sla.BusinessCalendar(work_days=CAL.work_days, start_hour=9, end_hour=18,
                               holidays=frozenset({datetime.date(2026, 3, 9)}), tz=MADRID)
    assert sla.add_business_time(at(3, 6, 17, 30), 2 * H, cal) == at(3, 10, 10, 30)


def test_many_days():
    # 24 business hours from Monday 09:00 at 9 h a day: Monday 9, Tuesday 9, Wednesday 6 → Wednesday 15:00.
    assert sla.add_business_time(at(3, 9, 9), 24 * H, CAL) == at(3, 11, 15)


def test_exact_end_of_day_stays_at_the_end():
    assert sla.add_business_time(at(3, 10, 9), 9 * H, CAL) == at(3, 10, 18)


def test_across_a_daylight_saving_change():
    # Spain moves to summer time on Sunday 29 March 2026: business hours are local hours.
    assert sla.add_business_time(at(3, 27, 17), 2 * H, CAL) == at(3, 30, 10)


def test_business_time_between():
    # Friday 17:00 to Monday 10:30: 1 h on Friday and 1 h 30 min on Monday.
    assert sla.business_time_between(at(3, 6, 17), at(3, 9, 10, 30), CAL) == datetime.timedelta(hours=2, minutes=30)
    assert sla.business_time_between(at(3, 7, 10), at(3, 8, 20), CAL) == datetime.timedelta(0)
    assert sla.business_time_between(at(3, 9, 10), at(3, 9, 9), CAL) == datetime.timedelta(0)


def test_deadlines_with_a_calendar():
    ack, resolve = sla.deadlines(at(3, 6, 17, 30), 2, 9, calendar=CAL)
    assert ack == at(3, 9, 10, 30)
    assert resolve == at(3, 9, 17, 30)


def test_deadlines_without_a_calendar_run_around_the_clock():
    ack, _resolve = sla.deadlines(at(3, 6, 17, 30), 2, 9)
    assert ack == at(3, 6, 19, 30)


def test_resume_moves_the_due_time_by_the_paused_business_time():
    # Waiting from Friday 17:00 to Monday 10:00 (2 business hours): a due time of Monday 12:00 → 14:00.
    due = at(3, 9, 12)
    assert sla.resumed_due(due, paused_from=at(3, 6, 17), resumed_at=at(3, 9, 10), calendar=CAL) == at(3, 9, 14)
    # Around the clock the whole wall-clock pause counts.
    assert sla.resumed_due(due, paused_from=at(3, 6, 17), resumed_at=at(3, 9, 10), calendar=None) == (
        due + datetime.timedelta(hours=65))


def test_a_calendar_without_working_time_is_refused():
    import pytest

    with pytest.raises(ValueError):
        sla.BusinessCalendar(work_days=frozenset(), start_hour=9, end_hour=18, holidays=frozenset(), tz=MADRID)
    with pytest.raises(ValueError):
        sla.BusinessCalendar(work_days=frozenset({0}), start_hour=18, end_hour=9, holidays=frozenset(), tz=MADRID)
