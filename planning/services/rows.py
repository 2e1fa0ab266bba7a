"""Writes on a plan's rows: knowledge tasks, opportunities, commitments, reviews and value delivered.
Each edit is version-checked; a material change to a commitment follows the approval rules in
`planning.services.plans`."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Forbidden, Invalid, clean, clean_field
from kam.models import ProgrammeSettings
from kam.validators import require_not_in_future

from .. import messages as msg
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



def _row_save(plan, actor, instance, data, expected_version=None, fields=None):
    """Create (`instance` unsaved) or update a row of the plan; an update is version-checked."""
    if instance.pk:
        versioning.check(instance, expected_version, fields or list(data))
        versioning.bump(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    clean(instance)
    instance._history_user = actor
    instance.save()
    _touch(plan, actor)
    return instance


def _locked_row(model, plan, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk, plan=plan)


def _edit_target(actor, plan, model, row):
    """The plan, locked and checked editable by `actor`, and the row to save on it: `row` locked again,
    or a new one."""
    plan = _lock_plan(plan.pk)
    _require_edit(actor, plan)
    return plan, (_locked_row(model, plan, row.pk) if row else model(plan=plan))


@transaction.atomic
def task_save(*, actor, plan: AccountPlan, data: dict, row=None, expected_version=None) -> KnowledgeTask:
    plan, task = _edit_target(actor, plan, KnowledgeTask, row)
    return _row_save(plan, actor, task, data, expected_version)


@transaction.atomic
def opportunity_save(*, actor, plan: AccountPlan, data: dict, row=None, expected_version=None) -> Opportunity:
    plan, opp = _edit_target(actor, plan, Opportunity, row)
    return _row_save(plan, actor, opp, data, expected_version)


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
    _check_delivered(data.get("delivered_on"))


def _check_delivered(delivered_on) -> None:
    require_not_in_future("delivered_on", delivered_on, _("The delivery date cannot be in the future."))


def _delivered_on(status: str, delivered_on):
    """A commitment done was delivered (today, unless another day is given); one not done was not."""
    if status == CommitmentStatus.DONE:
        return delivered_on or timezone.localdate()
    return None


def _commitment_departments(terms: dict) -> set:
    return {terms["department_id"]} if terms.get("party") == Party.US and terms.get("department_id") else set()


@transaction.atomic
def commitment_save(*, actor, plan: AccountPlan, data: dict, row=None, expected_version=None) -> Commitment:
    """Add or edit a commitment. A new or materially changed commitment of ours needs its department's
    sign-off (again) on a plan past draft; any material change after the client's agreement needs theirs."""
    plan, commitment = _edit_target(actor, plan, Commitment, row)
    data = dict(data)
    _validate_commitment(plan, data)
    if data.get("status") is not None:
        data["delivered_on"] = _delivered_on(data["status"], data.get("delivered_on"))
    before = selectors.commitment_terms(commitment) if row else None
    commitment = _row_save(plan, actor, commitment, data, expected_version, COMMITMENT_FIELDS)
    after = selectors.commitment_terms(commitment)
    if before != after:
        affected = _commitment_departments(after) | (_commitment_departments(before) if before else set())
        what = [(msg.COMMITMENT_CHANGED if before else msg.COMMITMENT_ADDED, {"what": commitment.description[:120]})]
        _after_material_change(plan, actor, affected=affected, what=what)
    return commitment


@transaction.atomic
def commitment_delete(*, actor, commitment: Commitment) -> None:
    """Removing a promise lightens the department's load (its sign-off stands) but changes what the
    client agreed to."""
    plan = _lock_plan(commitment.plan_id)
    _require_edit(actor, plan)
    commitment = _locked_row(Commitment, plan, commitment.pk)
    what = commitment.description
    commitment._history_user = actor
    commitment.delete()
    _touch(plan, actor)
    _after_material_change(plan, actor, affected=set(),
                           what=[(msg.COMMITMENT_REMOVED, {"what": what[:120]})])


@transaction.atomic
def commitment_update_status(*, actor, commitment: Commitment, status: str, delivered_on=None,
                             expected_version=None) -> Commitment:
    """The commitment's owner (or whoever may edit the plan) reports progress. Progress is not
    content: no sign-off or agreement is needed again."""
    commitment = (Commitment.objects.select_for_update(of=("self",)).select_related("plan__account")
                  .get(pk=commitment.pk))
    if not actor.has_perm("planning.update_commitment", commitment):
        raise Forbidden(_("Only the commitment's owner or the plan's editors may update its status."))
    if commitment.plan.status == PlanStatus.CLOSED:
        raise Invalid(_("This plan is closed; start a plan for the next period instead."))
    versioning.check(commitment, expected_version, ("status", "delivered_on"))
    if status not in CommitmentStatus.values:
        raise Invalid(errors={"status": [_("Unknown status.")]})
    clean_field(Commitment, "delivered_on", delivered_on)
    _check_delivered(delivered_on)
    commitment.status = status
    commitment.delivered_on = _delivered_on(status, delivered_on)
    versioning.bump(commitment)
    commitment._history_user = actor
    commitment.save()
    _touch(commitment.plan, actor)
    return commitment


ROW_MODELS = {"task": KnowledgeTask, "opportunity": Opportunity, "review": PlanReview,
              "value": ValueDelivered}


@transaction.atomic
def row_delete(*, actor, row) -> None:
    """Remove a task, opportunity, review or value entry (a commitment: `commitment_delete`)."""
    if type(row) not in ROW_MODELS.values():
        raise Invalid(_("Only tasks, opportunities, reviews and value entries are removed here."))
    plan = _lock_plan(row.plan_id)
    _require_edit(actor, plan)
    for locked in type(row).objects.filter(plan=plan, pk=row.pk):
        locked._history_user = actor
        locked.delete()
    _touch(plan, actor)


@transaction.atomic
def review_save(*, actor, plan: AccountPlan, data: dict, row=None, expected_version=None) -> PlanReview:
    plan, review = _edit_target(actor, plan, PlanReview, row)
    held = data.get("held_on")
    require_not_in_future("held_on", held, _("A review cannot have been held in the future."))
    review = _row_save(plan, actor, review, data, expected_version)
    if review.held_on:
        # A held review sets the next one by the programme's cadence.
        days = ProgrammeSettings.current().plan_review_days
        nxt = review.held_on + datetime.timedelta(days=days)
        if plan.next_review_date is None or plan.next_review_date < nxt:
            AccountPlan.objects.filter(pk=plan.pk).update(next_review_date=nxt)
            plan.next_review_date = nxt
        _event(plan, actor, msg.REVIEW_HELD, "review", date=review.held_on)
    return review


@transaction.atomic
def value_save(*, actor, plan: AccountPlan, data: dict, row=None, expected_version=None) -> ValueDelivered:
    plan, entry = _edit_target(actor, plan, ValueDelivered, row)
    return _row_save(plan, actor, entry, data, expected_version)
