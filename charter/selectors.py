"""Reads of the charter: its promises, who reads which, and their compliance over a period.

Compliance is set-based: one query for the promises, one for the accounts of the scope, one per kind
of measure in use (two for the sponsor visits, which read the cadence), whatever the number of
accounts.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Account, Tier
from accounts.selectors import account_get_for_user, account_visibility_q
from kam import departments as dept
from kam.models import Department
from kam.roles import KAM, LEAD, OPERATIONS, SPONSOR, user_roles

from . import formulas
from .kinds import SPECS
from .measures import MEASURES, SCALE, Scope, Tallies
from .models import Promise

# The departments whose service the charter promises (sales is the KAM's own offer, not the charter's).
CHARTER_DEPARTMENTS = (dept.OPERATIONS, dept.SUPPLY_CHAIN, dept.CUSTOMER_SERVICE, dept.FINANCE,
                       dept.TECHNICAL, dept.EXECUTIVE)


# --- The charter's text ------------------------------------------------------------------------------
def charter_departments() -> QuerySet[Department]:
    return Department.objects.filter(code__in=CHARTER_DEPARTMENTS).order_by("order", "name")


def readable_departments(user) -> QuerySet[Department] | None:
    """The departments whose promises `user` may read: None for all of them (the lead, sponsors,
    KAMs); operations read their own department's, and anyone named to sign off a department's
    commitments reads that department's."""
    roles = user_roles(user)
    if roles & {LEAD, SPONSOR, KAM}:
        return None
    if not user.is_authenticated:
        return Department.objects.none()
    q = Q(signers=user)
    if OPERATIONS in roles:
        q |= Q(code=dept.OPERATIONS)
    return Department.objects.filter(q).distinct()


def promises_visible_to(user, *, include_withdrawn: bool = False) -> QuerySet[Promise]:
    qs = Promise.objects.select_related("department")
    if not include_withdrawn:
        qs = qs.filter(active=True)
    departments = readable_departments(user)
    return qs if departments is None else qs.filter(department__in=departments)


def promise_get(pk) -> Promise:
    """A promise to edit (the views that call this are the lead's)."""
    return get_object_or_404(Promise.objects.select_related("department"), pk=pk)


def promise_history(promise: Promise, *, limit: int = 20):
    return promise.history.select_related("history_user").order_by("-history_date")[:limit]


# --- Compliance --------------------------------------------------------------------------------------
@dataclass
class PromiseResult:
    """One promise over the period: its value over the accounts it applies to, over the key accounts and
    over the rest (the same measure), each against the target."""

    promise: Promise
    value: Decimal | None
    met: bool | None
    key: Decimal | None
    key_met: bool | None
    rest: Decimal | None
    rest_met: bool | None
    measured: int  # accounts it applies to with something to measure


@dataclass
class Cell:
    promise: Promise
    value: Decimal | None
    met: bool | None


@dataclass
class AccountResult:
    account: dict  # pk, name, tier
    cells: list[Cell] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for c in self.cells if c.met is True)

    @property
    def measured(self) -> int:
        return sum(1 for c in self.cells if c.met is not None)

    @property
    def missed(self) -> list[Cell]:
        return [c for c in self.cells if c.met is False]


@dataclass
class Compliance:
    start: datetime.date
    end: datetime.date
    results: list[PromiseResult]
    accounts: list[AccountResult]

    def by_department(self) -> list[tuple[Department, list[PromiseResult]]]:
        groups: dict[int, tuple[Department, list[PromiseResult]]] = {}
        for r in self.results:
            groups.setdefault(r.promise.department_id, (r.promise.department, []))[1].append(r)
        return list(groups.values())

    def share_met(self, which: str) -> Decimal | None:
        """The share (0..1) of promises met over `which` accounts ("value", "key" or "rest"), among those
        with something to measure; None when none had."""
        flags = [getattr(r, "met" if which == "value" else f"{which}_met") for r in self.results]
        measured = [f for f in flags if f is not None]
        if not measured:
            return None
        return (Decimal(sum(measured)) / len(measured)).quantize(Decimal("0.001"))


def promise_value(promise: Promise, tallies: Tallies, account_ids) -> Decimal | None:
    """The promise's measure over these accounts: their tallies pooled, then scaled (None: nothing to
    measure)."""
    department = promise.department_id if SPECS[promise.measure].by_department else None
    num = den = Decimal(0)
    for pk in account_ids:
        n, d = tallies.get((pk, department), (Decimal(0), Decimal(0)))
        num += n
        den += d
    return formulas.ratio(num, den, scale=SCALE[promise.measure])


def promise_met(promise: Promise, value: Decimal | None) -> bool | None:
    return formulas.target_met(value, promise.target, higher_is_better=promise.higher_is_better)


def compliance(accounts_qs: QuerySet[Account], *, start: datetime.date, end: datetime.date,
               now: datetime.datetime | None = None, rows_for: Q | None = None,
               promises: list[Promise] | None = None) -> Compliance:
    """Every promise in force, measured over the active accounts of `accounts_qs` from `start` to `end`
    (both included): per promise over the accounts of its tiers, over the key accounts and over the
    rest; per account of a promised tier (those matching `rows_for` too, when given) each promise's
    value. Targets are met when reached exactly."""
    now = now or timezone.now()
    if promises is None:
        promises = list(Promise.objects.filter(active=True).select_related("department"))
    active = accounts_qs.filter(archived_at__isnull=True)
    fields = ["pk", "name", "tier", "sponsor_id", "created_at"]
    listed = active
    if rows_for is not None:
        listed = active.annotate(shown=_as_bool(rows_for))
        fields.append("shown")
    accounts = list(listed.order_by().values(*fields)) if promises else []
    scope = Scope(queryset=active, accounts=accounts, start=start, end=end, now=now)
    wanted: dict[str, set[int]] = {}
    for p in promises:
        wanted.setdefault(p.measure, set()).add(p.department_id)
    tallies = {kind: MEASURES[kind](scope, departments) for kind, departments in wanted.items()}

    rows = {a["pk"]: AccountResult(account=a) for a in sorted(
        accounts, key=lambda a: (a["tier"] != Tier.KEY, a["name"].lower(), a["pk"]))
        if a.get("shown", True)}
    key = [a["pk"] for a in accounts if a["tier"] == Tier.KEY]
    rest = [a["pk"] for a in accounts if a["tier"] != Tier.KEY]
    results = []
    for p in promises:
        t = tallies[p.measure]
        promised = [a["pk"] for a in accounts if a["tier"] in p.tiers]
        measured = 0
        for pk in promised:
            v = promise_value(p, t, [pk])
            measured += v is not None
            if pk in rows:
                rows[pk].cells.append(Cell(promise=p, value=v, met=promise_met(p, v)))
        overall, key_value, rest_value = (promise_value(p, t, promised), promise_value(p, t, key),
                                          promise_value(p, t, rest))
        results.append(PromiseResult(
            promise=p, value=overall, met=promise_met(p, overall), key=key_value,
            key_met=promise_met(p, key_value), rest=rest_value, rest_met=promise_met(p, rest_value),
            measured=measured))
    return Compliance(start=start, end=end, results=results,
                      accounts=[r for r in rows.values() if r.cells])


def _as_bool(q: Q):
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def compliance_scope(user) -> tuple[QuerySet[Account], Q | None]:
    """The accounts `user`'s compliance page measures, and which of them it lists one by one (None: all):
    the lead and the sponsors measure the whole programme (sponsors list the accounts they may read);
    a KAM measures and lists their own accounts."""
    roles = user_roles(user)
    everything = Account.objects.all()
    if LEAD in roles:
        return everything, None
    if SPONSOR in roles:
        return everything, account_visibility_q(user)
    if KAM in roles:
        return Account.objects.filter(kam_id=user.pk), None
    return Account.objects.none(), None


def account_compliance_get(user, pk) -> Account:
    """The account whose compliance `user` may read, else 404."""
    account = account_get_for_user(user, pk)
    if not user.has_perm("charter.view_account_compliance", account):
        raise Http404
    return account


def account_compliance(account: Account, *, start: datetime.date, end: datetime.date) -> Compliance:
    """The promises of the account's tier measured on the account alone."""
    promises = [p for p in Promise.objects.filter(active=True).select_related("department")
                if account.tier in p.tiers]
    return compliance(Account.objects.filter(pk=account.pk), start=start, end=end, promises=promises)


def compliance_summary(*, start: datetime.date, end: datetime.date) -> dict:
    """The charter over the whole programme for the programme review: the share (0..1) of promises met
    over the key accounts and over the others (None when nothing was measurable), how many promises are
    in force, and the labels of those missed over the accounts they apply to."""
    report = compliance(Account.objects.all(), start=start, end=end)
    return {
        "key": report.share_met("key"),
        "rest": report.share_met("rest"),
        "promises": len(report.results),
        "missed": [r.promise.label for r in report.results if r.met is False],
        "start": start,
        "end": end,
    }
