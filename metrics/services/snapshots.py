"""Each account's snapshot from the aggregates: the formulas applied, fitted to its columns, saved in one upsert."""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone

from accounts import scoring
from accounts.models import Account
from kam.models import ParetoBasis, ProgrammeSettings, RetentionMode

from .. import formulas, retention
from ..health_inputs import commercial_inputs, commercial_inputs_recorded, health_components, health_context
from ..models import AccountSnapshot
from ..parameters import health_weights, snapshot_parameters
from .aggregates import SNAPSHOT_FIELDS, Window, _accounts, _commitments, _financials, _incidents, _touchpoints

log = logging.getLogger(__name__)

def _snapshot_for(a: dict, fin: dict, inc: dict, tp: dict, com: dict, s: ProgrammeSettings,
                  w: Window, hc: dict | None = None, cm: dict | None = None,
                  parameters: dict | None = None, kept: retention.RetentionChoice | None = None) -> AccountSnapshot:
    zero = Decimal("0")
    revenue = fin.get("rev", zero)
    cogs = fin.get("cogs", zero)
    cts_total = formulas.cost_to_serve(fin.get("cts", zero), inc.get("cost", zero), tp.get("cost", zero))
    margin = formulas.contribution(revenue, cogs, cts_total)
    has_fin = bool(fin.get("n"))

    last_visit = tp.get("last_visit")
    days_since = None if last_visit is None else (w.day - timezone.localdate(last_visit)).days
    commercial = {**(cm or {}), "rev": revenue, "rev_prev": fin.get("rev_prev", zero)}
    components = health_components(a, tp, inc, com, hc or {}, commercial, s, w, days_since)
    parameters = parameters if parameters is not None else snapshot_parameters(s)
    recorded_inputs = commercial_inputs_recorded(commercial, w)
    if recorded_inputs is not None:
        parameters = {**parameters, "commercial_inputs": recorded_inputs}
    health = formulas.health_from(components, health_weights(s))

    clv = clv_risk = r_risk = None
    r = s.clv_retention if kept is None else kept.rate
    if has_fin:
        clv = formulas.money(formulas.clv(margin, r, s.clv_discount))
        value, r_risk = formulas.clv_risk_adjusted(margin, health, s.clv_discount, s.retention_at_health_0,
                                                   s.retention_at_health_100, r)
        clv_risk = formulas.money(value)
    growth = formulas.yoy_growth(revenue, fin.get("rev_prev", zero))
    return AccountSnapshot(
        account_id=a["id"], day=w.day, tier=a["tier"],
        revenue_12m=formulas.money(revenue), revenue_prev_12m=formulas.money(fin.get("rev_prev", zero)),
        cost_of_goods_12m=formulas.money(cogs), cts_recorded_12m=formulas.money(fin.get("cts", zero)),
        cts_incidents_12m=formulas.money(inc.get("cost", zero)),
        cts_touchpoints_12m=formulas.money(tp.get("cost", zero)),
        cost_to_serve_12m=formulas.money(cts_total), contribution_12m=formulas.money(margin),
        has_financials=has_fin,
        yoy_growth=None if growth is None else growth.quantize(Decimal("0.0001")),
        clv=clv, clv_risk_adjusted=clv_risk,
        retention_risk_adjusted=None if r_risk is None else Decimal(r_risk).quantize(Decimal("0.0001")),
        health=health, health_engagement=components["engagement"], health_service=components["service"],
        health_plan=components["plan"], health_sponsor=components["sponsor"],
        health_satisfaction=components["satisfaction"], health_commercial=components["commercial"],
        parameters=parameters,
        attractiveness=a["attractiveness"], strength=a["strength"], quadrant=a["quadrant"] or "",
        pareto_class=a["pareto_class"] or "",
        clv_retention=r if has_fin else None,
        clv_retention_source=(kept.source if kept else retention.SOURCE_FIXED) if has_fin else "",
    )



def snapshot_fit(snapshot: AccountSnapshot) -> list[str]:
    """Make every figure fit its column; returns the names of the fields that did not.

    A figure beyond what its NUMERIC column holds (growth from a year of cents to a year of thousands,
    a CLV under extreme settings) would make PostgreSQL refuse the row. It is stored as NULL where the
    column allows it (shown as unknown rather than wrong) and clamped to the column's limit otherwise."""
    changed = []
    for field in AccountSnapshot._meta.concrete_fields:
        if not isinstance(field, DecimalField):
            continue
        value = getattr(snapshot, field.attname)
        if value is None:
            continue
        limit = Decimal(10) ** (field.max_digits - field.decimal_places)
        if abs(value) < limit:
            continue
        changed.append(field.name)
        biggest = limit - Decimal(1).scaleb(-field.decimal_places)
        setattr(snapshot, field.attname, None if field.null else biggest.copy_sign(value))
    return changed


@dataclass
class AccountFailure:
    account_id: int
    error: str

    def __str__(self):
        return f"account {self.account_id}: {self.error}"


def _pareto_value(fin: dict, basis: str) -> Decimal:
    """What the Pareto classes rank by, as the revenue recompute does in SQL (accounts.services.financials)."""
    zero = Decimal("0")
    if basis == ParetoBasis.CONTRIBUTION:
        return fin.get("rev", zero) - fin.get("cogs", zero) - fin.get("cts", zero)
    return fin.get("rev", zero)


def _retention_observe(fin: dict, accounts: list[dict]) -> list[retention.Estimate]:
    """The yearly retention observed in the base (metrics.retention.retention_rate gives the estimator
    and its source), from the financials' aggregate already read: archived accounts count too (a
    customer archived after it stopped buying is a customer lost), with one more query for their segment."""
    segment = {a["id"]: (a["tier"], a["industry"]) for a in accounts}
    segment.update((pk, (tier, industry)) for pk, tier, industry in Account.objects.filter(archived_at__isnull=False)
                   .values_list("id", "tier", "industry"))
    years = ((*segment[pk], f.get("rev_prev"), f.get("rev")) for pk, f in fin.items() if pk in segment)
    return retention.estimates_from_counts(retention.counts_from_years(years))


def snapshots_compute(*, day: datetime.date, failures: list[AccountFailure] | None = None,
                      estimates: list[retention.Estimate] | None = None) -> list[AccountSnapshot]:
    """The snapshots for `day`, computed but not saved (used by the recompute and the backfill).

    With `failures`, an account whose figures cannot be computed is left out and recorded there, so one
    account never stops the others; without it the error propagates. Each account's CLV takes the
    retention observed as of `day` in its segment; with `estimates` (a list), the estimates are added
    to it."""
    w = Window(day)
    s = ProgrammeSettings.current()
    fin, inc, tp, com = _financials(w), _incidents(w), _touchpoints(w), _commitments(w)
    hc, cm, parameters = health_context(w), commercial_inputs(w), snapshot_parameters(s)
    accounts = list(_accounts(w))
    observed = _retention_observe(fin, accounts)
    if estimates is not None:
        estimates.extend(observed)
    by_segment = {(e.segment, e.value): e for e in observed}
    chosen: dict[tuple[str, str], retention.RetentionChoice] = {}

    def kept_for(a: dict) -> retention.RetentionChoice:
        key = (a["tier"], a["industry"])
        if key not in chosen:
            chosen[key] = retention.choose_retention(
                a["tier"], a["industry"], by_segment, observed=s.clv_retention_mode == RetentionMode.OBSERVED,
                min_sample=s.retention_min_sample, fixed_rate=s.clv_retention, discount=s.clv_discount)
        return chosen[key]

    pareto = scoring.pareto_classes({a["id"]: _pareto_value(fin.get(a["id"], {}), s.pareto_basis) for a in accounts})
    empty: dict[str, Any] = {}
    snapshots = []
    for a in accounts:
        a["pareto_class"] = pareto.get(a["id"], "")
        try:
            snapshot = _snapshot_for(a, fin.get(a["id"], empty), inc.get(a["id"], empty),
                                     tp.get(a["id"], empty), com.get(a["id"], empty), s, w,
                                     hc.get(a["id"], empty), cm.get(a["id"], empty), parameters, kept_for(a))
        except Exception as exc:
            if failures is None:
                raise
            log.exception("metrics recompute for %s: account %s failed", day, a["id"])
            failures.append(AccountFailure(a["id"], f"{type(exc).__name__}: {exc}"))
            continue
        out_of_range = snapshot_fit(snapshot)
        if out_of_range:
            log.warning("metrics recompute for %s: account %s out of range in %s (stored as NULL or the "
                        "column's limit)", day, a["id"], ", ".join(out_of_range))
        snapshots.append(snapshot)
    return snapshots


def _upsert(snapshots: list[AccountSnapshot]) -> None:
    AccountSnapshot.objects.bulk_create(snapshots, batch_size=1000, update_conflicts=True,
                                        unique_fields=["account", "day"], update_fields=SNAPSHOT_FIELDS)


def snapshots_save(snapshots: list[AccountSnapshot], failures: list[AccountFailure] | None = None) -> int:
    """Upsert on (account, day): INSERT ... ON CONFLICT DO UPDATE on PostgreSQL and SQLite alike.

    With `failures`, a batch the database refuses is retried row by row, each in its own savepoint, and
    the rows it still refuses are recorded there instead of failing the whole save. Returns the rows
    written."""
    if failures is None:
        _upsert(snapshots)
        return len(snapshots)
    try:
        with transaction.atomic():
            _upsert(snapshots)
        return len(snapshots)
    except DatabaseError:
        log.warning("metrics: the snapshot batch was refused; saving account by account", exc_info=True)
    written = 0
    for snapshot in snapshots:
        try:
            with transaction.atomic():
                _upsert([snapshot])
            written += 1
        except DatabaseError as exc:
            log.exception("metrics: snapshot of account %s refused", snapshot.account_id)
            failures.append(AccountFailure(snapshot.account_id, f"{type(exc).__name__}: {exc}".strip()))
    return written


def accounts_write_latest(*, day: datetime.date) -> int:
    """Copy health and CLV of `day`'s snapshots onto the account rows in one UPDATE, so lower apps
    sort and filter by them without importing metrics."""
    snap = AccountSnapshot.objects.filter(account=OuterRef("pk"), day=day)
    return (Account.objects.filter(snapshots__day=day)
            .update(health_score=Subquery(snap.values("health")[:1]),
                    clv=Subquery(snap.values("clv")[:1]),
                    metrics_updated_at=timezone.now()))


# A run that failed whole, or figures not refreshed for this long (the nightly run is missing), make the
# figures stale: shown to the programme lead and in /healthz.
