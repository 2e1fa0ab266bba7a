"""SLA arithmetic as pure functions (no database, no clock): the views, the escalation job and the tests
all agree on the same rules.

Rules: deadlines run on the wall clock from the moment the incident is opened; a step done exactly at
its deadline meets it; a deadline is fixed when the incident is opened (a later policy change does not
move it).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


def deadlines(opened_at: datetime, ack_hours: int, resolve_hours: int) -> tuple[datetime, datetime]:
    """The acknowledge and resolve deadlines of an incident opened at `opened_at`."""
    return opened_at + timedelta(hours=ack_hours), opened_at + timedelta(hours=resolve_hours)


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
