"""The account panel's figures: five queries whatever the history's length."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import FinancialRecord
from kam.models import ProgrammeSettings
from touchpoints.models import ServiceIncident, Touchpoint

from .. import formulas
from ..models import AccountSnapshot
from ..parameters import health_weights, parameters_changed, recorded_weights
from .common import (
    COMPONENTS,
    FORMULAS,
    add_months,
)


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
    components: list[dict] = []
    reproduction: dict = {}
    if snapshot is not None:
        components, reproduction = snapshot_explained(snapshot, ProgrammeSettings.current())
    return {"snapshot": snapshot, "rows": list(reversed(rows)), "components": components, **reproduction,
            "trend_chart": trend_chart, "cts_chart": cts_chart, "health_chart": health_chart,
            "formulas": FORMULAS,
            "months_with_records": sum(1 for r in rows if r["has_record"])}


def snapshot_explained(snapshot: AccountSnapshot, settings: ProgrammeSettings) -> tuple[list[dict], dict]:
    """The snapshot's components beside the weights it was computed with, the health recomputed from
    exactly those (equal to the stored health: the panel is reproducible), the settings changed since,
    and the risk-adjusted CLV's difference from the CLV. A snapshot from before weights were recorded
    shows today's weights and says so. No query: `settings` is passed in."""
    recorded = bool(snapshot.parameters)
    weights = recorded_weights(snapshot.parameters) if recorded else health_weights(settings)
    components = []
    for key, label, help_text in COMPONENTS:
        components.append({"key": key, "label": label, "help": help_text,
                           "score": getattr(snapshot, f"health_{key}"), "weight": weights.get(key, Decimal(0))})
    scores = {c["key"]: c["score"] for c in components}
    effect = None
    if snapshot.clv is not None and snapshot.clv_risk_adjusted is not None:
        delta, share = formulas.clv_health_effect(snapshot.clv, snapshot.clv_risk_adjusted)
        effect = {"delta": abs(delta), "pct": None if share is None else abs(share) * 100,
                  "direction": "up" if delta > 0 else "down" if delta < 0 else "none",
                  # The rate this account's CLV used (observed for its segment, or the setting).
                  "base_retention": (snapshot.clv_retention if snapshot.clv_retention is not None
                                     else (snapshot.parameters or {}).get("clv_retention"))}
    return components, {
        "weights_recorded": recorded,
        "health_reproduced": formulas.health_from(scores, weights),
        "measured_weight": sum((c["weight"] for c in components if c["score"] is not None), Decimal(0)),
        "settings_changed": [getattr(ProgrammeSettings._meta.get_field(n), "verbose_name", n)
                             for n in parameters_changed(snapshot.parameters, settings)],
        "clv_effect": effect,
        "commercial_detail": _commercial_detail((snapshot.parameters or {}).get("commercial_inputs")),
    }


def _commercial_detail(inputs: dict | None) -> dict | None:
    """The commercial component's score worked out from the inputs its snapshot recorded."""
    if not inputs:
        return None
    rev, rev_prev = Decimal(inputs["revenue_12m"]), Decimal(inputs["revenue_prev_12m"])
    con, con_prev = Decimal(inputs["contribution_12m"]), Decimal(inputs["contribution_prev_12m"])
    months = inputs.get("months_since_purchase")
    late = 0 if months is None else max(months - formulas.COMMERCIAL_RECENCY_FREE_MONTHS, 0)
    return {"revenue": rev, "revenue_prev": rev_prev, "revenue_points": formulas.trend_points(rev, rev_prev),
            "contribution": con, "contribution_prev": con_prev,
            "contribution_points": formulas.trend_points(con, con_prev), "months_since": months,
            "penalty": formulas.COMMERCIAL_RECENCY_PENALTY * late}
