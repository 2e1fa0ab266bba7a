"""The charter's arithmetic as plain functions (no database, no clock).

Sources: the sponsor-visit rule is the touchpoints app's (`touchpoints.selectors.visit_status_from`:
a visit is overdue on any day after the last visit plus the programme's cadence, counted from the
account's creation before the first visit); the period presets are calendar quarters and years.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

# A quarter in days, on average over the leap cycle (365.25 / 4): touchpoints per quarter over a
# period of any length.
QUARTER_DAYS = Decimal("91.3125")


def ratio(num: Decimal | int, den: Decimal | int, *, scale: int = 1) -> Decimal | None:
    """`num / den * scale`, rounded to one decimal; None when there is nothing to measure (den 0)."""
    if not den:
        return None
    return (Decimal(num) * scale / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def quarters(start: datetime.date, end: datetime.date) -> Decimal:
    """How many quarters the days from `start` to `end` (both included) make; 0 for an empty period."""
    days = (end - start).days + 1
    return Decimal(max(days, 0)) / QUARTER_DAYS


def target_met(value: Decimal | None, target: Decimal, *, higher_is_better: bool) -> bool | None:
    """Whether a measured value meets its target (reaching it exactly meets it); None when not measured."""
    if value is None:
        return None
    return value >= target if higher_is_better else value <= target


def cadence_kept(*, anchor: datetime.date, visits: list[datetime.date], start: datetime.date,
                 end: datetime.date, cadence_days: int) -> bool:
    """Whether the sponsor visits kept the cadence on every day from `start` to `end`: never a day on
    which the visit was overdue, by the touchpoints' rule (overdue after the last visit + cadence).

    `anchor` is the last visit before `start` (or the account's creation date when there was none),
    `visits` the visit dates from `start` to `end`. Each visit restarts the clock on its day.
    """
    cadence = datetime.timedelta(days=cadence_days)
    one = datetime.timedelta(days=1)
    points = sorted(visits)
    last = anchor
    for visit in [*points, end + one]:
        # Overdue days of this stretch: after last + cadence, within the period, before the next visit.
        first_overdue = max(last + cadence + one, start)
        if first_overdue <= min(visit - one, end):
            return False
        last = max(last, visit)
    return True


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar quarter holding `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    nxt = datetime.date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, nxt - datetime.timedelta(days=1)


def preset_period(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates of a named period: the last (full) calendar quarter, this quarter so far, the year so
    far, the last calendar year, or the last twelve months up to today."""
    this_start, _this_end = quarter_of(today)
    if preset == "this_quarter":
        return this_start, today
    if preset == "year_to_date":
        return datetime.date(today.year, 1, 1), today
    if preset == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if preset == "last_12_months":
        try:
            start = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - 1, day=28)
        return start + datetime.timedelta(days=1), today
    return quarter_of(this_start - datetime.timedelta(days=1))
