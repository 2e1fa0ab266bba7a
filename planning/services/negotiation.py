"""Writes on negotiation preparation, and following an agreement up as a commitment of the plan."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Forbidden, Invalid, clean

from ..models import (
    Commitment,
    CommitmentStatus,
    Concession,
    Negotiation,
    NegotiationAgreement,
    NegotiationObjective,
    NegotiationVariable,
    PlanStatus,
)
from .rows import commitment_save


def _require_negotiation_edit(actor, account):
    if not actor.has_perm("planning.change_plan", account):
        raise Forbidden(_("Only the account's KAM, a KAM on its team or the programme lead may prepare "
                          "negotiations."))


NEGOTIATION_FIELDS = ("title", "scheduled_on", "plan", "our_batna", "their_batna", "strategy",
                      "strategy_notes")


@transaction.atomic
def negotiation_create(*, actor, account, title: str, plan=None) -> Negotiation:
    _require_negotiation_edit(actor, account)
    if plan is not None and plan.account_id != account.pk:
        raise Invalid(errors={"plan": [_("That plan belongs to another account.")]})
    if not title.strip():
        raise Invalid(errors={"title": [_("Give the negotiation a subject.")]})
    negotiation = Negotiation(account=account, title=title.strip(), plan=plan, created_by=actor)
    negotiation._history_user = actor
    negotiation.save()
    return negotiation


@transaction.atomic
def negotiation_update(*, actor, negotiation: Negotiation, expected_version, data: dict) -> Negotiation:
    neg = _locked_negotiation(actor, negotiation.pk)
    unknown = set(data) - set(NEGOTIATION_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    versioning.check(neg, expected_version, list(data))
    plan = data.get("plan")
    if plan is not None and plan.account_id != neg.account_id:
        raise Invalid(errors={"plan": [_("That plan belongs to another account.")]})
    for name, value in data.items():
        setattr(neg, name, value)
    versioning.bump(neg)
    neg._history_user = actor
    neg.save()
    return neg


NEGOTIATION_ROWS = {"objective": NegotiationObjective, "variable": NegotiationVariable,
                    "concession": Concession, "agreement": NegotiationAgreement}


def _locked_negotiation(actor, negotiation_id: int) -> Negotiation:
    neg = Negotiation.objects.select_for_update(of=("self",)).select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(actor, neg.account)
    return neg


@transaction.atomic
def negotiation_row_save(*, actor, negotiation: Negotiation, kind: str, data: dict, row=None,
                         expected_version=None):
    """Add a row of `kind` to a negotiation's preparation, or edit `row` (version-checked)."""
    neg = _locked_negotiation(actor, negotiation.pk)
    model = NEGOTIATION_ROWS[kind]
    if row:
        row = model._default_manager.select_for_update(of=("self",)).get(negotiation=neg, pk=row.pk)
        if kind == "agreement" and row.commitment_id:
            raise Invalid(_("This agreement is already a commitment in the plan: change the commitment there."))
        versioning.check(row, expected_version, list(data))
        versioning.bump(row)
    else:
        row = model(negotiation=neg)
    for name, value in data.items():
        setattr(row, name, value)
    clean(row)
    row._history_user = actor
    row.save()
    Negotiation.objects.filter(pk=neg.pk).update(updated_at=timezone.now())
    return row


@transaction.atomic
def negotiation_row_delete(*, actor, row) -> None:
    """Remove a row (objective, variable, concession or agreement) of a negotiation's preparation."""
    if type(row) not in NEGOTIATION_ROWS.values():
        raise Invalid(_("Only a negotiation's objectives, variables, concessions and agreements are removed here."))
    neg = _locked_negotiation(actor, row.negotiation_id)
    for locked in type(row).objects.filter(negotiation=neg, pk=row.pk):
        locked._history_user = actor
        locked.delete()


@transaction.atomic
def agreement_to_commitment(*, actor, agreement: NegotiationAgreement, department=None, owner=None,
                            contact=None) -> Commitment:
    """Follow an agreement up: it becomes a commitment of the negotiation's plan (or the account's
    open plan), tracked like any other, through the same rules (`commitment_save`)."""
    agreement = NegotiationAgreement.objects.select_for_update(of=("self",)).select_related(
        "negotiation__account", "negotiation__plan").get(pk=agreement.pk)
    neg = agreement.negotiation
    _require_negotiation_edit(actor, neg.account)
    if agreement.commitment_id:
        raise Invalid(_("This agreement is already a commitment in the plan."))
    plan = neg.plan or neg.account.plans.exclude(status=PlanStatus.CLOSED).order_by("-period_start").first()
    if plan is None or plan.status == PlanStatus.CLOSED:
        raise Invalid(_("The account has no open plan to add the commitment to; start one first."))
    due = agreement.due_date or plan.period_end
    commitment = commitment_save(actor=actor, plan=plan, data={
        "party": agreement.party, "department": department, "owner": owner, "contact": contact,
        "description": agreement.description[:400], "due_date": due, "status": CommitmentStatus.OPEN,
    })
    agreement.commitment = commitment
    versioning.bump(agreement)
    agreement._history_user = actor
    agreement.save(update_fields=["commitment", "version"])
    return commitment
