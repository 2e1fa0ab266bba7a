"""Writes on negotiation preparation, and following an agreement up as a commitment of the plan."""

from decimal import Decimal

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


def _require_negotiation_edit(user, account):
    if not user.has_perm("planning.change_plan", account):
        raise Forbidden(_("Only the account's KAM, a KAM on its team or the programme lead may prepare "
                          "negotiations."))


NEGOTIATION_FIELDS = ("title", "scheduled_on", "plan", "our_batna", "their_batna", "strategy",
                      "strategy_notes")


@transaction.atomic
def negotiation_create(*, user, account, title: str, plan=None) -> Negotiation:
    _require_negotiation_edit(user, account)
    if plan is not None and plan.account_id != account.pk:
        raise Invalid(errors={"plan": [_("That plan belongs to another account.")]})
    if not title.strip():
        raise Invalid(errors={"title": [_("Give the negotiation a subject.")]})
    negotiation = Negotiation(account=account, title=title.strip(), plan=plan, created_by=user)
    negotiation._history_user = user
    negotiation.save()
    return negotiation


@transaction.atomic
def negotiation_update(*, user, negotiation_id: int, version, data: dict) -> Negotiation:
    neg = Negotiation.objects.select_for_update(of=("self",)).select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(user, neg.account)
    unknown = set(data) - set(NEGOTIATION_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    versioning.check(neg, version, list(data))
    plan = data.get("plan")
    if plan is not None and plan.account_id != neg.account_id:
        raise Invalid(errors={"plan": [_("That plan belongs to another account.")]})
    for name, value in data.items():
        setattr(neg, name, value)
    versioning.bump(neg)
    neg._history_user = user
    neg.save()
    return neg


NEGOTIATION_ROWS = {"objective": NegotiationObjective, "variable": NegotiationVariable,
                    "concession": Concession, "agreement": NegotiationAgreement}


def _locked_negotiation(user, negotiation_id) -> Negotiation:
    neg = Negotiation.objects.select_for_update(of=("self",)).select_related("account").get(pk=negotiation_id)
    _require_negotiation_edit(user, neg.account)
    return neg


@transaction.atomic
def negotiation_row_save(*, user, negotiation_id: int, kind: str, data: dict, pk: int | None = None,
                         version=None):
    """Add a row to a negotiation's preparation, or edit one (version-checked)."""
    neg = _locked_negotiation(user, negotiation_id)
    model = NEGOTIATION_ROWS[kind]
    if pk:
        row = model.objects.select_for_update(of=("self",)).get(negotiation=neg, pk=pk)
        if kind == "agreement" and row.commitment_id:
            raise Invalid(_("This agreement is already a commitment in the plan: change the commitment there."))
        versioning.check(row, version, list(data))
        versioning.bump(row)
    else:
        row = model(negotiation=neg)
    for name, value in data.items():
        setattr(row, name, value)
    clean(row)
    row._history_user = user
    row.save()
    Negotiation.objects.filter(pk=neg.pk).update(updated_at=timezone.now())
    return row


def negotiation_row_add(*, user, negotiation_id: int, kind: str, data: dict):
    return negotiation_row_save(user=user, negotiation_id=negotiation_id, kind=kind, data=data)


@transaction.atomic
def negotiation_row_delete(*, user, negotiation_id: int, kind: str, pk: int) -> None:
    neg = _locked_negotiation(user, negotiation_id)
    for row in NEGOTIATION_ROWS[kind].objects.filter(negotiation=neg, pk=pk):
        row._history_user = user
        row.delete()


@transaction.atomic
def agreement_to_commitment(*, user, agreement_id: int, department=None, owner=None,
                            contact=None) -> Commitment:
    """Follow an agreement up: it becomes a commitment of the negotiation's plan (or the account's
    open plan), tracked like any other, through the same rules (`commitment_save`)."""
    agreement = NegotiationAgreement.objects.select_for_update(of=("self",)).select_related(
        "negotiation__account", "negotiation__plan").get(pk=agreement_id)
    neg = agreement.negotiation
    _require_negotiation_edit(user, neg.account)
    if agreement.commitment_id:
        raise Invalid(_("This agreement is already a commitment in the plan."))
    plan = neg.plan or neg.account.plans.exclude(status=PlanStatus.CLOSED).order_by("-period_start").first()
    if plan is None or plan.status == PlanStatus.CLOSED:
        raise Invalid(_("The account has no open plan to add the commitment to; start one first."))
    due = agreement.due_date or plan.period_end
    commitment = commitment_save(user=user, plan_id=plan.pk, data={
        "party": agreement.party, "department": department, "owner": owner, "contact": contact,
        "description": agreement.description[:400], "due_date": due, "status": CommitmentStatus.OPEN,
    })
    agreement.commitment = commitment
    versioning.bump(agreement)
    agreement._history_user = user
    agreement.save(update_fields=["commitment", "version"])
    return commitment


def weighted_pipeline(opportunities) -> Decimal:
    return sum((o.weighted_value for o in opportunities), Decimal("0.00"))
