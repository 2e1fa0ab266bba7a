"""The recompute's inputs: one set-based aggregate per source table over the window of a day."""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account, FinancialRecord
from planning.models import AccountPlan, Commitment
from touchpoints.models import ClientFeedback, PartnershipRating, ServiceIncident, Touchpoint

from ..selectors import add_months

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
