"""Reads on plans: the access-scoped getters, the lists of an account's plans and negotiations, the flags
of plans needing attention, and their history."""

import datetime

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam.models import ProgrammeSettings

from ..models import AccountPlan, Commitment, CommitmentStatus, KnowledgeTask, Negotiation, Party, PlanStatus

OPEN_COMMITMENT = (CommitmentStatus.OPEN, CommitmentStatus.AT_RISK)


def plan_get_for_user(user, pk) -> AccountPlan:
    """The plan if `user` may read it, else 404 (a 404, not a 403, does not even confirm that the plan
    exists). Readers are the account's plan readers (`planning.view_plan`) and the plan's participants:
    people asked to act on it (own one of its commitments or open knowledge tasks, or may sign off one
    of its departments), who must be able to open what they are asked about. `plan.commercial` says whether the user may
    also read its commercial content (opportunity values, value amounts, negotiations)."""
    plan = get_object_or_404(AccountPlan.objects.select_related("account__kam", "account__sponsor", "owner"),
                             pk=pk)
    if not (user.has_perm("planning.view_plan", plan.account) or is_participant(user, plan)):
        raise Http404
    plan.commercial = user.has_perm("accounts.view_commercial", plan.account)
    return plan


def negotiation_get_for_user(user, pk) -> Negotiation:
    """Negotiation preparation (BATNA, limits) is commercial: only its readers see it at all."""
    neg = get_object_or_404(Negotiation.objects.select_related("account__kam", "account__sponsor", "plan"),
                            pk=pk)
    if not (user.has_perm("planning.view_plan", neg.account) and user.has_perm("accounts.view_commercial",
                                                                                 neg.account)):
        raise Http404
    return neg


def is_participant(user, plan) -> bool:
    """Owns one of the plan's commitments or open knowledge tasks, or is a named signer of a department
    that owns one of ours: asked to act on the plan (and shown it in My work), they must be able to open it."""
    if not user.is_authenticated:
        return False
    return (plan.commitments.filter(Q(owner_id=user.pk) | Q(party=Party.US, department__signers=user.pk)).exists()
            or plan.tasks.filter(owner_id=user.pk, done=False).exists())


def account_for_planning(user, pk) -> Account:
    """The account, if its plans are visible to `user` (404 otherwise, as for plans)."""
    account = get_object_or_404(accounts_visible_to(user, include_archived=True), pk=pk)
    if not user.has_perm("planning.view_plan", account):
        raise Http404
    return account


def with_flags(qs: QuerySet, *, today=None, stale_days=None) -> QuerySet:
    """Annotate `is_stale` (no edit for the programme's plan_stale_days), `review_due` (next review
    date reached) and `past_period` (period over but not closed). Closed plans carry no flags."""
    today = today or timezone.localdate()
    if stale_days is None:
        stale_days = ProgrammeSettings.current().plan_stale_days
    stale_before = timezone.now() - datetime.timedelta(days=stale_days)
    open_plan = ~Q(status=PlanStatus.CLOSED)

    def flag(q):
        return Case(When(open_plan & q, then=Value(True)), default=Value(False), output_field=BooleanField())

    return qs.annotate(
        is_stale=flag(Q(updated_at__lt=stale_before)),
        review_due=flag(Q(next_review_date__lte=today)),
        past_period=flag(Q(period_end__lt=today)),
    )


def plan_flags(plan, *, today=None, stale_days=None) -> dict:
    """The same flags for one plan already in memory (no query when `stale_days` is given)."""
    today = today or timezone.localdate()
    if stale_days is None:
        stale_days = ProgrammeSettings.current().plan_stale_days
    is_open = plan.status != PlanStatus.CLOSED
    days = (timezone.now() - plan.updated_at).days
    return {
        "days_since_edit": days,
        "is_stale": is_open and days >= stale_days,
        "review_due": is_open and plan.next_review_date is not None and plan.next_review_date <= today,
        "past_period": is_open and plan.period_end < today,
    }


def plans_for_account(account) -> QuerySet[AccountPlan]:
    return with_flags(account.plans.select_related("owner").order_by("-period_start", "-pk"))


def current_plan(account) -> AccountPlan | None:
    """The plan in force: the latest open one whose period has started, else the latest of all."""
    today = timezone.localdate()
    qs = plans_for_account(account)
    return (qs.exclude(status=PlanStatus.CLOSED).filter(period_start__lte=today).first()
            or qs.first())


def plans_needing_attention(accounts_qs) -> QuerySet[AccountPlan]:
    """Contract: open plans of `accounts_qs` that are stale, due for review or past their period,
    with those three flags annotated, worst first."""
    qs = with_flags(AccountPlan.objects.filter(account__in=accounts_qs).exclude(status=PlanStatus.CLOSED)
                    .select_related("account", "owner"))
    return qs.filter(Q(is_stale=True) | Q(review_due=True) | Q(past_period=True)).order_by(
        "period_end", "updated_at")


def commitments_due(user=None, accounts_qs=None, within_days: int = 14) -> QuerySet[Commitment]:
    """Contract: open or at-risk commitments due within `within_days` (or already overdue), plus those
    marked missed, of open plans; owned by `user` and/or on `accounts_qs`. `overdue` is annotated."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    qs = (Commitment.objects.exclude(plan__status=PlanStatus.CLOSED)
          .filter(Q(status__in=OPEN_COMMITMENT, due_date__lte=horizon) | Q(status=CommitmentStatus.MISSED))
          .select_related("plan__account", "department", "owner", "contact"))
    if user is not None:
        qs = qs.filter(owner=user)
    if accounts_qs is not None:
        qs = qs.filter(plan__account__in=accounts_qs)
    return qs.annotate(overdue=ExpressionWrapper(Q(due_date__lt=today) & Q(status__in=OPEN_COMMITMENT),
                                                 output_field=BooleanField())).order_by("due_date", "pk")


def knowledge_tasks_of(user) -> QuerySet[KnowledgeTask]:
    """Contract: knowledge tasks not done that `user` owns, on open plans, soonest due first (undated
    last)."""
    return (KnowledgeTask.objects.filter(owner=user, done=False).exclude(plan__status=PlanStatus.CLOSED)
            .select_related("plan__account").order_by(F("due_date").asc(nulls_last=True), "pk"))


def knowledge_tasks_due(*, today: datetime.date) -> QuerySet[KnowledgeTask]:
    """Knowledge tasks not done, with an active owner, due today or earlier, on open plans."""
    return (KnowledgeTask.objects.filter(done=False, due_date__lte=today, owner__is_active=True)
            .exclude(plan__status=PlanStatus.CLOSED).select_related("plan__account", "owner")
            .order_by("due_date", "pk"))


def commitments_at_risk(accounts_qs) -> QuerySet[Commitment]:
    """Contract: commitments of open plans marked at risk or missed, or open past their due date."""
    today = timezone.localdate()
    return (Commitment.objects.filter(plan__account__in=accounts_qs).exclude(plan__status=PlanStatus.CLOSED)
            .filter(Q(status__in=(CommitmentStatus.AT_RISK, CommitmentStatus.MISSED))
                    | Q(status=CommitmentStatus.OPEN, due_date__lt=today))
            .select_related("plan__account", "department", "owner", "contact").order_by("due_date", "pk"))


def plan_history(plan, limit: int | None = None):
    """The plan's own history records, newest first, with who made them."""
    qs = plan.history.select_related("history_user").order_by("-history_date", "-history_id")
    return qs[:limit] if limit else qs


def commitment_history(plan):
    return (Commitment.history.filter(plan_id=plan.pk).select_related("history_user")
            .order_by("-history_date", "-history_id"))


def negotiations_for_account(account) -> QuerySet[Negotiation]:
    return account.negotiations.select_related("plan", "created_by").order_by("-created_at")


def agreed_plans_in_force(*, today=None) -> QuerySet[AccountPlan]:
    """Contract: plans agreed with the client (and not reopened since) whose period covers `today`."""
    today = today or timezone.localdate()
    return AccountPlan.objects.filter(status=PlanStatus.AGREED, period_start__lte=today, period_end__gte=today)
