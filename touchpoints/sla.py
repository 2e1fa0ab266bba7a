"""SLA arithmetic as pure functions (no database, no clock): the views, the escalation job and the tests
all agree on the same rules.

Rules: deadlines run from the moment the incident is opened, on the wall clock (24x7) or in the
programme's business hours (the policy says which); a step done exactly at its deadline meets it; a
deadline is fixed when the incident is opened (a later policy change does not move it); time spent
waiting on the client does not count, so resuming moves the deadlines still running by the paused time.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

# No calendar runs this long without a working hour (a year of holidays would be a typing error).
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class BusinessCalendar:
    """The programme's working time: weekdays (0 = Monday), opening and closing hour in local time,
    holidays. Local hours: a day with a daylight-saving change still opens at `start_hour`."""

    work_days: frozenset[int]
    start_hour: int
    end_hour: int
    holidays: frozenset[date]
    tz: tzinfo

    def __post_init__(self):
        if not self.work_days or not self.work_days <= set(range(7)):
            raise ValueError("a calendar needs at least one working day (0-6)")
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ValueError("the working day must end after it starts, within 0-24")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.work_days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The day's working hours as aware datetimes."""
        return _local(day, self.start_hour, self.tz), _local(day, self.end_hour, self.tz)


def _local(day: date, hour: int, tz: tzinfo) -> datetime:
    if hour == 24:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, time(hour), tzinfo=tz)


def add_business_time(start: datetime, amount: timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment `amount` of working time after `start`: time outside the working hours, on
    non-working days and on holidays does not count. Counting starts at the next opening when `start`
    falls outside them; a total that ends exactly at closing time ends there (not at the next opening).

    Example (9-18, Monday-Friday): Friday 17:30 + 2 h = 30 min on Friday + 1 h 30 min on Monday =
    Monday 10:30."""
    if amount <= timedelta(0):
        return start
    left = amount
    day = start.astimezone(calendar.tz).date()
    for _ in range(_SEARCH_DAYS + int(amount / timedelta(hours=1)) + 1):
        if calendar.is_working_day(day):
            opens, closes = calendar.window(day)
            begin = max(opens, start)
            if begin < closes:
                available = closes - begin
                if left <= available:
                    return (begin + left).astimezone(start.tzinfo)
                left -= available
        day += timedelta(days=1)
    raise ValueError("no working time found in the calendar")


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """The working time between two moments (zero when `end` is not after `start`)."""
    total = timedelta(0)
    if end <= start:
        return total
    day, last = start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date()
    while day <= last:
        if calendar.is_working_day(day):
            opens, closes = calendar.window(day)
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total


def deadlines(opened_at: datetime, ack_hours: int, resolve_hours: int,
              calendar: BusinessCalendar | None = None) -> tuple[datetime, datetime]:
    """The acknowledge and resolve deadlines of an incident opened at `opened_at`: wall-clock hours
    without a calendar, working hours with one."""
    if calendar is None:
        return opened_at + timedelta(hours=ack_hours), opened_at + timedelta(hours=resolve_hours)
    return (add_business_time(opened_at, timedelta(hours=ack_hours), calendar),
            add_business_time(opened_at, timedelta(hours=resolve_hours), calendar))


def resumed_due(due_at: datetime, *, paused_from: datetime, resumed_at: datetime,
                calendar: BusinessCalendar | None) -> datetime:
    """A running deadline after a pause (waiting on the client) from `paused_from` to `resumed_at`: it
    moves by the time paused, counted the way the deadline is (working time with a calendar)."""
    if calendar is None:
        return due_at + max(resumed_at - paused_from, timedelta(0))
    return add_business_time(due_at, business_time_between(paused_from, resumed_at, calendar), calendar)


@dataclass(frozen=True)
class SlaClock:
    """One deadline's state at a moment.

    `margin` is positive while time is left (or by how much a step was done early) and negative once
    the deadline is over (or by how late the step was done).
    """

    due_at: datetime
    done_at: datetime | None
    margin: timedelta

    @property
    def breached(self) -> bool:
        return self.margin < timedelta(0)

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def state(self) -> str:
        """met | breached | running | overdue"""
        if self.done:
            return "breached" if self.breached else "met"
        return "overdue" if self.breached else "running"


def clock(*, due_at: datetime, done_at: datetime | None, now: datetime) -> SlaClock:
    """A deadline measured against the step's completion, or against `now` while it is not done."""
    reference = done_at if done_at is not None else now
    return SlaClock(due_at=due_at, done_at=done_at, margin=due_at - reference)


def is_due_breach(*, due_at: datetime, done_at: datetime | None, now: datetime) -> bool:
    """True when the step is not done and its deadline has passed: what the escalation job looks for."""
    return done_at is None and now > due_at


def format_margin(margin: timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of the absolute margin, for "2 d 3 h left" / "5 h 10 min over"."""
    total_minutes = int(abs(margin).total_seconds() // 60)
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes
