"""The programme's dashboard and the programme settings' change log."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Field
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.models import Account, Quadrant, Tier, TierDecision
from kam import datastamps
from kam.models import ProgrammeSettings
from kam.tones import TIER_CHART_COLOURS

from .. import formulas
from ..models import AccountSnapshot
from .common import (
    key_account_gaps,
    latest_snapshot_day,
    metrics_freshness,
)
from .retention import retention_latest

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
            "retention": SimpleLazyObject(retention_latest),
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
    whale = _thinned_with_peak(formulas.whale_curve(r["contribution_12m"] for r in rows))
    losing = [r["contribution_12m"] for r in rows if r["contribution_12m"] < 0]
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
        "whale_chart": _whale_axis(curve(whale, _("Cumulative contribution (%)"))),
        "losing_count": len(losing), "losing_total": sum(losing, Decimal("0")),
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


def _thinned_with_peak(points: list) -> list:
    """The whale curve thinned for the chart, keeping its peak: the most profitable accounts' share of
    the total, the one figure the curve exists to show, must not fall between two kept points."""
    thinned = formulas.downsample(points)
    if not points:
        return thinned
    peak = max(points, key=lambda p: p[1])
    if peak not in thinned:
        thinned = sorted([*thinned, peak], key=lambda p: p[0])
    return thinned


def _whale_axis(chart: dict) -> dict:
    # A portfolio that loses money overall ends below zero: the axis must show it, not clip it at 0.
    y = chart["options"]["scales"]["y"]
    y.pop("min", None)
    y["suggestedMin"] = 0
    return chart


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
