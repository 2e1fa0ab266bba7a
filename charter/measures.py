"""The measures a promise is held to, computed from the platform's own records.

Each kind is one function that tallies, in one grouped query over every account of the scope, a
numerator and a denominator per account (and per department for the kinds a department narrows); the
value over any set of accounts is then the pooled ratio of their tallies (`charter.formulas.ratio`),
so an account, the key accounts and the rest are measured by the same rule. The definition of each
kind is its function's docstring. Periods are whole days in the programme's time zone, both ends
included; nothing after `now` is counted.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account
from kam.models import ProgrammeSettings
from planning.models import Commitment, CommitmentStatus, Party
from touchpoints.models import ServiceIncident, Touchpoint, TouchpointKind

from . import formulas
from .kinds import MeasureKind

# (account id, department id or None) -> (numerator, denominator)
Tallies = dict[tuple[int, int | None], tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class Scope:
    """The accounts measured (one row each, fetched once) and the queryset they came from, which the
    tallies use as a subquery."""

    queryset: QuerySet[Account]
    accounts: list[dict]
    start: datetime.date
    end: datetime.date
    now: datetime.datetime

    @property
    def today(self) -> datetime.date:
        return timezone.localtime(self.now).date()

    @property
    def last_day(self) -> datetime.date:
        """The last day measured: the period's end, or today for a period not over yet."""
        return min(self.end, self.today)

    def moment(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    @property
    def lower(self) -> datetime.datetime:
        return self.moment(self.start)

    @property
    def upper(self) -> datetime.datetime:
        return min(self.moment(self.end + datetime.timedelta(days=1)), self.now)

    @property
    def ids(self):
        return self.queryset.values("pk")


def _rows(rows: Iterable[dict], department: str | None = None) -> Tallies:
    return {(r["account_id"], r[department] if department else None): (Decimal(r["num"]), Decimal(r["den"]))
            for r in rows}


def sla_resolution(scope: Scope, departments: set[int]) -> Tallies:
    """Incidents resolved within the SLA, in % of the incidents whose resolve deadline fell in the
    period and is behind us (or which were resolved, early or late).

    The deadline is the one fixed when the incident was opened, from the SLA policy of the account's
    tier and the incident's severity (`touchpoints.SlaPolicy`). An incident meets it when resolved at
    or before the deadline, and misses it when resolved late or still unresolved after it: the
    met / breached / overdue states of `touchpoints.sla.clock`; a clock still running is not counted.
    """
    met = Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due_at"))
    rows = (ServiceIncident.objects
            .filter(account_id__in=scope.ids, resolve_due_at__gte=scope.lower,
                    resolve_due_at__lt=scope.moment(scope.end + datetime.timedelta(days=1)))
            .filter(Q(resolved_at__isnull=False) | Q(resolve_due_at__lt=scope.now))
            .values("account_id").annotate(num=Count("id", filter=met), den=Count("id")))
    return _rows(rows)


def ack_hours(scope: Scope, departments: set[int]) -> Tallies:
    """Average hours from an incident's opening to its acknowledgement, over the incidents opened in
    the period; one not acknowledged yet counts the hours it has waited so far (so leaving incidents
    unacknowledged never improves the average). Lower is better."""
    waited = ExpressionWrapper(Coalesce(F("acknowledged_at"), Value(scope.now)) - F("opened_at"),
                               output_field=DurationField())
    rows = (ServiceIncident.objects
            .filter(account_id__in=scope.ids, opened_at__gte=scope.lower, opened_at__lt=scope.upper)
            .values("account_id").annotate(waited=Sum(waited), den=Count("id")))
    hour = Decimal(3600)
    return {(r["account_id"], None): (Decimal(r["waited"].total_seconds()) / hour, Decimal(r["den"]))
            for r in rows}


def commitments_on_time(scope: Scope, departments: set[int]) -> Tallies:
    """The department's plan commitments delivered on time, in % of its commitments due in the period
    (up to today): our party's commitments owned by the department, kept when done and delivered on or
    before their due date (the metrics' rule for kept commitments)."""
    kept = Q(status=CommitmentStatus.DONE, delivered_on__lte=F("due_date"))
    rows = (Commitment.objects
            .filter(plan__account_id__in=scope.ids, party=Party.US, department_id__in=departments,
                    due_date__gte=scope.start, due_date__lte=scope.last_day)
            .values("department_id", account_id=F("plan__account_id"))
            .annotate(num=Count("id", filter=kept), den=Count("id")))
    return _rows(rows, "department_id")


def sponsor_visits(scope: Scope, departments: set[int]) -> Tallies:
    """Accounts whose executive sponsor kept the visit cadence, in % of the accounts with a sponsor:
    on no day of the period (up to today) was a sponsor visit overdue by the touchpoints' rule (the
    last visit, or the account's creation before the first, plus the programme's cadence,
    `ProgrammeSettings.sponsor_visit_days`). See `charter.formulas.cadence_kept`."""
    if scope.start > scope.today:
        return {}
    cadence = ProgrammeSettings.current().sponsor_visit_days
    sponsor_visits = Touchpoint.objects.filter(account_id__in=scope.ids, kind=TouchpointKind.EXECUTIVE_VISIT)
    earlier = dict(sponsor_visits.filter(occurred_at__lt=scope.lower).values("account_id")
                   .annotate(last=Max("occurred_at")).values_list("account_id", "last"))
    visits: dict[int, list[datetime.date]] = {}
    for account_id, at in (sponsor_visits.filter(occurred_at__gte=scope.lower, occurred_at__lt=scope.upper)
                           .values_list("account_id", "occurred_at")):
        visits.setdefault(account_id, []).append(timezone.localtime(at).date())
    tallies: Tallies = {}
    for account in scope.accounts:
        if not account["sponsor_id"]:
            continue
        last = earlier.get(account["pk"])
        anchor = timezone.localtime(last or account["created_at"]).date()
        kept = formulas.cadence_kept(anchor=anchor, visits=visits.get(account["pk"], []),
                                     start=scope.start, end=scope.last_day, cadence_days=cadence)
        tallies[(account["pk"], None)] = (Decimal(int(kept)), Decimal(1))
    return tallies


def touchpoints_per_quarter(scope: Scope, departments: set[int]) -> Tallies:
    """The department's touchpoints per account and quarter: the touchpoints it logged on the account
    in the period (up to today), over the period's length in quarters (`charter.formulas.quarters`).
    Every account counts, those without a touchpoint as zero. (Not from the account's creation: an
    account imported with its history was created after its first touchpoints.)"""
    exposure = formulas.quarters(scope.start, scope.last_day)
    if exposure <= 0:
        return {}
    counts = {(r["account_id"], r["department_id"]): r["n"] for r in (
        Touchpoint.objects
        .filter(account_id__in=scope.ids, department_id__in=departments,
                occurred_at__gte=scope.lower, occurred_at__lt=scope.upper)
        .values("account_id", "department_id").annotate(n=Count("id")))}
    return {(account["pk"], department_id): (Decimal(counts.get((account["pk"], department_id), 0)), exposure)
            for account in scope.accounts for department_id in departments}


MEASURES: dict[str, Callable[[Scope, set[int]], Tallies]] = {
    MeasureKind.SLA_RESOLUTION: sla_resolution,
    MeasureKind.ACK_HOURS: ack_hours,
    MeasureKind.COMMITMENTS_ON_TIME: commitments_on_time,
    MeasureKind.SPONSOR_VISITS: sponsor_visits,
    MeasureKind.TOUCHPOINTS_PER_QUARTER: touchpoints_per_quarter,
}
# How a pooled tally becomes the value shown: a share in %, or a plain ratio.
SCALE: dict[str, int] = {
    MeasureKind.SLA_RESOLUTION: 100,
    MeasureKind.ACK_HOURS: 1,
    MeasureKind.COMMITMENTS_ON_TIME: 100,
    MeasureKind.SPONSOR_VISITS: 100,
    MeasureKind.TOUCHPOINTS_PER_QUARTER: 1,
}
