"""The review's KPIs: a registry of plain functions, each computing one figure of the programme over a
review period, for the key accounts and, where it compares, for the rest of the accounts.

A KPI is `Kpi(code, label, unit, compute, goal)`; `compute(period)` returns an `Actual`. Adding one is
writing its function and calling `register(...)` below: the review page, the targets form, the frozen
actuals, the comparison across periods and the dashboard panel all follow the registry.

Targets are set in the KPI's unit (a percentage for shares: 80 means 80 %). `goal` says which side of
the target is met: "min" (at least the target) or "max" (at most)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Account, Tier
from charter import selectors as charter_selectors
from kam.models import ProgrammeSettings
from metrics.models import AccountSnapshot
from metrics.portfolio_measures import portfolio_measures

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COUNT, PERCENT, SCORE, POINTS, MONEY = "count", "percent", "score", "points", "money"
AT_LEAST, AT_MOST = "min", "max"
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Actual:
    """One KPI's figure: `value` for the key accounts, `rest` for the other accounts (None where the KPI
    does not compare), `reference` a fixed point to read it against (the cap)."""

    value: Decimal | None
    rest: Decimal | None = None
    reference: Decimal | None = None

    def frozen(self) -> dict:
        return {name: None if v is None else str(v)
                for name, v in (("value", self.value), ("rest", self.rest), ("reference", self.reference))}

    @classmethod
    def thawed(cls, data: dict | None) -> "Actual":
        data = data or {}
        return cls(*(None if data.get(name) in (None, "") else Decimal(data[name])
                     for name in ("value", "rest", "reference")))


class ReviewPeriod:
    """What the KPI functions measure: the accounts split into key and the rest over [start, end], each
    side's portfolio measures computed once and shared by every KPI. The split is the tiers as of the
    end: today's for a period not yet over, else the tiers recorded in the last snapshot of the period
    (today's when there is none)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end

    @cached_property
    def settings(self) -> ProgrammeSettings:
        return ProgrammeSettings.current()

    @cached_property
    def _split(self) -> tuple[set[int], set[int]]:
        day = None
        if self.end < timezone.localdate():
            day = AccountSnapshot.objects.filter(day__lte=self.end).aggregate(d=Max("day"))["d"]
        if day is None:
            rows = Account.objects.filter(archived_at__isnull=True).values_list("pk", "tier")
        else:
            rows = (AccountSnapshot.objects.filter(day=day, account__archived_at__isnull=True)
                    .values_list("account_id", "tier"))
        key: set[int] = set()
        rest: set[int] = set()
        for pk, tier in rows:
            (key if tier == Tier.KEY else rest).add(pk)
        return key, rest

    @property
    def key_ids(self) -> set[int]:
        return self._split[0]

    @property
    def rest_ids(self) -> set[int]:
        return self._split[1]

    @cached_property
    def key(self) -> dict:
        return portfolio_measures(account_ids=self.key_ids, start=self.start, end=self.end,
                                  cadence_days=self.settings.sponsor_visit_days)

    @cached_property
    def rest(self) -> dict:
        return portfolio_measures(account_ids=self.rest_ids, start=self.start, end=self.end,
                                  cadence_days=self.settings.sponsor_visit_days)


@dataclass(frozen=True)
class Kpi:
    code: str
    label: "StrOrPromise"
    unit: str
    compute: Callable[[ReviewPeriod], Actual]
    goal: str = AT_LEAST
    help: "StrOrPromise" = ""

    def met(self, actual: Decimal | None, target: Decimal | None) -> bool | None:
        """Whether the actual meets the target (None: no target or nothing measured)."""
        if actual is None or target is None:
            return None
        return actual >= target if self.goal == AT_LEAST else actual <= target


KPIS: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    KPIS[kpi.code] = kpi
    return kpi


def kpis() -> list[Kpi]:
    return list(KPIS.values())


def percent(share) -> Decimal | None:
    """A 0–1 share as a percentage to one place (None stays None)."""
    return None if share is None else (Decimal(share) * 100).quantize(ONE_PLACE)


def _one_place(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(ONE_PLACE)


def compute_all(period: ReviewPeriod) -> dict[str, Actual]:
    return {code: kpi.compute(period) for code, kpi in KPIS.items()}


# --- The programme's KPIs -----------------------------------------------------------------------------
def key_accounts(p: ReviewPeriod) -> Actual:
    return Actual(Decimal(len(p.key_ids)), reference=Decimal(p.settings.key_account_cap))


def plan_coverage(p: ReviewPeriod) -> Actual:
    return Actual(percent(p.key["plans"]["coverage"]), percent(p.rest["plans"]["coverage"]))


def plan_agreed(p: ReviewPeriod) -> Actual:
    return Actual(percent(p.key["plans"]["agreed_share"]), percent(p.rest["plans"]["agreed_share"]))


def commitments_ours(p: ReviewPeriod) -> Actual:
    return Actual(percent(p.key["commitments"]["us"]["share"]), percent(p.rest["commitments"]["us"]["share"]))


def commitments_client(p: ReviewPeriod) -> Actual:
    return Actual(percent(p.key["commitments"]["client"]["share"]),
                  percent(p.rest["commitments"]["client"]["share"]))


def sponsor_visits(p: ReviewPeriod) -> Actual:
    return Actual(percent(p.key["sponsor_visits"]["share"]), percent(p.rest["sponsor_visits"]["share"]))


def charter_compliance(p: ReviewPeriod) -> Actual:
    summary = charter_selectors.compliance_summary(start=p.start, end=p.end)
    return Actual(percent(summary["key"]), percent(summary["rest"]))


def satisfaction(p: ReviewPeriod) -> Actual:
    return Actual(_one_place(p.key["satisfaction"]["score"]), _one_place(p.rest["satisfaction"]["score"]))


def mutuality(p: ReviewPeriod) -> Actual:
    def gap(measures):
        m = measures["satisfaction"]["mutuality"]
        return None if m is None else _one_place(m["gap"])
    return Actual(gap(p.key), gap(p.rest))


def contribution(p: ReviewPeriod) -> Actual:
    return Actual(p.key["value"]["contribution_mean"], p.rest["value"]["contribution_mean"])


def clv(p: ReviewPeriod) -> Actual:
    return Actual(p.key["value"]["clv_mean"], p.rest["value"]["clv_mean"])


def tier_disagreements(p: ReviewPeriod) -> Actual:
    # The accounts app's one rule, on the accounts as they are now: frozen when the review closes.
    return Actual(Decimal(account_selectors.tier_mismatches(Account.objects.all()).count()))


register(Kpi("key_accounts", _("Key accounts"), COUNT, key_accounts, AT_MOST,
             _("Key accounts at the end of the period, against the programme's cap.")))
register(Kpi("plan_coverage", _("Key accounts with a plan in force"), PERCENT, plan_coverage))
register(Kpi("plan_agreed", _("Plans agreed by the client"), PERCENT, plan_agreed,
             help=_("Share of the accounts whose plan in force the client agreed.")))
register(Kpi("commitments_ours", _("Our commitments delivered on time"), PERCENT, commitments_ours,
             help=_("Commitments due in the period, delivered on or before their due date.")))
register(Kpi("commitments_client", _("The client's commitments delivered on time"), PERCENT, commitments_client))
register(Kpi("sponsor_visits", _("Sponsor visits within cadence"), PERCENT, sponsor_visits,
             help=_("Accounts with a sponsor whose next visit was not overdue at the end of the period.")))
register(Kpi("charter_compliance", _("Charter promises kept"), PERCENT, charter_compliance,
             help=_("Share of the service charter's promises kept in the period, key accounts against the rest.")))
register(Kpi("satisfaction", _("Client satisfaction (0–10)"), SCORE, satisfaction,
             help=_("The client's latest feedback score, averaged over the accounts that gave one.")))
register(Kpi("mutuality", _("Mutuality (client − our rating)"), POINTS, mutuality,
             help=_("The client's score minus our own rating of the partnership: below zero we think "
                    "better of the relationship than the client does.")))
register(Kpi("contribution", _("12-month contribution per account"), MONEY, contribution))
register(Kpi("clv", _("CLV per account"), MONEY, clv))
register(Kpi("tier_disagreements", _("Accounts whose evidence disagrees with their tier"), COUNT,
             tier_disagreements, AT_MOST))
