"""A plan's period: where one ends, and which one an account's next plan is for."""

import datetime

from django.utils import timezone

from ..models import PeriodKind

# A first yearly plan started this late in the year is for the next one: planning ahead for a year
# that is nearly over would open a plan already due for review.
FIRST_PLAN_NEXT_YEAR_FROM_MONTH = 10


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The last day of a period of `kind` starting on `start`."""
    months: dict[str, int] = {PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
    month_count = months[kind]
    month = start.month - 1 + month_count
    first_after = datetime.date(start.year + month // 12, month % 12 + 1, 1)
    # Periods start on the first of a month in practice; for other days keep the same length.
    if start.day != 1:
        first_after = first_after.replace(day=min(start.day, 28))
    return first_after - datetime.timedelta(days=1)


def next_period_start(account, today: datetime.date | None = None) -> tuple[str, datetime.date]:
    """The period to suggest for the account's next plan: the one after its latest plan, or for a
    first plan this calendar year (next year from October on)."""
    last = account.plans.order_by("-period_end").first()
    if last is not None:
        return last.period_kind, last.period_end + datetime.timedelta(days=1)
    today = today or timezone.localdate()
    year = today.year + 1 if today.month >= FIRST_PLAN_NEXT_YEAR_FROM_MONTH else today.year
    return PeriodKind.YEAR, datetime.date(year, 1, 1)
