"""Date arithmetic of framework agreements (no database)."""

import datetime


def notice_date(renewal_date: datetime.date, notice_days: int) -> datetime.date:
    """The last day to give notice: `notice_days` before the renewal date.

    Source: the notice clause of a framework supply agreement ("either party may give notice of non-renewal
    no later than N days before the renewal date"); from that day on the agreement renews or ends on its
    own terms unless someone acts, so the KAM must be warned then, not at the renewal itself.
    """
    return renewal_date - datetime.timedelta(days=notice_days)


def default_end(start: datetime.date, years: int = 1) -> datetime.date:
    """The day before the same date `years` later: a one-year agreement from 1 March ends on the last day of
    February (29 February of a leap start becomes 28 February)."""
    try:
        same_day = start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        same_day = start.replace(year=start.year + years, day=28) + datetime.timedelta(days=1)
    return same_day - datetime.timedelta(days=1)
