"""Reads on plans, access-scoped, with their joins applied. Dashboards (metrics) read plans only
through the functions marked "contract"."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.selectors import accounts_visible_to
from kam.models import ProgrammeSettings

from .models import AccountPlan, Commitment, CommitmentStatus, Negotiation, Party, PlanStatus

OPEN_COMMITMENT = (CommitmentStatus.OPEN, CommitmentStatus.AT_RISK)


def plan_get_for_user(user, pk) -> AccountPlan:
    """The plan if `user` may read it, else 404 (a 404, not a 403, does not even confirm that the plan
    exists). Readers are the account's plan readers (`planning.view_plan`) and the plan's participants:
    people asked to act on it (own one of its commitments, or may sign off one of its departments),
    who must be able to open what they are asked about. `plan.commercial` says whether the user may
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
    """Owns one of the plan's commitments, or is a named signer of a department that owns one of ours."""
    if not user.is_authenticated:
        return False
    return plan.commitments.filter(Q(owner_id=user.pk) | Q(party=Party.US,
                                                          department__signers=user.pk)).exists()


def signers_for(plan, department) -> list:
    """Who may give `department`'s sign-off on `plan` (`department` None: the sponsor's).

    Four eyes: the department's people on the account's team and the department's named signers,
    except the plan's owner and anyone who may edit the plan (they would approve their own work).
    The sponsor's sign-off is the account's sponsor's alone."""
    account = plan.account
    if department is None:
        sponsor = account.sponsor
        return [sponsor] if sponsor is not None and sponsor.is_active and sponsor.pk != plan.owner_id else []
    people = (get_user_model().objects.filter(is_active=True)
              .filter(Q(account_memberships__account=account, account_memberships__department=department)
                      | Q(signing_departments=department))
              .exclude(pk__in=[pk for pk in (plan.owner_id, account.kam_id) if pk]).distinct()
              .order_by("first_name", "last_name", "pk"))
    return [u for u in people if not u.has_perm("planning.change_plan", account)]


def can_sign_for(user, plan, department) -> bool:
    return user.is_authenticated and any(u.pk == user.pk for u in signers_for(plan, department))


def commitment_terms(commitment) -> dict:
    """A commitment's content as agreed (no progress): what a sign-off approves and the client agrees to."""
    return {
        "id": commitment.pk,
        "party": commitment.party,
        "department_id": commitment.department_id,
        "who": str(commitment.department or commitment.contact or ""),
        "description": commitment.description,
        "due_date": commitment.due_date.isoformat() if commitment.due_date else "",
    }


def agreement_changes(plan, agreed=None) -> dict | None:
    """What changed since the client's last agreement: None if they never agreed, else the agreed
    version and the text fields and commitments added, removed or changed since."""
    from .services import agreed_content

    agreed = agreed or plan.agreed_versions.order_by("-agreed_at", "-pk").first()
    if agreed is None:
        return None
    now = agreed_content(plan)
    then = agreed.content
    text = [name for name, value in now["text"].items() if (then.get("text", {}).get(name) or "") != (value or "")]
    before = {c["id"]: c for c in then.get("commitments", [])}
    after = {c["id"]: c for c in now["commitments"]}
    return {
        "agreed": agreed,
        "text": text,
        "added": [c for key, c in after.items() if key not in before],
        "removed": [c for key, c in before.items() if key not in after],
        "changed": [{"before": before[key], "after": c} for key, c in after.items()
                    if key in before and before[key] != c],
        "any": bool(text) or any(key not in before or before[key] != c for key, c in after.items())
        or any(key not in after for key in before),
    }


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


# --- Personal data (accounts.personal_data) ---------------------------------------------------------
def personal_texts(account) -> list[tuple]:
    """Where the account's plans may name a client's person in free text: (rows, fields, history rows'
    filter). The export lists these mentions, the erasure scrubs them."""
    from .models import KnowledgeTask, PlanReview

    plans = AccountPlan.objects.filter(account=account)
    in_plans = {"plan_id__in": plans.values("pk")}
    plan_texts = ["client_agreed_by", "client_agreement_note", "summary", "industry_variables", "operations_state",
                  "competitive_advantages", "business_problems", "value_chain", "vision_statement"]
    return [
        (plans, plan_texts, {"account_id": account.pk}),
        (Commitment.objects.filter(plan__account=account), ["description"], in_plans),
        (KnowledgeTask.objects.filter(plan__account=account), ["description"], in_plans),
        (PlanReview.objects.filter(plan__account=account), ["attendees", "outcome"], in_plans),
        (Negotiation.objects.filter(account=account), ["title", "our_batna", "their_batna", "strategy_notes"],
         {"account_id": account.pk}),
    ]


def share_links_of(person) -> QuerySet:
    """The account's share links that are the person's: addressed to them, labelled with their name, or
    where they commented under it."""
    from .models import ShareComment, ShareLink

    links = ShareLink.objects.filter(plan__account=person.contact.account)
    theirs = {link.pk for link in links.filter(Q(contact=person.contact) | person.q("label")).only("pk", "label",
                                                                                                  "contact_id")
              if link.contact_id == person.contact.pk or person.mentioned_in(link.label)}
    theirs |= {c.link_id for c in ShareComment.objects.filter(link__in=links).filter(person.q("author")).only(
        "link_id", "author") if person.mentioned_in(c.author)}
    return links.filter(pk__in=theirs)


def personal_data(person) -> list:
    """What plans hold about one client contact (accounts.personal_data): the plans they agreed to,
    the versions they agreed, commitments they owe, share links addressed to them with their views and
    comments, and every plan text naming them."""
    from accounts.personal_data import Section, mentions

    from .models import AgreedVersion, ShareComment, ShareView

    contact, account = person.contact, person.contact.account
    agreed = [
        {"plan": str(p), "status": p.get_status_display(), "agreed_by": p.client_agreed_by,
         "agreed_at": p.client_agreed_at, "how": p.get_client_agreement_channel_display(),
         "note": p.client_agreement_note}
        for p in AccountPlan.objects.filter(account=account).filter(
            Q(client_agreed_contact=contact) | person.q("client_agreed_by")).select_related("account")
        if p.client_agreed_contact_id == contact.pk or person.mentioned_in(p.client_agreed_by)
    ]
    versions = [
        {"plan": str(v.plan), "agreed_at": v.agreed_at, "agreed_by": v.agreed_by,
         "how": v.get_channel_display(), "mentioned_in_the_agreed_content": person.mentioned_in(str(v.content))}
        for v in AgreedVersion.objects.filter(plan__account=account).select_related("plan__account")
        if v.contact_id == contact.pk or person.mentioned_in(v.agreed_by) or person.mentioned_in(str(v.content))
    ]
    owed = [{"plan": str(c.plan), "commitment": c.description, "due": c.due_date, "status": c.get_status_display()}
            for c in Commitment.objects.filter(contact=contact).select_related("plan__account")]
    links = share_links_of(person)
    link_rows = [{"id": link.pk, "plan": str(link.plan), "label": link.label, "created_at": link.created_at,
                  "expires_at": link.expires_at, "revoked_at": link.revoked_at}
                 for link in links.select_related("plan__account")]
    views = [{"link": v.link_id, "viewed_at": v.viewed_at, "ip": v.ip, "user_agent": v.user_agent}
             for v in ShareView.objects.filter(link__in=links).order_by("viewed_at", "pk")]
    their_links = {r["id"] for r in link_rows}
    comments = [{"link": c.link_id, "when": c.created_at, "author": c.author, "comment": c.body}
                for c in ShareComment.objects.filter(link__plan__account=account).order_by("created_at", "pk")
                if c.link_id in their_links or person.mentioned_in(c.author) or person.mentioned_in(c.body)]
    texts = [row for rows, fields, _history in personal_texts(account) for row in mentions(person, rows, fields)]
    return [
        Section("plans_agreed", _("Plans they agreed to"), agreed),
        Section("agreed_versions", _("Versions of plans agreed by them or naming them"), versions),
        Section("commitments", _("The client's commitments they owe"), owed),
        Section("share_links", _("Share links addressed to them"), link_rows),
        Section("share_views", _("Views of those links (address and browser)"), views),
        Section("share_comments", _("Comments on those links or by them"), comments),
        Section("plan_texts", _("Plan texts mentioning them"), texts),
    ]
