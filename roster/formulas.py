"""The roster's arithmetic: plain functions without the database."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Load:
    """One count against its target: `room` is what is left below it (negative: over by that much)."""

    count: int
    target: int

    @property
    def room(self) -> int:
        return self.target - self.count

    @property
    def over(self) -> int:
        return max(0, self.count - self.target)

    @property
    def state(self) -> str:
        """'over', 'at' or 'under' the target."""
        if self.count > self.target:
            return "over"
        return "at" if self.count == self.target else "under"

    @property
    def percent(self) -> int:
        """The count as a share of the target, for the bar (capped at 100 so the bar stays in its box)."""
        return min(100, round(100 * self.count / self.target)) if self.target else 100


def capacity(key_accounts: int, accounts: int, *, max_key: int, max_all: int) -> dict[str, Load]:
    """A KAM's load against the programme lead's targets. The method gives a KAM a handful of key
    accounts at most, because each needs a plan agreed with the client, its reviews, a team and the
    sponsor's visits; the targets are the programme's reading of that, set by its lead."""
    return {"key": Load(key_accounts, max_key), "all": Load(accounts, max_all)}


def gap(self_score: int | None, lead_score: int | None) -> int | None:
    """Self-assessment minus the lead's score on one competence: positive, the KAM rates themself
    higher than the lead does (a blind spot to talk about); negative, lower (a strength to name). None
    when either score is missing. The self/other comparison is the Johari window's open and blind areas
    (Luft & Ingham, 1955), as used in 360-degree feedback."""
    if self_score is None or lead_score is None:
        return None
    return self_score - lead_score


def change(now: int | None, before: int | None) -> int | None:
    """The movement of one score since the previous assessment of the same kind (None: nothing to
    compare with)."""
    if now is None or before is None:
        return None
    return now - before


def mean(values) -> Decimal | None:
    """The average of the scores present, to one decimal (None when there are none)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return (Decimal(sum(present)) / len(present)).quantize(Decimal("0.1"))


def one_decimal(value) -> Decimal | None:
    """An average as shown: to one decimal (None stays None)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))
