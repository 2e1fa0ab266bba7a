"""Reads for the dashboards and the account panel. Every function here costs a fixed number of
queries whatever the data size (the dashboards' budgets are pinned by tests)."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, Field, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Account, FinancialRecord, Quadrant, Tier, TierDecision
from kam import datastamps
from kam import selectors as kam_selectors
from kam.models import ProgrammeSettings
from kam.tones import TIER_CHART_COLOURS
from planning import selectors as planning_selectors
from touchpoints import selectors as touchpoint_selectors
from touchpoints.models import ServiceIncident, Touchpoint

from . import formulas
from .models import AccountSnapshot, RecomputeRun

# The formula behind each figure, shown next to it.
FORMULAS = {
    "contribution": _("Contribution = revenue − cost of goods − cost to serve"),
    "cost_to_serve": _("Cost to serve = recorded cost to serve + incident costs + touchpoint costs"),
    "yoy": _("Growth = (revenue 12m − revenue previous 12m) ÷ revenue previous 12m"),
    "clv": _("CLV = m · r ÷ (1 + d − r), m = 12-month contribution (Gupta & Lehmann)"),
    "clv_risk": _("Risk-adjusted CLV: r(h) = r₀ + (r₁₀₀ − r₀) · health ÷ 100 in the CLV formula "
                  "(after Ryals & Knox)"),
    "health": _("Health = Σ weight × component ÷ Σ weight, over the components with data"),
}

COMPONENTS = (
    ("engagement", _("Engagement"), _("Touchpoints in the last 90 days and how many of our departments took part")),
    ("service", _("Service"), _("Open incidents and SLA breaches in the last 90 and 180 days")),
    ("plan", _("Plan"), _("Current plan agreed with the client, its completeness, commitments kept on time")),
    ("sponsor", _("Sponsor"), _("Executive sponsor visit within the programme's cadence")),
    ("satisfaction", _("Satisfaction"), _("Latest client feedback score and the gap with our own rating")),
)

TREND_DAYS = 30
# With no successful recompute for this long the figures are reported stale (dashboard, /healthz).
METRICS_STALE_AFTER = datetime.timedelta(hours=36)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def latest_snapshot_day() -> datetime.date | None:
    return AccountSnapshot.objects.aggregate(d=Max("day"))["d"]


def latest_run() -> RecomputeRun | None:
    """The latest recompute that produced figures (a failed one produced none)."""
    return (RecomputeRun.objects.exclude(status=RecomputeRun.Status.FAILED)
            .order_by("-finished_at", "-pk").first())


@dataclass(frozen=True)
class Freshness:
    """How current the figures are. `state`: "ok"; "partial" (the last run left some accounts out);
    "stale" (the last run failed, or none has succeeded for METRICS_STALE_AFTER); "never"."""

    state: str
    last_good: RecomputeRun | None = None
    last_failed: RecomputeRun | None = None

    @property
    def stale(self) -> bool:
        return self.state == "stale"

    @property
    def since(self) -> datetime.datetime | None:
        """When the figures shown were computed."""
        return self.last_good.finished_at if self.last_good else None

    def describe(self) -> str:
        """For /healthz: "ok", "partial: N accounts failed", "stale since <ISO time>", "never computed"."""
        if self.state == "stale" and self.since:
            return f"stale since {timezone.localtime(self.since).isoformat(timespec='seconds')}"
        if self.state == "partial" and self.last_good is not None:
            return f"partial: {self.last_good.failed_accounts} accounts failed"
        return {"ok": "ok"}.get(self.state, "never computed")


def metrics_freshness(now: datetime.datetime | None = None) -> Freshness:
    """One query when the latest run went well, two after a failure."""
    now = now or timezone.now()
    latest = RecomputeRun.objects.order_by("-finished_at", "-pk").first()
    if latest is None:
        return Freshness("never")
    failed = latest if latest.status == RecomputeRun.Status.FAILED else None
    good = latest_run() if failed else latest
    if good is None:
        return Freshness("never", last_failed=failed)
    assert good.finished_at is not None  # a run is recorded when it has finished
    if failed or good.finished_at < now - METRICS_STALE_AFTER:
        return Freshness("stale", good, failed)
    return Freshness("partial" if good.status == RecomputeRun.Status.PARTIAL else "ok", good)


def _with_latest(qs, day):
    """Annotate accounts with their snapshot on `day` and the health/CLV of the closest snapshot at
    least TREND_DAYS earlier (for the trend arrows): correlated subqueries on the (account, day) index."""
    snap = AccountSnapshot.objects.filter(account=OuterRef("pk"), day=day).order_by()
    before = day - datetime.timedelta(days=TREND_DAYS) if day else datetime.date.min
    prev = AccountSnapshot.objects.filter(account=OuterRef("pk"), day__lte=before).order_by("-day")
    return qs.annotate(
        snap_contribution=Subquery(snap.values("contribution_12m")[:1]),
        snap_clv_risk=Subquery(snap.values("clv_risk_adjusted")[:1]),
        snap_yoy=Subquery(snap.values("yoy_growth")[:1]),
        prev_health=Subquery(prev.values("health")[:1]),
        prev_clv=Subquery(prev.values("clv")[:1]),
    )


def trend(now, before) -> str:
    """'up', 'down', 'flat' or '' (nothing to compare with)."""
    if now is None or before is None:
        return ""
    if now > before:
        return "up"
    if now < before:
        return "down"
    return "flat"


def _decorate(accounts):
    for a in accounts:
        a.health_trend = trend(a.health_score, a.prev_health)
        a.clv_trend = trend(a.clv, a.prev_clv)
    return accounts


# --- KAM dashboard -------------------------------------------------------------------------------------
KAM_CHART_ACCOUNTS = 25

# The most urgent few; the incident queue has them all, with its filters.
KAM_INCIDENTS = 10


def kam_dashboard(user, page_number=None, query="") -> dict:
    """The KAM's accounts, a page at a time (a KAM may run hundreds), with the chart over all of them.
    The chart and the pager read one light list of every account; the snapshot subqueries run only for
    the page's rows. `query` is the request's query string: the cached table's page links carry it."""
    day = latest_snapshot_day()
    mine = Account.objects.active().filter(kam=user)
    light = list(mine.order_by("name").values_list("pk", "name", "tier", "health_score"))
    page = Paginator([row[0] for row in light], kam_selectors.PAGE_SIZE).get_page(page_number)
    order = {pk: i for i, pk in enumerate(page.object_list)}
    # The table and the lists are read only when their cached HTML is missing (see the `*_key`s).
    accounts = SimpleLazyObject(lambda: _decorate(sorted(_with_latest(mine.filter(pk__in=list(order)), day),
                                                         key=lambda a: order[a.pk])))
    plans = SimpleLazyObject(lambda: _plans_needing_attention(mine))
    gaps = SimpleLazyObject(lambda: key_account_gaps(mine))
    commitments = SimpleLazyObject(lambda: _commitments_due(user))
    incidents = SimpleLazyObject(lambda: _open_incidents(mine, limit=KAM_INCIDENTS + 1))
    # Key accounts first, weakest health first: what the KAM should look at; the table has them all.
    charted = sorted(light, key=lambda r: (r[2] != "key", r[3] is None, r[3] or 0, r[1]))[:KAM_CHART_ACCOUNTS]
    chart = {
        "type": "bar",
        "data": {"labels": [r[1] for r in charted],
                 "datasets": [{"label": str(_("Health")), "data": [r[3] for r in charted]}]},
        "options": {"indexAxis": "y", "scales": {"x": {"min": 0, "max": 100}}},
    }
    return {"day": day, "accounts": accounts, "page": page, "accounts_total": len(light),
            "charted": charted, "plans": plans, "commitments": commitments, "gaps": gaps,
            "incidents": SimpleLazyObject(lambda: incidents[:KAM_INCIDENTS]),
            "more_incidents": SimpleLazyObject(lambda: len(incidents) > KAM_INCIDENTS),
            "health_chart": chart,
            # What the cached parts (kam/datastamps.py) show besides what they read themselves.
            "accounts_vary": (user.pk, query, day, page.number, len(light)), "lists_vary": (user.pk,)}


GAPS_SHOWN = 50


def key_account_gaps(accounts_qs) -> list[Account]:
    """The key accounts of `accounts_qs` missing what a key account is run with: a plan agreed with the
    client and in force (`has_agreed_plan`), an executive sponsor (`sponsor_id`), a champion among the
    client's people (`has_champion`); the first GAPS_SHOWN by name. One query."""
    has_plan = Exists(planning_selectors.agreed_plans_in_force().filter(account=OuterRef("pk")))
    return list(accounts_qs.filter(tier=Tier.KEY, archived_at__isnull=True)
                .annotate(has_agreed_plan=has_plan, has_champion=account_selectors.has_champion())
                .filter(Q(has_agreed_plan=False) | Q(sponsor__isnull=True) | Q(has_champion=False))
                .order_by("name", "pk").only("pk", "name", "sponsor_id")[:GAPS_SHOWN])


def _plans_needing_attention(accounts_qs):
    return list(planning_selectors.plans_needing_attention(accounts_qs)[:50])


def _commitments_due(user):
    return list(_commitment_columns(planning_selectors.commitments_due(user=user, within_days=14))[:50])


def _commitment_columns(qs):
    """Only what the dashboards' lists show: the selectors' other joins (owner, department, contact) and
    wide columns cost more to build than the rest of the list."""
    return (qs.select_related(None).select_related("plan__account")
            .only("plan_id", "description", "status", "due_date", "plan__account__name"))


def _incident_columns(qs):
    return (qs.select_related(None).select_related("account")
            .only("account_id", "title", "severity", "status", "ack_breached_at", "resolve_breached_at",
                  "account__name"))


def _open_incidents(accounts_qs, limit=50):
    return list(_incident_columns(touchpoint_selectors.open_incidents(accounts_qs))[:limit])


# --- Sponsor dashboard ---------------------------------------------------------------------------------
SPONSOR_CHART_ACCOUNTS = 12
HISTORY_WEEKS = 52


def history_days(day: datetime.date | None, weeks: int = HISTORY_WEEKS) -> list[datetime.date]:
    """Weekly sample points ending on `day`: a year of history in 53 points per account."""
    if day is None:
        return []
    return [day - datetime.timedelta(weeks=w) for w in range(weeks, -1, -1)]




def sponsor_dashboard(user, page_number=None, query="") -> dict:
    """Like the KAM's: the table a page at a time, the charts over the largest accounts of all."""
    day = latest_snapshot_day()
    mine = Account.objects.active().filter(sponsor=user)
    light = [{"pk": pk, "name": name} for pk, name in mine.order_by("-revenue_12m", "name").values_list("pk", "name")]
    page = Paginator([row["pk"] for row in light], kam_selectors.PAGE_SIZE).get_page(page_number)
    order = {pk: i for i, pk in enumerate(page.object_list)}

    def page_accounts():
        accounts = _decorate(sorted(_with_latest(mine.filter(pk__in=list(order)).select_related("kam"), day),
                                    key=lambda a: order[a.pk]))
        visits = _sponsor_visits(mine.filter(pk__in=list(order)).only("created_at"))
        for a in accounts:
            a.visit = visits.get(a.pk)
        return accounts

    charted = light[:SPONSOR_CHART_ACCOUNTS]
    history = SponsorHistory(charted, day)
    # The table and the lists are read only when their cached HTML is missing (see the `*_key`s).
    return {
        "day": day, "page": page, "accounts_total": len(light), "charted": charted,
        # `history` reads the snapshots only when its cached part misses; the charted accounts and their
        # names were read here, so the part varies on them.
        "history_vary": (day, *((a["pk"], a["name"]) for a in charted)),
        "history": history,
        "accounts": SimpleLazyObject(page_accounts),
        "escalations": SimpleLazyObject(lambda: _escalations(user)),
        "at_risk": SimpleLazyObject(lambda: _commitments_at_risk(mine)),
        "feedback": SimpleLazyObject(lambda: _latest_feedback(mine)),
        "accounts_vary": (user.pk, query, day, page.number, len(light)), "lists_vary": (user.pk,),
    }


def _num(value):
    return None if value is None else float(value)


class SponsorHistory:
    """A year of weekly health and CLV of the charted accounts, as two line charts and a table. Each part
    is built on first use, so a page whose cached fragment hits never reads the snapshots."""

    def __init__(self, charted: list[dict], day: datetime.date | None):
        self.charted = charted
        self.days = history_days(day)
        self.table_days = self.days[::4]

    @cached_property
    def _series(self) -> dict:
        series: dict[int, dict[datetime.date, tuple]] = {}
        rows = (AccountSnapshot.objects.filter(account__in=[a["pk"] for a in self.charted], day__in=self.days)
                .order_by().values_list("account_id", "day", "health", "clv"))
        for pk, d, health, clv in rows:
            series.setdefault(pk, {})[d] = (health, clv)
        return series

    def _point(self, pk, d) -> tuple:
        return self._series.get(pk, {}).get(d, (None, None))

    def _chart(self, index: int, title, y_max=None) -> dict:
        datasets = [{"label": a["name"], "data": [_num(self._point(a["pk"], d)[index]) for d in self.days]}
                    for a in self.charted]
        options = {"scales": {"y": {"min": 0, "max": y_max}}} if y_max else {}
        return {"type": "line", "data": {"labels": [d.isoformat() for d in self.days], "datasets": datasets},
                "options": options, "title": str(title)}

    @cached_property
    def health_chart(self) -> dict:
        return self._chart(0, _("Health"), y_max=100)

    @cached_property
    def clv_chart(self) -> dict:
        return self._chart(1, _("CLV"))

    @cached_property
    def table(self) -> list[dict]:
        return [{"account": a, "points": [self._point(a["pk"], d) for d in self.table_days]}
                for a in self.charted]


def _sponsor_visits(accounts_qs) -> dict:
    """{account pk: {"last": datetime|None, "next_due": date|None, "overdue": bool}}."""
    return {row.account.pk: {"last": row.last_visit, "next_due": row.next_due, "overdue": row.overdue}
            for row in touchpoint_selectors.sponsor_visit_status(accounts_qs)}


def _escalations(user):
    return list(_incident_columns(touchpoint_selectors.escalations_for(user))[:20])


def _commitments_at_risk(accounts_qs):
    return list(_commitment_columns(planning_selectors.commitments_at_risk(accounts_qs))[:20])


def _latest_feedback(accounts_qs):
    """Accounts with their latest client score and our own rating, most recent feedback first."""
    return list(touchpoint_selectors.latest_feedback(accounts_qs.order_by().only("name"))
                .filter(feedback_score__isnull=False)  # type: ignore[misc]  # annotated by latest_feedback
                .order_by("-feedback_on", "name")[:20])


# --- Programme dashboard --------------------------------------------------------------------------------
HEALTH_BINS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 101))
PROGRAMME_TIER_CHANGES = 20
DISAGREEMENTS = 50


def programme_dashboard() -> dict:
    """The programme's overview. The heavy part (curves over every account, and their HTML) is cached until
    a table it reads is written (kam/datastamps.py): a recompute, a renamed or archived account, a new
    threshold."""
    freshness = metrics_freshness()
    run = freshness.last_good
    day = latest_snapshot_day()
    data = datastamps.cached("programme-charts", lambda: _programme_heavy(day), vary=(day,))
    s = ProgrammeSettings.current()
    year_start = timezone.make_aware(datetime.datetime(timezone.localdate().year, 1, 1))
    # The latest few, with only the columns shown; the selection page keeps the rest.
    changes = list(TierDecision.objects.filter(decided_at__gte=year_start)
                   .select_related("account", "decided_by")
                   .only("decided_at", "from_tier", "to_tier", "account__name", "decided_by__first_name",
                         "decided_by__last_name", "decided_by__username")
                   .order_by("-decided_at")[:PROGRAMME_TIER_CHANGES + 1])
    key_count = Account.objects.active().key().count()
    return {**data, "day": day, "run": run, "freshness": freshness, "settings": s,
            # The accounts app's one rule, on the accounts as they are now (not as of the last recompute),
            # so this list says what the selection and Pareto pages say. Read only when its cached HTML
            # is missing.
            "disagreements": SimpleLazyObject(lambda: list(account_selectors.tier_mismatches()[:DISAGREEMENTS])),
            "gaps": SimpleLazyObject(lambda: key_account_gaps(Account.objects.all())),
            "tier_changes": changes[:PROGRAMME_TIER_CHANGES],
            "more_tier_changes": len(changes) > PROGRAMME_TIER_CHANGES, "key_count": key_count,
            "cap": s.key_account_cap, "over_cap": key_count > s.key_account_cap,
            "cap_pct": min(100, round(100 * key_count / s.key_account_cap)) if s.key_account_cap else 100}


def _programme_heavy(day) -> dict:
    rows: list[Mapping[str, Any]] = list(AccountSnapshot.objects.filter(day=day, account__archived_at__isnull=True)
                .values("account_id", "account__name", "tier", "revenue_12m", "contribution_12m", "health",
                        "attractiveness", "strength", "quadrant", "pareto_class", "clv")) if day else []
    s = ProgrammeSettings.current()
    revenue_total = sum((r["revenue_12m"] for r in rows), Decimal("0"))
    contribution_total = sum((r["contribution_12m"] for r in rows), Decimal("0"))
    key_rows = [r for r in rows if r["tier"] == Tier.KEY]
    key_revenue = sum((r["revenue_12m"] for r in key_rows), Decimal("0"))
    key_contribution = sum((r["contribution_12m"] for r in key_rows), Decimal("0"))

    def share(part, total):
        return None if total <= 0 else float(round(100 * part / total, 1))

    pareto = formulas.downsample(formulas.pareto_curve(r["revenue_12m"] for r in rows))
    whale = formulas.downsample(formulas.whale_curve(r["contribution_12m"] for r in rows))
    bins = [0] * len(HEALTH_BINS)
    for r in key_rows:
        if r["health"] is None:
            continue
        for i, (lo, hi) in enumerate(HEALTH_BINS):
            if lo <= r["health"] < hi:
                bins[i] += 1
    bin_labels = [f"{lo}–{min(hi, 100)}" for lo, hi in HEALTH_BINS]
    matrix_rows = [r for r in rows if r["attractiveness"] is not None and r["strength"] is not None
                   and r["tier"] in (Tier.KEY, Tier.DEVELOPMENT)]
    matrix_rows.sort(key=lambda r: -r["revenue_12m"])
    max_rev = max((r["revenue_12m"] for r in matrix_rows), default=Decimal("0"))
    matrix_chart = {
        "type": "bubble",
        "data": {"datasets": [
            {"label": str(label),
             "backgroundColor": TIER_CHART_COLOURS[tier],
             "data": [{"x": float(r["strength"]), "y": float(r["attractiveness"]),
                       "r": account_selectors.bubble_radius(r["revenue_12m"], max_rev), "name": r["account__name"]}
                      for r in matrix_rows[:200] if r["tier"] == tier]}
            for tier, label in ((Tier.KEY, _("Key accounts")), (Tier.DEVELOPMENT, _("Development")))
        ]},
        "options": {"scales": account_selectors.portfolio_scales()},
        "thresholds": {"x": float(s.strength_threshold), "y": float(s.attractiveness_threshold)},
    }

    def curve(points, label):
        return {"type": "line",
                "data": {"datasets": [{"label": str(label), "data": [{"x": float(x), "y": float(y)} for x, y in points],
                                       "pointRadius": 0}]},
                "options": {"parsing": False, "scales": {
                    "x": {"type": "linear", "min": 0, "max": 100,
                          "title": {"display": True, "text": str(_("% of accounts"))}},
                    "y": {"min": 0, "title": {"display": True, "text": "%"}}}}}

    data = {
        "accounts_measured": len(rows),
        "revenue_total": revenue_total, "contribution_total": contribution_total,
        "key_revenue": key_revenue, "key_contribution": key_contribution,
        "key_revenue_share": share(key_revenue, revenue_total),
        "key_contribution_share": share(key_contribution, contribution_total),
        "pareto_chart": curve(pareto, _("Cumulative revenue (%)")),
        "whale_chart": curve(whale, _("Cumulative contribution (%)")),
        "pareto_table": _table_points(pareto), "whale_table": _table_points(whale),
        "whale_peak": max((float(y) for _x, y in whale), default=None),
        "health_chart": {"type": "bar", "data": {"labels": bin_labels, "datasets": [
            {"label": str(_("Key accounts")), "data": bins}]}, "options": {}},
        "health_bins": list(zip(bin_labels, bins, strict=True)),
        "matrix_chart": matrix_chart,
        "matrix_rows": [{"name": r["account__name"], "pk": r["account_id"], "tier": _label(Tier, r["tier"]),
                         "attractiveness": r["attractiveness"], "strength": r["strength"],
                         "quadrant": _label(Quadrant, r["quadrant"])} for r in matrix_rows[:50]],
    }
    # Their HTML is most of the page's rendering: made here, it is cached with the figures it shows.
    data["charts_html"] = render_to_string("metrics/_programme_charts.html", data)
    return data


def _table_points(points, every=10):
    """The curve read at each 10 % of accounts, for the table beside the chart."""
    out, next_mark = [], Decimal(every)
    for x, y in points:
        if x >= next_mark:
            out.append((float(round(x, 0)), float(round(y, 1))))
            next_mark += every
    return out


def _label(choices, code) -> str:
    """The choice's label in the current language ('' for a blank code), for cached rows."""
    try:
        return str(choices(code).label) if code else ""
    except ValueError:
        return code


# --- Account panel ---------------------------------------------------------------------------------------
def account_metrics(account, *, months: int = 24) -> dict:
    """The account's latest snapshot, its components, and 24 months of monthly figures with the cost to
    serve broken into its sources. Five queries whatever the history's length."""
    snapshot = AccountSnapshot.objects.filter(account=account).order_by("-day").first()
    # The complete months only, like the trailing figures: the running month is partial until closed.
    today = timezone.localdate()
    first = add_months(today.replace(day=1), -months)
    month_list = [add_months(first, i) for i in range(months)]
    fin = {r.month: r for r in FinancialRecord.objects.filter(account=account, month__gte=first)}
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    inc_costs = {timezone.localdate(r["m"]) if isinstance(r["m"], datetime.datetime) else r["m"]: r["c"]
                 for r in ServiceIncident.objects.filter(account=account, opened_at__gte=since)
                 .annotate(m=TruncMonth("opened_at")).values("m").annotate(c=Sum("cost"))}
    tp_costs = {timezone.localdate(r["m"]) if isinstance(r["m"], datetime.datetime) else r["m"]: r["c"]
                for r in Touchpoint.objects.filter(account=account, occurred_at__gte=since)
                .annotate(m=TruncMonth("occurred_at")).values("m").annotate(c=Sum("cost"))}
    zero = Decimal("0")
    rows: list[dict[str, Any]] = []
    for m in month_list:
        f = fin.get(m)
        revenue = f.revenue if f else zero
        cogs = f.cost_of_goods if f else zero
        recorded = f.cost_to_serve if f else zero
        inc = inc_costs.get(m) or zero
        tp = tp_costs.get(m) or zero
        cts = formulas.cost_to_serve(recorded, inc, tp)
        rows.append({"month": m, "revenue": revenue, "cost_of_goods": cogs, "recorded": recorded,
                     "incidents": inc, "touchpoints": tp, "cost_to_serve": cts,
                     "contribution": formulas.contribution(revenue, cogs, cts), "has_record": f is not None})
    health_days = [add_months(m, 1) - datetime.timedelta(days=1) for m in month_list]
    health_by_day = dict(AccountSnapshot.objects.filter(account=account, day__in=health_days)
                         .values_list("day", "health"))
    for r, d in zip(rows, health_days, strict=True):
        r["health"] = health_by_day.get(d)
    labels = [m.strftime("%Y-%m") for m in month_list]
    trend_chart = {
        "type": "bar",
        "data": {"labels": labels, "datasets": [
            {"type": "line", "label": str(_("Contribution")), "data": [float(r["contribution"]) for r in rows]},
            {"label": str(_("Revenue")), "data": [float(r["revenue"]) for r in rows]},
            {"label": str(_("Cost to serve")), "data": [float(r["cost_to_serve"]) for r in rows]},
        ]},
        "options": {},
    }
    cts_chart = {
        "type": "bar",
        "data": {"labels": labels, "datasets": [
            {"label": str(_("Recorded by finance")), "data": [float(r["recorded"]) for r in rows]},
            {"label": str(_("Incidents")), "data": [float(r["incidents"]) for r in rows]},
            {"label": str(_("Touchpoints")), "data": [float(r["touchpoints"]) for r in rows]},
        ]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }
    health_chart = {
        "type": "line",
        "data": {"labels": labels, "datasets": [
            {"label": str(_("Health")), "data": [health_by_day.get(d) for d in health_days], "spanGaps": True}]},
        "options": {"scales": {"y": {"min": 0, "max": 100}}},
    }
    components = []
    if snapshot is not None:
        s = ProgrammeSettings.current()
        for key, label, help_text in COMPONENTS:
            components.append({"key": key, "label": label, "help": help_text,
                               "score": getattr(snapshot, f"health_{key}"),
                               "weight": getattr(s, f"weight_{key}")})
    return {"snapshot": snapshot, "rows": list(reversed(rows)), "components": components,
            "trend_chart": trend_chart, "cts_chart": cts_chart, "health_chart": health_chart,
            "formulas": FORMULAS,
            "months_with_records": sum(1 for r in rows if r["has_record"])}


def programme_settings_history(limit: int = 20) -> list[dict]:
    """The settings' change log, newest first: who, when, and each field's old → new value."""
    records = list(ProgrammeSettings.history.select_related("history_user").order_by("-history_date", "-history_id")
                   [:limit + 1])
    out = []
    for i, rec in enumerate(records[:limit]):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if older is not None:
            for change in rec.diff_against(older, excluded_fields=["updated_at", "version"]).changes:
                field = ProgrammeSettings._meta.get_field(change.field)
                label = field.verbose_name if isinstance(field, Field) else change.field
                changes.append({"field": label, "old": change.old, "new": change.new})
        out.append({"when": rec.history_date, "who": rec.history_user, "type": rec.history_type,
                    "changes": changes})
    return out
