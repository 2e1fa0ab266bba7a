"""Writes on plans. Every rule of the method that concerns plans is enforced here, on every path (the
editor's forms and htmx rows, negotiation follow-ups, share links, jobs):

- our side commits before the client agrees: the client's agreement needs every required sign-off;
- four eyes: a department's sign-off comes from that department's people (on the account's team, or
  named signers of the department), never from the plan's owner or an editor of the plan; the sponsor's
  sign-off is the account's sponsor's;
- an approval covers what was approved: a material change after a sign-off clears the affected
  sign-offs (the plan goes back to review), a change after the client's agreement asks for it again,
  and the version the client agreed to is kept (`AgreedVersion`);
- no edit is lost: every editable row is version-checked (`kam.versioning`).

Refusals are `kam.errors` exceptions: `Forbidden` (who), `Invalid` (what or when), `Conflict` (edited
meanwhile).
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import ActivityKind
from accounts.services import activity_record
from kam import messages as kam_messages
from kam import versioning
from kam.errors import Forbidden, Invalid, clean_field
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.services import notification_send

from .. import messages as msg
from .. import selectors, workflow
from ..models import (
    MATERIAL_TEXT_FIELDS,
    TEXT_FIELDS,
    AccountPlan,
    AgreedVersion,
    AgreementChannel,
    Commitment,
    KnowledgeTask,
    Opportunity,
    Party,
    PeriodKind,
    PlanStatus,
    SignOff,
)

# Rows copied into a new period's plan: the knowledge carries over, commitments are made anew.
COPIED_FIELDS = ("summary", "industry_variables", "operations_state", "competitive_advantages",
                 "business_problems", "value_chain", "vision_statement")


# --- helpers ---------------------------------------------------------------------------------------

def _lock_plan(plan_id) -> AccountPlan:
    return AccountPlan.objects.select_for_update(of=("self",)).select_related("account").get(pk=plan_id)


def _plan_link(plan) -> str:
    return reverse("planning:plan_detail", args=[plan.pk])


def _touch(plan, actor=None):
    """A child row changed: the plan is fresher and its completeness may have moved."""
    plan.updated_at = timezone.now()
    _completeness_refresh(plan)
    plan._history_user = actor
    plan._change_reason = "rows"
    plan.save(update_fields=["updated_at", "pct_conocimiento", "pct_vision", "pct_compromiso"])


def _require_edit(actor, plan):
    if not actor.has_perm("planning.change_plan", plan.account):
        raise Forbidden(_("Only the account's KAM, a KAM on its team or the programme lead may edit this "
                          "plan."))
    if plan.status == PlanStatus.CLOSED:
        raise Invalid(_("This plan is closed; start a plan for the next period instead."))


def _event(plan, actor, message, subkind, **params):
    activity_record(account=plan.account, kind=ActivityKind.PLAN_EVENT, message=message, params=params,
                    actor=actor, link=_plan_link(plan), subkind=subkind, commercial=True)


def _completeness_refresh(plan: AccountPlan) -> None:
    """Recompute the stored completeness (no save). Only "is there at least one" matters, so four
    EXISTS in one query: joins with counts would multiply the plan's rows into each other."""
    def exists(model, **filters):
        return Exists(model.objects.filter(plan=OuterRef("pk"), **filters))

    found: Mapping[str, Any] = AccountPlan.objects.filter(pk=plan.pk).values(
        has_tasks=exists(KnowledgeTask), has_opportunities=exists(Opportunity),
        has_us=exists(Commitment, party=Party.US), has_client=exists(Commitment, party=Party.CLIENT),
    ).first() or {}
    signoffs_ok = plan.status in workflow.SIGNED_OFF
    plan.compute_completeness(tasks=int(found.get("has_tasks", 0)),
                              opportunities=int(found.get("has_opportunities", 0)),
                              commitments_us=int(found.get("has_us", 0)),
                              commitments_client=int(found.get("has_client", 0)),
                              signoffs_ok=signoffs_ok)


def _set_status(plan, actor, status, reason, **stamps):
    plan.status = status
    for key, value in stamps.items():
        setattr(plan, key, value)
    versioning.bump(plan)
    _completeness_refresh(plan)
    plan._change_reason = reason
    if actor is not None:
        plan._history_user = actor
    plan.save()


# --- approvals follow what they approved ------------------------------------------------------------

def _ask_signers(plan, actor, departments, *, again: bool) -> None:
    """Ask the people who may give these sign-offs (None: the sponsor's) to give them."""
    recipients = set()
    for department in departments:
        recipients.update(selectors.signers_for(plan, department))
    recipients.discard(actor)
    if not recipients:
        return
    params = {"account": plan.account, "period": msg.period(plan)}
    if not again:
        params["who"] = person_label(actor)
    notification_send(recipients=recipients, event_key=f"plan:{plan.pk}:signoff:{plan.version}",
                      message=msg.NOTICE_SIGNOFF_AGAIN if again else msg.NOTICE_SIGNOFF, params=params,
                      link=_plan_link(plan))


def _after_material_change(plan, actor, *, affected: set, what: list) -> None:
    """What was approved or agreed changed (`affected`: the departments whose sign-off it touches, None
    for the sponsor's). Those sign-offs stop counting; a committed or agreed plan goes back to review
    when a sign-off is now missing, and an agreed one needs the client's agreement again. Drafts have
    nothing to clear; closed plans cannot change."""
    if plan.status in (PlanStatus.DRAFT, PlanStatus.CLOSED):
        return
    now = timezone.now()
    # `what`: a MESSAGES parameter of kam.messages (what changed), in each reader's language.
    what_text = kam_messages.render(msg.FIELDS_LIST, kam_messages.encode(msg.FIELDS_LIST, {"what": what})) or ""
    for signoff in plan.signoffs.filter(cleared_at__isnull=True):
        if signoff.department_id in affected:
            signoff.cleared_at = now
            signoff.cleared_reason = what_text[:300]
            signoff._history_user = actor
            signoff.save(update_fields=["cleared_at", "cleared_reason"])
    was_agreed = plan.status == PlanStatus.AGREED
    missing = selectors.missing_signoff_keys(plan)
    if was_agreed:
        plan.needs_reagreement = True
    if missing and plan.status in (PlanStatus.COMMITTED, PlanStatus.AGREED):
        _set_status(plan, actor, PlanStatus.IN_REVIEW, "approved content changed")
    elif was_agreed:
        _set_status(plan, actor, PlanStatus.COMMITTED, "changed after the client's agreement")
    reopened = affected & missing
    if reopened:
        departments = [d for d in selectors.required_signoff_departments(plan) if d.pk in reopened]
        labels = ([gettext_noop("Executive sponsor")] if None in reopened else []) + [d.name for d in departments]
        _event(plan, actor, msg.SIGNOFF_REOPENED, "signoff_reopened", what=what, who=labels)
        _ask_signers(plan, actor, ([None] if None in reopened else []) + departments, again=True)
    if was_agreed:
        _event(plan, actor, msg.REAGREEMENT, "reagreement", what=what)
        notification_send(
            recipients=[plan.owner, plan.account.kam, plan.account.sponsor],
            event_key=f"plan:{plan.pk}:reagree:{plan.version}",
            message=msg.NOTICE_REAGREE, params={"account": plan.account, "what": what},
            link=_plan_link(plan))


# --- periods ---------------------------------------------------------------------------------------

def _first_review(period_start: datetime.date, days: int) -> datetime.date:
    """A plan's first review: a cadence after it starts, and never already past."""
    return max(period_start, timezone.localdate()) + datetime.timedelta(days=days)


def _check_period(account, kind: str, start: datetime.date, exclude_pk=None) -> datetime.date:
    if kind not in PeriodKind.values:
        raise Invalid(errors={"period_kind": [_("Choose a period.")]})
    clean_field(AccountPlan, "period_start", start)  # the calendar's bounds, before the end is computed
    clash = account.plans.filter(period_kind=kind, period_start=start)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Invalid(errors={"period_start": [_("This account already has a plan for that period.")]})
    return selectors.period_end(kind, start)


# --- plan lifecycle --------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, actor, account, period_kind: str, period_start: datetime.date,
                copy_last: bool = False) -> AccountPlan:
    if not actor.has_perm("planning.change_plan", account):
        raise Forbidden(_("Only the account's KAM, a KAM on its team or the programme lead may start a "
                          "plan."))
    end = _check_period(account, period_kind, period_start)
    source = account.plans.order_by("-period_end").first() if copy_last else None
    settings = ProgrammeSettings.current()
    plan = AccountPlan(account=account, period_kind=period_kind, period_start=period_start,
                       period_end=end, owner=account.kam or actor,
                       next_review_date=_first_review(period_start, settings.plan_review_days))
    if source is not None:
        for name in COPIED_FIELDS:
            setattr(plan, name, getattr(source, name))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same period created by someone else a moment ago
        raise Invalid(errors={"period_start": [_("This account already has a plan for that period.")]}) from None
    if source is not None:
        KnowledgeTask.objects.bulk_create(
            KnowledgeTask(plan=plan, description=t.description, owner_id=t.owner_id)
            for t in source.tasks.filter(done=False))
        Opportunity.objects.bulk_create(
            Opportunity(plan=plan, client_benefit=o.client_benefit, our_solution=o.our_solution,
                        value=o.value, probability=o.probability, stage=o.stage,
                        expected_date=o.expected_date)
            for o in source.opportunities.exclude(stage__in=["won", "lost"]))
    _completeness_refresh(plan)
    plan.save(update_fields=["pct_conocimiento", "pct_vision", "pct_compromiso"])
    _event(plan, actor, msg.STARTED, "created", period=msg.period(plan))
    return plan


@transaction.atomic
def plan_set_period(*, actor, plan: AccountPlan, expected_version, period_kind: str,
                    period_start: datetime.date) -> AccountPlan:
    """Correct a draft plan's period (a plan started for the wrong year, say). Once submitted, the
    period is what was approved and stays."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    versioning.check(plan, expected_version, ["period_kind", "period_start", "period_end"])
    workflow.require(plan, "set_period")
    plan.period_end = _check_period(plan.account, period_kind, period_start, exclude_pk=plan.pk)
    plan.period_kind, plan.period_start = period_kind, period_start
    if plan.next_review_date is None or plan.next_review_date < period_start:
        plan.next_review_date = _first_review(period_start, ProgrammeSettings.current().plan_review_days)
    versioning.bump(plan)
    plan._change_reason = "period"
    plan._history_user = actor
    plan.save()
    _event(plan, actor, msg.PERIOD_SET, "period", period=msg.period(plan))
    return plan


@transaction.atomic
def plan_update(*, actor, plan: AccountPlan, expected_version, data: dict) -> AccountPlan:
    """Save some of the plan's text fields (`data`: field → value) made from `version`. A change of
    content after the sponsor's sign-off needs it again; after the client's agreement, theirs too."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    unknown = set(data) - set(TEXT_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in data.items():
        clean_field(AccountPlan, name, value)
    versioning.check(plan, expected_version, list(data))
    changed = [name for name, value in data.items()
               if name in MATERIAL_TEXT_FIELDS and (getattr(plan, name) or "") != (value or "")]
    for name, value in data.items():
        setattr(plan, name, value)
    versioning.bump(plan)
    plan.updated_at = timezone.now()
    _completeness_refresh(plan)
    plan._change_reason = "edit"
    plan._history_user = actor
    plan.save()
    if changed:
        _after_material_change(plan, actor, affected={None}, what=[(msg.FIELDS_CHANGED, {"fields": changed})])
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: AccountPlan) -> AccountPlan:
    """draft → in_review, and ask the sponsor and each department owning a commitment to sign off.
    Refused when a required sign-off has nobody who may give it: the plan would sit in review forever."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    workflow.require(plan, "submit")
    if not plan.commitments.filter(party=Party.US).exists():
        raise Invalid(_("Add at least one commitment of ours (with its department) before submitting: "
                        "there is nothing for the departments to sign off."))
    if plan.account.sponsor_id is None:
        raise Invalid(_("The account has no executive sponsor to sign the plan off; ask the programme "
                        "lead to assign one."))
    departments = selectors.required_signoff_departments(plan)
    nobody = [str(d) for d in departments if not selectors.signers_for(plan, d)]
    if nobody:
        raise Invalid(_("Nobody may sign off for %(depts)s on this account: add a person of that department "
                        "(other than the plan's editors) to the account team, or ask the programme lead to "
                        "name a signer for it.") % {"depts": ", ".join(nobody)})
    _set_status(plan, actor, PlanStatus.IN_REVIEW, "submitted", submitted_at=timezone.now())
    _event(plan, actor, msg.SUBMITTED, "submitted")
    _ask_signers(plan, actor, [None, *departments], again=False)
    return plan


def _require_signer(actor, plan, department) -> None:
    if selectors.can_sign_for(actor, plan, department):
        return
    if department is None:
        raise Forbidden(_("Only the account's executive sponsor gives the sponsor's sign-off."))
    raise Forbidden(_("Only people of %(dept)s who serve this account (on its team, or named signers of the "
                      "department) may sign off for it; the plan's owner and editors never sign their own "
                      "plan.") % {"dept": department})


@transaction.atomic
def plan_sign_off(*, actor, plan: AccountPlan, department=None, note: str = "") -> SignOff:
    """The sponsor's sign-off (department None) or a department's, by one of its people."""
    plan = _lock_plan(plan.pk)
    _require_signer(actor, plan, department)
    workflow.require(plan, "sign_off")
    if department is not None and department not in selectors.required_signoff_departments(plan):
        raise Invalid(_("%(dept)s owns no commitment in this plan.") % {"dept": department})
    if plan.signoffs.filter(department=department, cleared_at__isnull=True).exists():
        raise Invalid(_("This sign-off was already given."))
    signoff = SignOff(plan=plan, department=department, signed_by=actor, note=note[:300])
    signoff._history_user = actor
    try:
        with transaction.atomic():
            signoff.save()
    except IntegrityError:  # two clicks, or two signers of the department at once
        raise Invalid(_("This sign-off was already given.")) from None
    label = department.name if department else gettext_noop("the executive sponsor")
    _event(plan, actor, msg.SIGNED_OFF, "signed_off", who=label)
    if not selectors.missing_signoffs(plan):
        notification_send(
            recipients=[plan.owner or plan.account.kam], event_key=f"plan:{plan.pk}:signed:{plan.version}",
            message=msg.NOTICE_ALL_SIGNED, params={"account": plan.account}, link=_plan_link(plan))
    return signoff


@transaction.atomic
def plan_commit(*, actor, plan: AccountPlan) -> AccountPlan:
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    workflow.require(plan, "commit")
    missing = selectors.missing_signoffs(plan)
    if missing:
        raise Invalid(_("Still missing sign-offs from: %(who)s.") % {"who": ", ".join(missing)})
    _set_status(plan, actor, PlanStatus.COMMITTED, "committed", committed_at=timezone.now())
    _event(plan, actor, msg.COMMITTED, "committed")
    return plan


def _clear_all_signoffs(plan, actor, reason: str) -> None:
    now = timezone.now()
    for signoff in plan.signoffs.filter(cleared_at__isnull=True):
        signoff.cleared_at = now
        signoff.cleared_reason = reason
        signoff._history_user = actor
        signoff.save(update_fields=["cleared_at", "cleared_reason"])


@transaction.atomic
def plan_return_to_draft(*, actor, plan: AccountPlan) -> AccountPlan:
    """Back to draft for rework; the sign-offs approved the old content, so they stop counting (kept,
    marked cleared)."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    workflow.require(plan, "return")
    _clear_all_signoffs(plan, actor, _("returned to draft"))
    _set_status(plan, actor, PlanStatus.DRAFT, "returned to draft")
    _event(plan, actor, msg.RETURNED, "returned")
    return plan


def _agree(plan, *, by: str, contact, channel, note, actor):
    workflow.require(plan, "agree")
    missing = selectors.missing_signoffs(plan)
    if missing:  # a committed plan has them all; kept so that no path can agree without them
        raise Invalid(_("Still missing sign-offs from: %(who)s.") % {"who": ", ".join(missing)})
    plan.client_agreed_by = by[:160]
    plan.client_agreed_contact = contact
    plan.client_agreed_at = timezone.now()
    plan.client_agreement_channel = channel
    plan.client_agreement_note = note
    plan.needs_reagreement = False
    _set_status(plan, actor, PlanStatus.AGREED, "client agreed")
    AgreedVersion.objects.create(plan=plan, plan_version=plan.version, agreed_at=plan.client_agreed_at,
                                 agreed_by=plan.client_agreed_by, contact=contact, channel=channel,
                                 content=selectors.agreed_content(plan))
    _event(plan, actor, msg.AGREED, "agreed", who=by, how=plan.client_agreement_channel)
    notification_send(
        recipients=[plan.owner, plan.account.kam], event_key=f"plan:{plan.pk}:agreed:{plan.version}",
        message=msg.NOTICE_AGREED, params={"account": plan.account, "who": by, "how": plan.client_agreement_channel},
        link=_plan_link(plan))
    return plan


@transaction.atomic
def plan_record_client_agreement(*, actor, plan: AccountPlan, agreed_by: str = "", contact=None,
                                 channel: str = AgreementChannel.MEETING, note: str = "") -> AccountPlan:
    """The KAM records that the client agreed (in a meeting, by e-mail, signed)."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    if contact is not None and contact.account_id != plan.account_id:
        raise Invalid(errors={"contact": [_("That contact is not one of this client's people.")]})
    if channel not in AgreementChannel.values or channel == AgreementChannel.SHARE_LINK:
        raise Invalid(errors={"channel": [_("Say how the client agreed.")]})
    who = agreed_by.strip() or (contact.name if contact else "")
    if not who:
        raise Invalid(_("Say who agreed on the client's side."))
    return _agree(plan, by=who, contact=contact, channel=channel, note=note, actor=actor)


@transaction.atomic
def plan_close(*, actor, plan: AccountPlan) -> AccountPlan:
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    workflow.require(plan, "close")
    _set_status(plan, actor, PlanStatus.CLOSED, "closed", closed_at=timezone.now())
    _event(plan, actor, msg.CLOSED, "closed")
    return plan
