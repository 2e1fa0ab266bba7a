"""Writes on a plan's rows: knowledge tasks, opportunities, commitments, reviews and value delivered.
Each edit is version-checked; a material change to a commitment follows the approval rules in
`planning.services.plans`."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Forbidden, Invalid, clean
from kam.models import ProgrammeSettings

from .. import selectors
from ..models import (
    AccountPlan,
    Commitment,
    CommitmentStatus,
    KnowledgeTask,
    Opportunity,
    Party,
    PlanReview,
    PlanStatus,
    ValueDelivered,
)
from .plans import (
    _after_material_change,
    _event,
    _lock_plan,
    _require_edit,
    _touch,
)

COMMITMENT_FIELDS = ("party", "department", "owner", "contact", "description", "due_date", "status",
                     "delivered_on")



def _row_save(plan, user, instance, data, version=None, fields=None):
    """Create (`instance` unsaved) or update a row of the plan; an update is version-checked."""
    if instance.pk:
        versioning.check(instance, version, fields or list(data))
        versioning.bump(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    clean(instance)
    instance._history_user = user
    instance.save()
    _touch(plan, user)
    return instance


def _locked_row(model, plan, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk, plan=plan)


@transaction.atomic
def task_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> KnowledgeTask:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    task = _locked_row(KnowledgeTask, plan, pk) if pk else KnowledgeTask(plan=plan)
    return _row_save(plan, user, task, data, version)


@transaction.atomic
def opportunity_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> Opportunity:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    opp = _locked_row(Opportunity, plan, pk) if pk else Opportunity(plan=plan)
    return _row_save(plan, user, opp, data, version)


def _validate_commitment(plan, data):
    if data.get("party") == Party.US:
        if not data.get("department"):
            raise Invalid(errors={"department": [_("Our commitments need the department that delivers them.")]})
        data["contact"] = None
    else:
        data["department"] = None
    contact = data.get("contact")
    if contact is not None and contact.account_id != plan.account_id:
        raise Invalid(errors={"contact": [_("That contact is not one of this client's people.")]})
    delivered = data.get("delivered_on")
    if delivered and delivered > timezone.localdate():
        raise Invalid(errors={"delivered_on": [_("The delivery date cannot be in the future.")]})


def _commitment_departments(terms: dict) -> set:
    return {terms["department_id"]} if terms.get("party") == Party.US and terms.get("department_id") else set()


@transaction.atomic
def commitment_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> Commitment:
    """Add or edit a commitment. A new or materially changed commitment of ours needs its department's
    sign-off (again) on a plan past draft; any material change after the client's agreement needs theirs."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    data = dict(data)
    _validate_commitment(plan, data)
    if data.get("status") == CommitmentStatus.DONE and not data.get("delivered_on"):
        data["delivered_on"] = timezone.localdate()
    if data.get("status") not in (None, CommitmentStatus.DONE):
        data["delivered_on"] = None
    if pk:
        commitment = _locked_row(Commitment, plan, pk)
        before = selectors.commitment_terms(commitment)
    else:
        commitment, before = Commitment(plan=plan), None
    commitment = _row_save(plan, user, commitment, data, version, COMMITMENT_FIELDS)
    after = selectors.commitment_terms(commitment)
    if before != after:
        affected = _commitment_departments(after) | (_commitment_departments(before) if before else set())
        what = (_("commitment changed: %(what)s") if before else _("commitment added: %(what)s")) % {
            "what": commitment.description[:120]}
        _after_material_change(plan, user, affected=affected, what=what)
    return commitment


@transaction.atomic
def commitment_delete(*, user, plan_id: int, pk: int) -> None:
    """Removing a promise lightens the department's load (its sign-off stands) but changes what the
    client agreed to."""
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    commitment = _locked_row(Commitment, plan, pk)
    what = commitment.description
    commitment._history_user = user
    commitment.delete()
    _touch(plan, user)
    _after_material_change(plan, user, affected=set(),
                           what=_("commitment removed: %(what)s") % {"what": what[:120]})


@transaction.atomic
def commitment_update_status(*, user, commitment_id: int, status: str, delivered_on=None,
                             version=None) -> Commitment:
    """The commitment's owner (or whoever may edit the plan) reports progress. Progress is not
    content: no sign-off or agreement is needed again."""
    commitment = (Commitment.objects.select_for_update(of=("self",)).select_related("plan__account")
                  .get(pk=commitment_id))
    if not user.has_perm("planning.update_commitment", commitment):
        raise Forbidden(_("Only the commitment's owner or the plan's editors may update its status."))
    if commitment.plan.status == PlanStatus.CLOSED:
        raise Invalid(_("This plan is closed; start a plan for the next period instead."))
    versioning.check(commitment, version, ("status", "delivered_on"))
    if status not in CommitmentStatus.values:
        raise Invalid(errors={"status": [_("Unknown status.")]})
    if delivered_on is not None and delivered_on > timezone.localdate():
        raise Invalid(errors={"delivered_on": [_("The delivery date cannot be in the future.")]})
    if status == CommitmentStatus.DONE and delivered_on is None:
        delivered_on = timezone.localdate()
    if status != CommitmentStatus.DONE:
        delivered_on = None
    commitment.status = status
    commitment.delivered_on = delivered_on
    versioning.bump(commitment)
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
    for row in ROW_MODELS[kind].objects.filter(plan=plan, pk=pk):
        row._history_user = user
        row.delete()
    _touch(plan, user)


@transaction.atomic
def review_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> PlanReview:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    held = data.get("held_on")
    if held and held > timezone.localdate():
        raise Invalid(errors={"held_on": [_("A review cannot have been held in the future.")]})
    review = _locked_row(PlanReview, plan, pk) if pk else PlanReview(plan=plan)
    review = _row_save(plan, user, review, data, version)
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
def value_save(*, user, plan_id: int, data: dict, pk: int | None = None, version=None) -> ValueDelivered:
    plan = _lock_plan(plan_id)
    _require_edit(user, plan)
    entry = _locked_row(ValueDelivered, plan, pk) if pk else ValueDelivered(plan=plan)
    return _row_save(plan, user, entry, data, version)
