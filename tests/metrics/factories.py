"""Builders for the rows metrics reads from the other apps, with explicit dates and costs."""

import datetime
from decimal import Decimal

from django.utils import timezone

from planning.models import AccountPlan, Commitment
from tests.factories import FinancialRecordFactory, department
from touchpoints.models import ClientFeedback, PartnershipRating, ServiceIncident, Touchpoint


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def month_start(months_back: int, today=None) -> datetime.date:
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def financial_year(account, *, revenue="10000", cogs="6000", cts="1000", months=range(1, 13)):
    """One record per complete month `months` back from the current month (1 = last month)."""
    for m in months:
        FinancialRecordFactory(account=account, month=month_start(m), revenue=Decimal(revenue),
                               cost_of_goods=Decimal(cogs), cost_to_serve=Decimal(cts))


def touchpoint(account, *, ago=35, dept="sales", kind="commercial", cost="0", by=None):
    return Touchpoint.objects.create(account=account, occurred_at=days_ago(ago), department=department(dept),
                                     kind=kind, summary="Reunión de seguimiento", cost=Decimal(cost),
                                     created_by=by)


def incident(account, *, ago=40, cost="0", status="open", ack_breached_ago=None, resolved_ago=None):
    opened = days_ago(ago)
    return ServiceIncident.objects.create(
        account=account, opened_at=opened, title="Retraso en la entrega", category="delivery",
        severity="high", status=status, cost=Decimal(cost), ack_due_at=opened + datetime.timedelta(hours=4),
        resolve_due_at=opened + datetime.timedelta(hours=48),
        ack_breached_at=days_ago(ack_breached_ago) if ack_breached_ago is not None else None,
        resolved_at=days_ago(resolved_ago) if resolved_ago is not None else None)


def plan(account, *, status="agreed", pct=60, owner=None):
    today = timezone.localdate()
    p = AccountPlan.objects.create(account=account, period_start=today - datetime.timedelta(days=100),
                                   period_end=today + datetime.timedelta(days=265), status=status,
                                   owner=owner, next_review_date=today + datetime.timedelta(days=30))
    AccountPlan.objects.filter(pk=p.pk).update(pct_conocimiento=pct, pct_vision=pct, pct_compromiso=pct)
    return p


def commitment(p, *, due_ago, status="open", delivered_ago=None, owner=None):
    today = timezone.localdate()
    return Commitment.objects.create(
        plan=p, party="us", department=department("operations"), owner=owner, description="Entrega semanal",
        due_date=today - datetime.timedelta(days=due_ago), status=status,
        delivered_on=today - datetime.timedelta(days=delivered_ago) if delivered_ago is not None else None)


def feedback(account, score, *, ago=10):
    return ClientFeedback.objects.create(account=account, score=score,
                                         received_on=timezone.localdate() - datetime.timedelta(days=ago))


def rating(account, score, *, ago=10):
    return PartnershipRating.objects.create(account=account, score=score,
                                            rated_on=timezone.localdate() - datetime.timedelta(days=ago))
