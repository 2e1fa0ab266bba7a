"""What the dashboards share: formulas shown, freshness of the figures, trends, and the
lists' columns. Every function here costs a fixed number of queries whatever the data size."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Account, Tier
from planning import selectors as planning_selectors

from ..models import AccountSnapshot, RecomputeRun

# The formula behind each figure, shown next to it.
FORMULAS = {
    "contribution": _("Contribution = revenue − cost of goods − cost to serve"),
    "cost_to_serve": _("Cost to serve = recorded cost to serve + incident costs + touchpoint costs"),
    "yoy": _("Growth = (revenue 12m − revenue previous 12m) ÷ revenue previous 12m"),
    "clv": _("CLV = m · r ÷ (1 + d − r), m = 12-month contribution (Gupta & Lehmann)"),
    "clv_risk": _("Risk-adjusted CLV: r(h) = r₀ + (r₁₀₀ − r₀) · health ÷ 100 in the CLV formula "
                  "(after Ryals & Knox)"),
    "health": _("Health = Σ weight × component ÷ Σ weight, over the measured components"),
}

COMPONENTS = (
    ("engagement", _("Engagement"), _("Touchpoints in the last 90 days and how many of our departments took part")),
    ("service", _("Service"), _("Open incidents and SLA breaches in the last 90 and 180 days")),
    ("plan", _("Plan"), _("Current plan agreed with the client, its completeness, commitments kept on time")),
    ("sponsor", _("Sponsor"), _("Executive sponsor visit within the programme's cadence")),
    ("satisfaction", _("Satisfaction"), _("Latest client feedback score and the gap with our own rating")),
    ("commercial", _("Commercial trajectory"),
     _("12-month revenue and contribution against the previous 12 months; months since the last purchase")),
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


def _commitment_columns(qs):
    """Only what the dashboards' lists show: the selectors' other joins (owner, department, contact) and
    wide columns cost more to build than the rest of the list."""
    return (qs.select_related(None).select_related("plan__account")
            .only("plan_id", "description", "status", "due_date", "plan__account__name"))


def _incident_columns(qs):
    return (qs.select_related(None).select_related("account")
            .only("account_id", "title", "severity", "status", "ack_breached_at", "resolve_breached_at",
                  "account__name"))
