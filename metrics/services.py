"""The metrics recompute: set-based aggregation over whole tables, then one bulk upsert.

Cost: one aggregate query per source table (financials, incidents, touchpoints, sponsor visits,
commitments) plus one query over accounts with correlated subqueries for the latest plan and feedback,
then the formulas applied to the ~N already-aggregated account rows, one upsert of N snapshots and one
UPDATE of the account rows. Nothing iterates over touchpoint or incident rows in Python.
"""

import datetime
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import scoring
from accounts import services as account_services
from accounts.models import Account, FinancialRecord
from kam import versioning
from kam.errors import Forbidden, Invalid, clean
from kam.models import ParetoBasis, ProgrammeSettings, RetentionMode
from planning.models import AccountPlan, Commitment
from touchpoints.models import ClientFeedback, PartnershipRating, ServiceIncident, Touchpoint

from . import formulas, retention
from .health_inputs import commercial_inputs, commercial_inputs_recorded, health_components, health_context
from .models import AccountSnapshot, RecomputeRun, RetentionEstimate
from .parameters import health_weights, snapshot_parameters
from .selectors import add_months

log = logging.getLogger(__name__)

MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
ZERO_MONEY = Value(Decimal("0"), output_field=MONEY)
SNAPSHOT_FIELDS = [
    "tier", "revenue_12m", "revenue_prev_12m", "cost_of_goods_12m", "cts_recorded_12m", "cts_incidents_12m",
    "cts_touchpoints_12m", "cost_to_serve_12m", "contribution_12m", "has_financials", "yoy_growth", "clv",
    "clv_risk_adjusted", "retention_risk_adjusted", "health", "health_engagement", "health_service",
    "health_plan", "health_sponsor", "health_satisfaction", "attractiveness", "strength", "quadrant",
    "pareto_class", "health_commercial", "parameters", "clv_retention", "clv_retention_source",
]


@dataclass(frozen=True)
class Window:
    """The periods a recompute for `day` looks at. Financial figures use the 12 complete months
    before the day's month (a month in progress would make the trailing figures jump daily)."""

    day: datetime.date

    @property
    def month0(self):
        return self.day.replace(day=1)

    @property
    def start_12(self):
        return add_months(self.month0, -12)

    @property
    def start_24(self):
        return add_months(self.month0, -24)

    def at(self, d: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(d, datetime.time.min))

    @property
    def end(self):  # the end of `day`: everything up to and including that day counts
        return self.at(self.day + datetime.timedelta(days=1))

    def days_ago(self, n):
        return self.end - datetime.timedelta(days=n)


def _sum_when(field, q):
    return Coalesce(Sum(Case(When(q, then=F(field)), default=ZERO_MONEY, output_field=MONEY)), ZERO_MONEY)


def _financials(w: Window) -> dict:
    in_12 = Q(month__gte=w.start_12, month__lt=w.month0)
    in_prev = Q(month__gte=w.start_24, month__lt=w.start_12)
    rows = (FinancialRecord.objects.filter(month__gte=w.start_24, month__lt=w.month0)
            .values("account_id")
            .annotate(rev=_sum_when("revenue", in_12), rev_prev=_sum_when("revenue", in_prev),
                      cogs=_sum_when("cost_of_goods", in_12), cts=_sum_when("cost_to_serve", in_12),
                      n=Count("id", filter=in_12)))
    return {r["account_id"]: r for r in rows}


def _incidents(w: Window) -> dict:
    in_12 = Q(opened_at__gte=w.at(w.start_12), opened_at__lt=w.at(w.month0))
    # Open as of the day: opened by then and not yet resolved (or closed) by then.
    open_q = (Q(resolved_at__isnull=True) | Q(resolved_at__gte=w.end)) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=w.end))
    b90 = w.days_ago(90)
    b180 = w.days_ago(180)
    # A breach happened when its deadline passed; the stamp only records when the job noticed it.
    def breached_between(start, end):
        return (Q(ack_breached_at__isnull=False, ack_due_at__gte=start, ack_due_at__lt=end)
                | Q(resolve_breached_at__isnull=False, resolve_due_at__gte=start, resolve_due_at__lt=end))

    breach_90 = breached_between(b90, w.end)
    breach_180 = breached_between(b180, b90) & ~breach_90
    rows = (ServiceIncident.objects.filter(opened_at__lt=w.end)
            .filter(Q(opened_at__gte=min(w.at(w.start_12), b180)) | open_q)
            .values("account_id")
            .annotate(cost=_sum_when("cost", in_12), open=Count("id", filter=open_q),
                      b90=Count("id", filter=breach_90), b180=Count("id", filter=breach_180)))
    return {r["account_id"]: r for r in rows}


def _touchpoints(w: Window) -> dict:
    in_12 = Q(occurred_at__gte=w.at(w.start_12), occurred_at__lt=w.at(w.month0))
    in_90 = Q(occurred_at__gte=w.days_ago(90))
    rows = (Touchpoint.objects.filter(occurred_at__gte=min(w.at(w.start_12), w.days_ago(90)),
                                      occurred_at__lt=w.end)
            .values("account_id")
            .annotate(cost=_sum_when("cost", in_12), n90=Count("id", filter=in_90),
                      depts90=Count("department", filter=in_90, distinct=True)))
    result = {r["account_id"]: r for r in rows}
    visits = (Touchpoint.objects.filter(kind="executive_visit", occurred_at__lt=w.end)
              .values("account_id").annotate(last=Max("occurred_at")))
    for v in visits:
        result.setdefault(v["account_id"], {})["last_visit"] = v["last"]
    return result


def _commitments(w: Window) -> dict:
    due = Q(due_date__gt=w.day - datetime.timedelta(days=365), due_date__lte=w.day)
    kept = Q(status="done", delivered_on__lte=F("due_date")) & Q(delivered_on__lte=w.day)
    rows = (Commitment.objects.filter(due)
            .values("plan__account_id")
            .annotate(due=Count("id"), kept=Count("id", filter=kept)))
    return {r["plan__account_id"]: r for r in rows}


def _accounts(w: Window):
    qs = Account.objects.filter(archived_at__isnull=True)
    current = (AccountPlan.objects.filter(account=OuterRef("pk"), period_start__lte=w.day)
               .exclude(status="closed").order_by("-period_start", "-pk"))
    return qs.annotate(
        plan_status=Subquery(current.values("status")[:1]),
        plan_completeness=Subquery(
            current.annotate(c=(F("pct_conocimiento") + F("pct_vision") + F("pct_compromiso")) / 3)
            .values("c")[:1]),
        feedback=Subquery(
            ClientFeedback.objects.filter(account=OuterRef("pk"), received_on__lte=w.day)
            .order_by("-received_on", "-pk").values("score")[:1], output_field=IntegerField()),
        our_rating=Subquery(
            PartnershipRating.objects.filter(account=OuterRef("pk"), rated_on__lte=w.day)
            .order_by("-rated_on", "-pk").values("score")[:1], output_field=IntegerField()),
    ).values("id", "tier", "industry", "sponsor_id", "attractiveness", "strength", "quadrant", "pareto_class",
             "plan_status", "plan_completeness", "feedback", "our_rating")


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


RECOMPUTE_LOCK = 7_306_001  # any constant unique to this job among the project's advisory locks


def _serialise_recomputes() -> None:
    """Two recomputes at once (the nightly run and one after an import) would update the same account
    rows in different orders and could deadlock; on PostgreSQL the second waits for the first, for the
    length of the transaction. SQLite already allows a single writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])


@dataclass
class RecomputeResult:
    day: datetime.date
    accounts: int
    snapshots: int
    seconds: float
    run: RecomputeRun | None = None


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


def recompute_metrics(*, day: datetime.date | None = None, trigger: str = "manual") -> RecomputeResult:
    """Recompute every active account's snapshot for `day` (default: today) and, when `day` is the
    newest day on record, its denormalised health and CLV. Idempotent: the same data on the same day
    gives the same rows (the upsert replaces them).

    An account whose figures fail is left out and counted on the run (status "partial"); the others are
    saved. A run that fails whole rolls back and is recorded as failed, then the error is raised again
    (the task retries, the command exits with it)."""
    started = timezone.now()
    t0 = time.monotonic()
    day = day or timezone.localdate()
    try:
        return _recompute(day=day, trigger=trigger, started=started, t0=t0)
    except Exception as exc:
        seconds = time.monotonic() - t0
        log.exception("metrics recompute for %s failed after %.2f s", day, seconds)
        try:
            RecomputeRun.objects.create(day=day, started_at=started, finished_at=timezone.now(),
                                        seconds=seconds, trigger=trigger[:40], status=RecomputeRun.Status.FAILED,
                                        error=f"{type(exc).__name__}: {exc}"[:2000])
        except DatabaseError:  # the database itself is what failed: the log is all there is
            log.exception("metrics recompute for %s: the failure could not be recorded", day)
        raise


@transaction.atomic
def _recompute(*, day, trigger, started, t0) -> RecomputeResult:
    _serialise_recomputes()
    latest = AccountSnapshot.objects.aggregate(m=Max("day"))["m"]
    is_latest = latest is None or day >= latest
    if is_latest:
        account_services.revenue_recompute(today=day)
    failures: list[AccountFailure] = []
    estimates: list[retention.Estimate] = []
    snapshots = snapshots_compute(day=day, failures=failures, estimates=estimates)
    accounts = len(snapshots) + len(failures)
    written = snapshots_save(snapshots, failures)
    if is_latest:
        accounts_write_latest(day=day)
    seconds = time.monotonic() - t0
    run = RecomputeRun.objects.create(
        day=day, started_at=started, finished_at=timezone.now(), accounts=accounts, snapshots_written=written,
        seconds=seconds, trigger=trigger[:40],
        status=RecomputeRun.Status.PARTIAL if failures else RecomputeRun.Status.OK,
        failed_accounts=len(failures), error="\n".join(str(f) for f in failures[:20])[:2000])
    retention_estimates_save(run=run, estimates=estimates, min_sample=ProgrammeSettings.current().retention_min_sample)
    if failures:
        log.error("metrics recompute for %s: %d of %d accounts failed", day, len(failures), accounts)
    log.info("metrics recompute for %s: %d accounts in %.2f s", day, accounts, seconds)
    return RecomputeResult(day=day, accounts=accounts, snapshots=written, seconds=seconds, run=run)


def retention_estimates_save(*, run: RecomputeRun, estimates: list[retention.Estimate], min_sample: int) -> int:
    """Keep the run's observed retention with its sample sizes (shown on the programme dashboard)."""
    rows = [RetentionEstimate(run=run, day=run.day, segment=e.segment, value=e.value, sample=e.sample,
                              retained=e.retained, rate=e.rate or Decimal(0), used=e.sample >= min_sample)
            for e in estimates]
    RetentionEstimate.objects.bulk_create(rows)
    return len(rows)


def recompute_request(*, actor):
    """The programme lead asks for today's figures now (after changing the settings, say) instead of
    waiting for the night: recorded in the outbox (kam.tasks.enqueue), or run when this transaction
    commits on the embedded default (None then)."""
    from django.utils.translation import gettext as _

    from .scheduling import recompute_schedule

    if not actor.has_perm("accounts.manage_programme"):
        raise Forbidden(_("Only the programme lead recomputes the figures."))
    # A recompute already waiting for a burst of changes to end is brought forward rather than doubled.
    return recompute_schedule(trigger="lead", delay=datetime.timedelta(0))


# --- Programme settings --------------------------------------------------------------------------------
SETTINGS_FIELDS = (
    "key_account_cap", "attractiveness_threshold", "strength_threshold", "clv_retention", "clv_discount",
    "retention_at_health_0", "retention_at_health_100", "weight_engagement", "weight_service", "weight_plan",
    "weight_sponsor", "weight_satisfaction", "sponsor_visit_days", "plan_review_days", "plan_stale_days",
    "weight_commercial", "key_account_grace_days", "currency",
    "clv_retention_mode", "retention_min_sample", "pareto_basis",
)
THRESHOLDS = {"attractiveness_threshold", "strength_threshold"}
# Settings no snapshot is computed from: changing only these asks for no recompute.
NOT_IN_FIGURES = {"key_account_cap", "plan_review_days", "plan_stale_days"}
RATES = ("clv_retention", "retention_at_health_0", "retention_at_health_100")


@transaction.atomic
def programme_settings_update(*, actor: User, expected_version, data: dict) -> ProgrammeSettings:
    """The lead's change to the programme's parameters, from the version the form showed (a save over
    someone else's change is refused with `Conflict`). Quadrants derive from the thresholds: when one
    moves, every account's quadrant is recomputed in the same transaction, so none is left stale.
    Health and CLV use the new values from the next recompute."""

    account_services.permission_require(actor=actor, perm="accounts.manage_programme")
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not programme settings")
    pk = ProgrammeSettings.current().pk
    settings = versioning.claim(ProgrammeSettings.objects.all(), pk, expected_version, SETTINGS_FIELDS)
    if not settings.history.exists():
        # The row was created by a migration, which leaves no history: record the values in force as the
        # baseline, so the first change shows what it changed from.
        ProgrammeSettings.history.bulk_history_create([settings], default_date=settings.updated_at)
    changed = {name for name, value in data.items() if getattr(settings, name) != value}
    if not changed:
        return settings
    for name in changed:
        setattr(settings, name, data[name])
    clean(settings)
    _rates_require(settings)
    versioning.bump(settings)
    settings._history_user = actor
    settings.save()
    if changed & THRESHOLDS:
        account_services.quadrants_recompute()
    if "pareto_basis" in changed:
        # The classes are selection evidence: they follow the new basis now, not at the next recompute.
        account_services.revenue_recompute()
    if changed - NOT_IN_FIGURES:
        from .scheduling import recompute_schedule

        recompute_schedule(trigger="settings")
    return settings


def _rates_require(settings: ProgrammeSettings) -> None:
    """Every retention the CLV may use must satisfy 0 ≤ r < 1 + d (formulas.validate_clv_rates), or the
    lifetime value is infinite or negative; checked here too, for callers other than the form."""
    from django.utils.translation import gettext as _

    errors: dict[str | None, list[str]] = {}
    if settings.clv_discount <= -1:
        errors["clv_discount"] = [_("The discount rate must be greater than −1.")]
    else:
        for name in RATES:
            try:
                formulas.validate_clv_rates(getattr(settings, name), settings.clv_discount)
            except ValueError:
                errors[name] = [rate_message(settings.clv_discount)]
    if errors:
        raise Invalid(_("The retention rates must be at least 0 and lower than 1 + the discount rate."),
                      errors=errors)


def rate_message(discount) -> str:
    """The one message for a retention outside 0 ≤ r < 1 + d, in the form and in the service."""
    from django.utils.translation import gettext as _

    return _("Must be at least 0 and lower than 1 + the discount rate (%(limit)s), or the lifetime value "
             "would be infinite.") % {"limit": 1 + discount}
