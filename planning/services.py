"""Writes on plans. Every rule of DESIGN.md's role table that concerns plans is enforced here (views
only translate `PlanError` into a message), and every edit goes through a version check so that two
people editing the same plan never silently overwrite each other.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountTeamMember, ActivityKind
from accounts.services import activity_record
from kam.models import Department, ProgrammeSettings
from kam.roles import LEAD, has_role
from kam.services import notification_send

from .models import (
    AccountPlan,
    AgreementChannel,
    Commitment,
    CommitmentStatus,
    Concession,
    KnowledgeTask,
    Negotiation,
    NegotiationAgreement,
    NegotiationObjective,
    NegotiationVariable,
    Opportunity,
    Party,
    PeriodKind,
    PlanReview,
    PlanStatus,
    ShareComment,
    ShareLink,
    ShareView,
    SignOff,
    ValueDelivered,
)

SHARE_DEFAULT_DAYS = 30
# Rows copied into a new period's plan: the knowledge carries over, commitments are made anew.
COPIED_FIELDS = ("summary", "industry_variables", "operations_state", "competitive_advantages",
                 "business_problems", "value_chain", "vision_statement")


class PlanError(Exception):
    """A refused action, with a message fit to show the user as is."""


@dataclass
class Change:
    field: str
    label: str
    theirs: str
    mine: str = ""


@dataclass
class PlanConflict(PlanError):
    """A save made from an out-of-date version. `changes` says what the other person changed since
    the version the user started from; `current` is the row as it is now."""

    current: object
    changes: list[Change] = field(default_factory=list)

    def __str__(self):
        return str(_("Someone else saved this while you were editing. Your changes were not saved; "
                     "review what changed below and save again to keep yours."))


# --- helpers ---------------------------------------------------------------------------------------

def _display(instance, name):
    f = instance._meta.get_field(name)
    value = getattr(instance, name if not f.is_relation else f"{name}_id")
    if f.is_relation:
        target = getattr(instance, name, None) if value else None
        return str(target) if target else "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value)) if value not in (None, "") else "—"
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def changes_since(instance, version: int, fields) -> list[Change]:
    """Fields of `instance` that differ from its historical record at `version` (simple_history keeps
    one record per save, carrying the version number it saved)."""
    old = instance.history.filter(version=version).order_by("-history_date").first()
    out = []
    for name in fields:
        now = _display(instance, name)
        before = _display(old, name) if old is not None else "—"
        if old is None or now != before:
            out.append(Change(name, str(instance._meta.get_field(name).verbose_name), now))
    return out


def _check_version(instance, version, fields):
    try:
        seen = int(version)
    except (TypeError, ValueError):  # missing or tampered: treated as an edit of an unknown version
        seen = None
    if seen is None or seen != instance.version:
        raise PlanConflict(current=instance, changes=changes_since(instance, seen or 0, fields))


def _lock_plan(plan_id) -> AccountPlan:
    return AccountPlan.objects.select_for_update(of=("self",)).select_related("account").get(pk=plan_id)


def _plan_link(plan) -> str:
    return reverse("planning:plan_detail", args=[plan.pk])


def _touch(plan, user=None):
    """A child row changed: the plan is fresher and its completeness may have moved."""
    plan.updated_at = timezone.now()
    completeness_refresh(plan=plan)
    plan._history_user = user
    plan._change_reason = "rows"
    plan.save(update_fields=["updated_at", "pct_conocimiento", "pct_vision", "pct_compromiso"])


def _require_edit(user, plan):
    if not user.has_perm("planning.change_plan", plan.account):
        raise PlanError(_("Only the account's KAM, a KAM on its team or the programme lead may edit "
                          "this plan."))
    if plan.status == PlanStatus.CLOSED:
        raise PlanError(_("This plan is closed; start a plan for the next period instead."))


def _event(plan, user, summary, subkind):
    activity_record(account=plan.account, kind=ActivityKind.PLAN_EVENT, summary=summary, actor=user,
                    link=_plan_link(plan), subkind=subkind, commercial=True)


def required_signoff_departments(plan) -> list[Department]:
    """Each department that owns one of our commitments must sign off (plus the sponsor)."""
    ids = (plan.commitments.filter(party=Party.US).values_list("department_id", flat=True).distinct())
    return list(Department.objects.filter(pk__in=ids))


def missing_signoffs(plan) -> list[str]:
    """Labels of the sign-offs still missing for `committed`."""
    signed = {s.department_id for s in plan.signoffs.all()}
    missing = [str(d) for d in required_signoff_departments(plan) if d.pk not in signed]
    if None not in signed:
        missing.insert(0, str(_("Executive sponsor")))
    return missing


def completeness_refresh(*, plan: AccountPlan) -> None:
    """Recompute the stored completeness (no save). Only "is there at least one" matters, so four
    EXISTS in one query: joins with counts would multiply the plan's rows into each other."""
    def exists(model, **filters):
        return Exists(model.objects.filter(plan=OuterRef("pk"), **filters))

    found = AccountPlan.objects.filter(pk=plan.pk).values(
        has_tasks=exists(KnowledgeTask), has_opportunities=exists(Opportunity),
        has_us=exists(Commitment, party=Party.US), has_client=exists(Commitment, party=Party.CLIENT),
    ).first() or {}
    signoffs_ok = plan.status in (PlanStatus.COMMITTED, PlanStatus.AGREED, PlanStatus.CLOSED)
    plan.compute_completeness(tasks=int(found.get("has_tasks", 0)),
                              opportunities=int(found.get("has_opportunities", 0)),
                              commitments_us=int(found.get("has_us", 0)),
                              commitments_client=int(found.get("has_client", 0)),
                              signoffs_ok=signoffs_ok)


def period_bounds(kind: str, start: datetime.date) -> datetime.date:
    months = {PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}[kind]
    month = start.month - 1 + months
    first_after = datetime.date(start.year + month // 12, month % 12 + 1, 1)
    # Periods start on the first of a month in practice; for other days keep the same length.
    if start.day != 1:
        first_after = first_after.replace(day=min(start.day, 28))
    return first_after - datetime.timedelta(days=1)


def next_period_start(account) -> tuple[str, datetime.date]:
    """The period that follows the account's latest plan (or this year's start for a first plan)."""
    last = account.plans.order_by("-period_end").first()
    if last is None:
        today = timezone.localdate()
        return PeriodKind.YEAR, datetime.date(today.year, 1, 1)
    return last.period_kind, last.period_end + datetime.timedelta(days=1)


# --- plan lifecycle --------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, user, account, period_kind: str, period_start: datetime.date,
                copy_last: bool = False) -> AccountPlan:
    if not user.has_perm("planning.change_plan", account):
        raise PlanError(_("Only the account's KAM, a KAM on its team or the programme lead may start "
                          "a plan."))
    if account.plans.filter(period_kind=period_kind, period_start=period_start).exists():
        raise PlanError(_("This account already has a plan for that period."))
    period_end = period_bounds(period_kind, period_start)
    source = account.plans.order_by("-period_end").first() if copy_last else None
    settings = ProgrammeSettings.current()
    plan = AccountPlan(account=account, period_kind=period_kind, period_start=period_start,
                       period_end=period_end, owner=account.kam or user,
                       next_review_date=period_start + datetime.timedelta(days=settings.plan_review_days))
    if source is not None:
        for name in COPIED_FIELDS:
            setattr(plan, name, getattr(source, name))
    plan.save()
    if source is not None:
        KnowledgeTask.objects.bulk_create(
            KnowledgeTask(plan=plan, description=t.description, owner_id=t.owner_id)
            for t in source.tasks.filter(done=False))
        Opportunity.objects.bulk_create(
            Opportunity(plan=plan, client_benefit=o.client_benefit, our_solution=o.our_solution,
                        value=o.value, probability=o.probability, stage=o.stage,
                        expected_date=o.expected_date)
            for o in source.opportunities.exclude(stage__in=["won", "lost"]))
    completeness_refresh(plan=plan)
    plan.save(update_fields=["pct_conocimiento", "pct_vision", "pct_compromiso"])
    _event(plan, user, _("Plan started for %(period)s") % {"period": plan.period_label}, "created")
    return plan


@transaction.atomic
def plan_update(*, user, plan_id: int, version, data: dict) -> AccountPlan:
    """Save some of the plan's text fields (`data`: field → value) made from `version`."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    _check_version(plan, version, list(data))
    for name, value in data.items():
        setattr(plan, name, value)
    plan.version += 1
    plan.updated_at = timezone.now()
    completeness_refresh(plan=plan)
    plan._change_reason = "edit"
    plan._history_user = user
    plan.save()
    return plan


def _set_status(plan, user, status, reason, **stamps):
    plan.status = status
    for key, value in stamps.items():
        setattr(plan, key, value)
    plan.version += 1
    completeness_refresh(plan=plan)
    plan._change_reason = reason
    if user is not None:
        plan._history_user = user
    plan.save()


@transaction.atomic
def plan_submit(*, user, plan_id: int) -> AccountPlan:
    """draft → in_review, and ask the sponsor and each department owning a commitment to sign off."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError(_("Only a draft plan can be submitted for internal review."))
    if not plan.commitments.filter(party=Party.US).exists():
        raise PlanError(_("Add at least one commitment of ours (with its department) before submitting: "
                          "there is nothing for the departments to sign off."))
    if plan.account.sponsor_id is None:
        raise PlanError(_("The account has no executive sponsor to sign the plan off; ask the programme "
                          "lead to assign one."))
    _set_status(plan, user, PlanStatus.IN_REVIEW, "submitted", submitted_at=timezone.now())
    _event(plan, user, _("Plan submitted for internal sign-off"), "submitted")
    departments = required_signoff_departments(plan)
    signers = {plan.account.sponsor}
    members = AccountTeamMember.objects.filter(account=plan.account, department__in=departments)
    signers.update(m.user for m in members.select_related("user"))
    signers.update(c.owner for c in plan.commitments.filter(party=Party.US, owner__isnull=False)
                   .select_related("owner"))
    signers.discard(user)
    notification_send(
        recipients=signers, event_key=f"plan:{plan.pk}:signoff:{plan.version}",
        title=_("Sign-off needed: plan for %(account)s") % {"account": plan.account},
        body=_("%(who)s submitted the account plan (%(period)s) for internal sign-off.")
        % {"who": user.get_full_name() or user.username, "period": plan.period_label},
        link=_plan_link(plan))
    return plan


def can_sign_for(user, plan, department) -> bool:
    if has_role(user, LEAD):
        return True
    if department is None:
        return user.has_perm("planning.sign_off_as_sponsor", plan.account)
    return (AccountTeamMember.objects.filter(account=plan.account, user=user, department=department).exists()
            or plan.commitments.filter(party=Party.US, department=department, owner=user).exists())


@transaction.atomic
def plan_sign_off(*, user, plan_id: int, department=None, note: str = "") -> SignOff:
    """The sponsor's sign-off (department None) or a department's, by one of its people on the account."""
    plan = _lock_plan(plan_id)
    if plan.status != PlanStatus.IN_REVIEW:
        raise PlanError(_("Sign-offs are given while the plan is in internal review."))
    if not can_sign_for(user, plan, department):
        if department is None:
            raise PlanError(_("Only the account's executive sponsor may give the sponsor's sign-off."))
        raise PlanError(_("Only people of %(dept)s on this account's team, or who own its commitments, "
                          "may sign off for it.") % {"dept": department})
    if department is not None and department not in required_signoff_departments(plan):
        raise PlanError(_("%(dept)s owns no commitment in this plan.") % {"dept": department})
    if plan.signoffs.filter(department=department).exists():
        raise PlanError(_("This sign-off was already given."))
    signoff = SignOff.objects.create(plan=plan, department=department, signed_by=user, note=note[:300])
    label = department or _("the executive sponsor")
    _event(plan, user, _("Plan signed off by %(who)s") % {"who": label}, "signed_off")
    if not missing_signoffs(plan):
        notification_send(
            recipients=[plan.owner or plan.account.kam], event_key=f"plan:{plan.pk}:signed:{plan.version}",
            title=_("All sign-offs given: plan for %(account)s") % {"account": plan.account},
            body=_("The plan can now be committed and shared with the client."), link=_plan_link(plan))
    return signoff


@transaction.atomic
def plan_commit(*, user, plan_id: int) -> AccountPlan:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if plan.status != PlanStatus.IN_REVIEW:
        raise PlanError(_("Only a plan in internal review can be committed."))
    missing = missing_signoffs(plan)
    if missing:
        raise PlanError(_("Still missing sign-offs from: %(who)s.") % {"who": ", ".join(missing)})
    _set_status(plan, user, PlanStatus.COMMITTED, "committed", committed_at=timezone.now())
    _event(plan, user, _("Plan committed: our teams signed it off"), "committed")
    return plan


@transaction.atomic
def plan_return_to_draft(*, user, plan_id: int) -> AccountPlan:
    """Back to draft for rework; the sign-offs approved the old content, so they are cleared."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if plan.status not in (PlanStatus.IN_REVIEW, PlanStatus.COMMITTED):
        raise PlanError(_("Only a plan in review or committed can go back to draft."))
    plan.signoffs.all().delete()
    _set_status(plan, user, PlanStatus.DRAFT, "returned to draft")
    _event(plan, user, _("Plan returned to draft"), "returned")
    return plan


def _agree(plan, *, by: str, contact, channel, note, actor):
    if plan.status != PlanStatus.COMMITTED:
        if plan.status == PlanStatus.AGREED:
            raise PlanError(_("The client has already agreed to this plan."))
        raise PlanError(_("The client can agree once our teams have committed the plan."))
    plan.client_agreed_by = by[:160]
    plan.client_agreed_contact = contact
    plan.client_agreed_at = timezone.now()
    plan.client_agreement_channel = channel
    plan.client_agreement_note = note
    plan.needs_reagreement = False
    _set_status(plan, actor, PlanStatus.AGREED, "client agreed")
    _event(plan, actor, _("The client agreed to the plan (%(who)s, %(how)s)")
           % {"who": by, "how": plan.get_client_agreement_channel_display()}, "agreed")
    notification_send(
        recipients=[plan.owner, plan.account.kam], event_key=f"plan:{plan.pk}:agreed:{plan.version}",
        title=_("The client agreed to the plan for %(account)s") % {"account": plan.account},
        body=_("%(who)s agreed to the plan (%(how)s).")
        % {"who": by, "how": plan.get_client_agreement_channel_display()},
        link=_plan_link(plan))
    return plan


@transaction.atomic
def plan_record_client_agreement(*, user, plan_id: int, agreed_by: str = "", contact=None,
                                 channel: str = AgreementChannel.MEETING, note: str = "") -> AccountPlan:
    """The KAM records that the client agreed (in a meeting, by e-mail, signed)."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if contact is not None and contact.account_id != plan.account_id:
        raise PlanError(_("That contact is not one of this client's people."))
    who = agreed_by.strip() or (contact.name if contact else "")
    if not who:
        raise PlanError(_("Say who agreed on the client's side."))
    return _agree(plan, by=who, contact=contact, channel=channel, note=note, actor=user)


@transaction.atomic
def plan_close(*, user, plan_id: int) -> AccountPlan:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if plan.status not in (PlanStatus.COMMITTED, PlanStatus.AGREED):
        raise PlanError(_("Only a committed or agreed plan can be closed; a draft can simply be "
                          "left or reworked."))
    _set_status(plan, user, PlanStatus.CLOSED, "closed", closed_at=timezone.now())
    _event(plan, user, _("Plan closed"), "closed")
    return plan


# --- rows -------------------------------------------------------------------------------------------

def _row_save(plan, user, instance, data, version=None, fields=None):
    """Create (`instance` unsaved) or update a row of the plan, version-checked when it has one."""
    if version is not None and hasattr(instance, "version") and instance.pk:
        _check_version(instance, version, fields or list(data))
    for name, value in data.items():
        setattr(instance, name, value)
    if hasattr(instance, "version") and instance.pk:
        instance.version += 1
    instance.full_clean()
    instance._history_user = user
    instance.save()
    _touch(plan, user)
    return instance


@transaction.atomic
def task_save(*, user, plan_id: int, data: dict, pk: int | None = None) -> KnowledgeTask:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    task = plan.tasks.get(pk=pk) if pk else KnowledgeTask(plan=plan)
    return _row_save(plan, user, task, data)


@transaction.atomic
def opportunity_save(*, user, plan_id: int, data: dict, pk: int | None = None) -> Opportunity:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    opp = plan.opportunities.get(pk=pk) if pk else Opportunity(plan=plan)
    return _row_save(plan, user, opp, data)


def _validate_commitment(plan, data):
    if data.get("party") == Party.US:
        if not data.get("department"):
            raise PlanError(_("Our commitments need the department that delivers them."))
        data["contact"] = None
    else:
        data["department"] = None
    contact = data.get("contact")
    if contact is not None and contact.account_id != plan.account_id:
        raise PlanError(_("That contact is not one of this client's people."))


def _reagreement_needed(plan, user, what):
    """Editing the commitments of an agreed plan changes what the client agreed to: record it and
    ask for the client's agreement again."""
    if plan.status != PlanStatus.AGREED:
        return
    plan.needs_reagreement = True
    _set_status(plan, user, PlanStatus.COMMITTED, "commitments changed after agreement")
    _event(plan, user, _("Commitments changed after the client's agreement (%(what)s): the client must "
                         "agree again") % {"what": what}, "reagreement")
    notification_send(
        recipients=[plan.owner, plan.account.kam, plan.account.sponsor],
        event_key=f"plan:{plan.pk}:reagree:{plan.version}",
        title=_("Plan for %(account)s needs the client's agreement again") % {"account": plan.account},
        body=_("Its commitments changed after the client agreed: %(what)s") % {"what": what},
        link=_plan_link(plan))


COMMITMENT_FIELDS = ("party", "department", "owner", "contact", "description", "due_date", "status",
                     "delivered_on")


@transaction.atomic
def commitment_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> Commitment:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    data = dict(data)
    _validate_commitment(plan, data)
    if pk:
        commitment = Commitment.objects.select_for_update().get(pk=pk, plan=plan)
        _check_version(commitment, version, COMMITMENT_FIELDS)
    else:
        commitment = Commitment(plan=plan)
    if data.get("status") == CommitmentStatus.DONE and not data.get("delivered_on"):
        data["delivered_on"] = timezone.localdate()
    commitment = _row_save(plan, user, commitment, data)
    _reagreement_needed(plan, user, commitment.description)
    return commitment


@transaction.atomic
def commitment_delete(*, user, plan_id: int, pk: int) -> None:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    commitment = plan.commitments.get(pk=pk)
    what = commitment.description
    commitment.delete()
    _touch(plan, user)
    _reagreement_needed(plan, user, _("removed: %(what)s") % {"what": what})


@transaction.atomic
def commitment_update_status(*, user, commitment_id: int, status: str, delivered_on=None,
                             version=None) -> Commitment:
    """The commitment's owner (or whoever may edit the plan) reports progress. Status is not content,
    so it does not call for the client's agreement again."""
    commitment = (Commitment.objects.select_for_update(of=("self",)).select_related("plan__account")
                  .get(pk=commitment_id))
    if not user.has_perm("planning.update_commitment", commitment):
        raise PlanError(_("Only the commitment's owner or the plan's editors may update its status."))
    if commitment.plan.status == PlanStatus.CLOSED:
        raise PlanError(_("This plan is closed; start a plan for the next period instead."))
    _check_version(commitment, version, ("status", "delivered_on"))
    if status not in CommitmentStatus.values:
        raise PlanError(_("Unknown status."))
    if status == CommitmentStatus.DONE and delivered_on is None:
        delivered_on = timezone.localdate()
    if status != CommitmentStatus.DONE:
        delivered_on = None
    commitment.status = status
    commitment.delivered_on = delivered_on
    commitment.version += 1
    commitment._history_user = user
    commitment.save()
    _touch(commitment.plan, user)
    return commitment


ROW_MODELS = {"task": KnowledgeTask, "opportunity": Opportunity, "review": PlanReview,
              "value": ValueDelivered}


@transaction.atomic
def row_delete(*, user, plan_id: int, kind: str, pk: int) -> None:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    ROW_MODELS[kind].objects.filter(plan=plan, pk=pk).delete()
    _touch(plan, user)


@transaction.atomic
def review_save(*, user, plan_id: int, data: dict, pk: int | None = None) -> PlanReview:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    review = plan.reviews.get(pk=pk) if pk else PlanReview(plan=plan)
    review = _row_save(plan, user, review, data)
    if review.held_on:
        # A held review sets the next one by the programme's cadence.
        days = ProgrammeSettings.current().plan_review_days
        nxt = review.held_on + datetime.timedelta(days=days)
        if plan.next_review_date is None or plan.next_review_date < nxt:
            AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=nxt)
            plan.next_review_date = nxt
        _event(plan, user, _("Plan review held on %(date)s") % {"date": review.held_on}, "review")
    return review


@transaction.atomic
def value_save(*, user, plan_id: int, data: dict, pk: int | None = None) -> ValueDelivered:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    entry = plan.value_entries.get(pk=pk) if pk else ValueDelivered(plan=plan)
    return _row_save(plan, user, entry, data)


# --- share links ------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def share_link_create(*, user, plan_id: int, hidden_sections: list[str], label: str = "", contact=None,
                      days: int = SHARE_DEFAULT_DAYS) -> tuple[ShareLink, str]:
    """Returns the link and its token; the token is not stored and cannot be shown again."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    if contact is not None and contact.account_id != plan.account_id:
        raise PlanError(_("That contact is not one of this client's people."))
    if not 1 <= days <= 365:
        raise PlanError(_("A link lasts between 1 and 365 days."))
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(plan=plan, token_hash=token_hash(token), label=label, contact=contact,
                                    hidden_sections=sorted(set(hidden_sections)), created_by=user,
                                    expires_at=timezone.now() + datetime.timedelta(days=days))
    _event(plan, user, _("Plan shared with the client (%(who)s)") % {"who": label or contact or "—"},
           "shared")
    return link, token


@transaction.atomic
def share_link_revoke(*, user, link_id: int) -> ShareLink:
    link = ShareLink.objects.select_for_update(of=("self",)).select_related("plan__account").get(pk=link_id)
    if not user.has_perm("planning.change_plan", link.plan.account):
        raise PlanError(_("Only the plan's editors may revoke its links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def share_link_resolve(token: str) -> ShareLink | None:
    """The active link for `token`, or None for unknown, expired and revoked alike (the caller shows
    one page for all three, revealing nothing)."""
    if not token or len(token) > 100:
        return None
    link = (ShareLink.objects.select_related("plan__account", "contact")
            .filter(token_hash=token_hash(token)).first())
    if link is None or not link.is_active():
        return None
    return link


def share_view_log(*, link: ShareLink, ip: str | None, user_agent: str) -> ShareView:
    return ShareView.objects.create(link=link, ip=ip or None, user_agent=user_agent[:300])


@transaction.atomic
def share_accept(*, link: ShareLink, name: str, comment: str = "") -> AccountPlan:
    name = name.strip()
    if not name:
        raise PlanError(_("Please write your name to accept the plan."))
    plan = _lock_plan(link.plan_id)
    if comment.strip():
        ShareComment.objects.create(link=link, author=name[:160], body=comment.strip())
    return _agree(plan, by=name, contact=link.contact, channel=AgreementChannel.SHARE_LINK,
                  note=comment.strip(), actor=None)


@transaction.atomic
def share_comment(*, link: ShareLink, name: str, body: str) -> ShareComment:
    if not name.strip() or not body.strip():
        raise PlanError(_("Please write your name and your comment."))
    c = ShareComment.objects.create(link=link, author=name.strip()[:160], body=body.strip())
    plan = link.plan
    notification_send(
        recipients=[plan.owner, plan.account.kam], event_key=f"share-comment:{c.pk}",
        title=_("The client commented on the plan for %(account)s") % {"account": plan.account},
        body=f"{c.author}: {c.body[:500]}", link=_plan_link(plan))
    return c


# --- negotiation --------------------------------------------------------------------------------------

def _require_negotiation_edit(user, account):
    if not user.has_perm("planning.change_plan", account):
        raise PlanError(_("Only the account's KAM, a KAM on its team or the programme lead may prepare "
                          "negotiations."))


NEGOTIATION_FIELDS = ("title", "scheduled_on", "plan", "our_batna", "their_batna", "strategy",
                      "strategy_notes")


@transaction.atomic
def negotiation_create(*, user, account, title: str, plan=None) -> Negotiation:
    _require_negotiation_edit(user, account)
    if plan is not None and plan.account_id != account.pk:
        raise PlanError(_("That plan belongs to another account."))
    return Negotiation.objects.create(account=account, title=title, plan=plan, created_by=user)


@transaction.atomic
def negotiation_update(*, user, negotiation_id: int, version, data: dict) -> Negotiation:
    neg = Negotiation.objects.select_for_update(of=("self",)).select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(user, neg.account)
    _check_version(neg, version, list(data))
    plan = data.get("plan")
    if plan is not None and plan.account_id != neg.account_id:
        raise PlanError(_("That plan belongs to another account."))
    for name, value in data.items():
        setattr(neg, name, value)
    neg.version += 1
    neg.save()
    return neg


NEGOTIATION_ROWS = {"objective": NegotiationObjective, "variable": NegotiationVariable,
                    "concession": Concession, "agreement": NegotiationAgreement}


@transaction.atomic
def negotiation_row_add(*, user, negotiation_id: int, kind: str, data: dict):
    neg = Negotiation.objects.select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(user, neg.account)
    row = NEGOTIATION_ROWS[kind](negotiation=neg, **data)
    row.full_clean()
    row.save()
    Negotiation.objects.filter(pk=neg.pk).update(updated_at=timezone.now())
    return row


@transaction.atomic
def negotiation_row_delete(*, user, negotiation_id: int, kind: str, pk: int) -> None:
    neg = Negotiation.objects.select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(user, neg.account)
    NEGOTIATION_ROWS[kind].objects.filter(negotiation=neg, pk=pk).delete()


@transaction.atomic
def agreement_to_commitment(*, user, agreement_id: int, department=None, owner=None,
                            contact=None) -> Commitment:
    """Follow an agreement up: it becomes a commitment of the negotiation's plan (or the account's
    open plan), tracked like any other."""
    agreement = NegotiationAgreement.objects.select_for_update(of=("self",)).select_related(
        "negotiation__account", "negotiation__plan").get(pk=agreement_id)
    neg = agreement.negotiation
    _require_negotiation_edit(user, neg.account)
    if agreement.commitment_id:
        raise PlanError(_("This agreement is already a commitment in the plan."))
    plan = neg.plan or neg.account.plans.exclude(status=PlanStatus.CLOSED).order_by("-period_start").first()
    if plan is None or plan.status == PlanStatus.CLOSED:
        raise PlanError(_("The account has no open plan to add the commitment to; start one first."))
    due = agreement.due_date or plan.period_end
    commitment = commitment_save(user=user, plan_id=plan.pk, data={
        "party": agreement.party, "department": department, "owner": owner, "contact": contact,
        "description": agreement.description[:400], "due_date": due, "status": CommitmentStatus.OPEN,
    })
    agreement.commitment = commitment
    agreement.save(update_fields=["commitment"])
    return commitment


def weighted_pipeline(opportunities) -> Decimal:
    return sum((o.weighted_value for o in opportunities), Decimal("0.00"))



# --- reminders -------------------------------------------------------------------------------------

def plan_reminders_send(*, today: datetime.date | None = None, within_days: int = 7) -> int:
    """Remind the people concerned of reviews due, stale plans and commitments due soon or missed.

    Each reminder's event key names the occurrence (the review date, the last edit's date, the due
    date), so a daily run notifies once per occurrence, and again only when there is a new one.
    Returns the number of notifications created.
    """
    from .selectors import commitments_due, with_flags

    today = today or timezone.localdate()
    settings = ProgrammeSettings.current()
    sent = 0
    plans = (with_flags(AccountPlan.objects.exclude(status=PlanStatus.CLOSED), today=today,
                        stale_days=settings.plan_stale_days)
             .filter(Q(is_stale=True) | Q(review_due=True)).select_related("account__kam", "owner"))
    for plan in plans.iterator(chunk_size=500):
        people = [plan.owner, plan.account.kam]
        if plan.review_due:
            sent += len(notification_send(
                recipients=people, event_key=f"plan:{plan.pk}:review-due:{plan.next_review_date}",
                title=_("Plan review due: %(account)s") % {"account": plan.account},
                body=_("The plan's review was due on %(date)s. Hold it with the client and record it.")
                % {"date": plan.next_review_date}, link=_plan_link(plan)))
        if plan.is_stale:
            sent += len(notification_send(
                recipients=people, event_key=f"plan:{plan.pk}:stale:{plan.updated_at.date()}",
                title=_("Plan not updated for %(days)d days: %(account)s")
                % {"days": (today - plan.updated_at.date()).days, "account": plan.account},
                body=_("A plan nobody updates is not being worked. Review it."), link=_plan_link(plan)))
    for c in (commitments_due(within_days=within_days).select_related("plan__account__kam")
              .iterator(chunk_size=500)):
        overdue = c.overdue or c.status == CommitmentStatus.MISSED
        who = [c.owner or c.plan.account.kam] if c.party == Party.US else [c.plan.account.kam]
        if overdue:
            who.append(c.plan.account.kam)
        kind = "missed" if overdue else "due"
        title = (_("Commitment missed: %(what)s") if overdue else _("Commitment due on %(date)s: %(what)s"))
        sent += len(notification_send(
            recipients=who, event_key=f"commitment:{c.pk}:{kind}:{c.due_date}",
            title=title % {"what": c.description[:120], "date": c.due_date},
            body=_("%(account)s · due %(date)s") % {"account": c.plan.account, "date": c.due_date},
            link=_plan_link(c.plan)))
    return sent
