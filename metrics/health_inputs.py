"""What the health components need beyond the recompute's base aggregates: whether engagement,
service and plan are measured at all, and the commercial trajectory's inputs. Two set-based queries
(one over the financials, one over the accounts with correlated subqueries), whatever the data size."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, FinancialRecord, Tier, TierDecision
from kam.models import ProgrammeSettings
from planning.models import AccountPlan
from touchpoints.models import ServiceIncident, Touchpoint

from . import formulas

if TYPE_CHECKING:
    from .services import Window

MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
ZERO_MONEY = Value(Decimal("0"), output_field=MONEY)


def commercial_inputs(w: "Window") -> dict:
    """Per account: the finance-recorded contribution of the last 12 complete months and of the 12
    before (the trend compares like with like: the platform's own incident and touchpoint costs exist
    only from when it was in use), the newest month with revenue, and the records in 24 months."""
    in_12 = Q(month__gte=w.start_12, month__lt=w.month0)
    in_prev = Q(month__gte=w.start_24, month__lt=w.start_12)
    margin = F("revenue") - F("cost_of_goods") - F("cost_to_serve")
    rows = (FinancialRecord.objects.filter(month__gte=w.start_24, month__lt=w.month0)
            .values("account_id")
            .annotate(margin=Coalesce(Sum(margin, filter=in_12, output_field=MONEY), ZERO_MONEY),
                      margin_prev=Coalesce(Sum(margin, filter=in_prev, output_field=MONEY), ZERO_MONEY),
                      last_purchase=Max("month", filter=Q(revenue__gt=0)), n24=Count("id")))
    return {r["account_id"]: r for r in rows}


def health_context(w: "Window") -> dict:
    """Per account, what decides whether engagement, service and plan are measured: any touchpoint or
    incident ever recorded, a touchpoint older than the service window, the newest promotion to key,
    and a plan agreed for a period that starts after the day (the next period)."""
    nxt = (AccountPlan.objects.filter(account=OuterRef("pk"), period_start__gt=w.day, status="agreed")
           .order_by("period_start", "pk"))
    rows = Account.objects.filter(archived_at__isnull=True).annotate(
        touchpoints_ever=Exists(Touchpoint.objects.filter(account=OuterRef("pk"), occurred_at__lt=w.end)),
        incidents_ever=Exists(ServiceIncident.objects.filter(account=OuterRef("pk"), opened_at__lt=w.end)),
        recorded_over_window=Exists(Touchpoint.objects.filter(
            account=OuterRef("pk"), occurred_at__lt=w.days_ago(formulas.SERVICE_WINDOW_DAYS))),
        promoted_at=Subquery(TierDecision.objects.filter(account=OuterRef("pk"), to_tier=Tier.KEY,
                                                         decided_at__lt=w.end)
                             .order_by("-decided_at", "-pk").values("decided_at")[:1]),
        next_plan_completeness=Subquery(
            nxt.annotate(c=(F("pct_conocimiento") + F("pct_vision") + F("pct_compromiso")) / 3).values("c")[:1]),
        next_plan_agreed=Exists(nxt),
    ).values("id", "touchpoints_ever", "incidents_ever", "recorded_over_window", "promoted_at",
             "next_plan_agreed", "next_plan_completeness")
    return {r["id"]: r for r in rows}


def health_components(a: dict, tp: dict, inc: dict, com: dict, hc: dict, cm: dict, s: ProgrammeSettings,
                      w: "Window", days_since_visit: int | None) -> dict[str, int | None]:
    """The six health components of one account (None = not measured; the rules in `formulas`)."""
    has_plan = a.get("plan_status") is not None or bool(hc.get("next_plan_agreed"))
    promoted = hc.get("promoted_at")
    days_as_key = None if promoted is None else (w.day - timezone.localdate(promoted)).days
    months_since = commercial_months_since(cm, w)
    return {
        "engagement": formulas.engagement_measured(tp.get("n90", 0), tp.get("depts90", 0), has_plan=has_plan,
                                                   touchpoints_ever=bool(hc.get("touchpoints_ever"))),
        "service": formulas.service_measured(inc.get("open", 0), inc.get("b90", 0), inc.get("b180", 0),
                                             incidents_ever=bool(hc.get("incidents_ever")),
                                             recorded_over_window=bool(hc.get("recorded_over_window"))),
        "plan": formulas.plan_score_with_grace(
            a.get("plan_status"), a.get("plan_completeness"), com.get("due", 0), com.get("kept", 0),
            a["tier"] == "key", next_status="agreed" if hc.get("next_plan_agreed") else None,
            next_completeness=hc.get("next_plan_completeness"), days_as_key=days_as_key,
            grace_days=s.key_account_grace_days),
        "sponsor": formulas.sponsor_score(a["sponsor_id"] is not None, days_since_visit, s.sponsor_visit_days),
        "satisfaction": formulas.satisfaction_score(a.get("feedback"), a.get("our_rating")),
        "commercial": formulas.commercial_score(
            cm.get("rev", Decimal("0")), cm.get("rev_prev", Decimal("0")), cm.get("margin", Decimal("0")),
            cm.get("margin_prev", Decimal("0")),
            months_since, bool(cm.get("n24"))),
    }


def commercial_months_since(cm: dict, w: "Window") -> int | None:
    """Complete months since the last month with revenue (0 = it bought last month); None = never."""
    last = cm.get("last_purchase")
    return None if last is None else formulas.months_between(last, w.month0) - 1


def commercial_inputs_recorded(cm: dict, w: "Window") -> dict | None:
    """The commercial component's inputs as the snapshot records them (JSON: decimals as text), so the
    panel shows what its score was computed from; None when it is not measured."""
    if not cm.get("n24"):
        return None
    return {"revenue_12m": str(cm.get("rev", 0)), "revenue_prev_12m": str(cm.get("rev_prev", 0)),
            "contribution_12m": str(cm.get("margin", 0)), "contribution_prev_12m": str(cm.get("margin_prev", 0)),
            "months_since_purchase": commercial_months_since(cm, w)}
