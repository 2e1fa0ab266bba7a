"""Writes on framework agreements: drafting (by hand or from a negotiation), editing, the status
workflow, terms, following a term up as a plan commitment, and the nightly renewal alert."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ActivityKind
from accounts.services import activity_record
from kam import versioning
from kam.errors import Forbidden, Invalid, clean
from kam.services import notification_send
from planning import selectors as planning_selectors
from planning import services as planning_services
from planning.models import CommitmentStatus, Negotiation, PlanStatus

from . import formulas, selectors
from . import messages as msg
from .models import (
    CLOSED_STATUSES,
    AgreementStatus,
    AgreementTerm,
    FrameworkAgreement,
    TermKind,
)

AGREEMENT_FIELDS = ("title", "scope", "start_date", "end_date", "renewal_date", "notice_days")
TERM_FIELDS = ("kind", "text", "value", "unit", "party")

# The workflow people drive: action -> (statuses it starts from, status it leads to). "Expiring" is not
# here: the nightly job sets it when the notice date comes (agreement_renewal_alerts_send); "renewed" is
# reached through agreement_renew, which also opens the successor.
TRANSITIONS = {
    "sign": ((AgreementStatus.NEGOTIATION,), AgreementStatus.SIGNED),
    "activate": ((AgreementStatus.SIGNED,), AgreementStatus.ACTIVE),
    "end": ((AgreementStatus.NEGOTIATION, AgreementStatus.SIGNED, AgreementStatus.ACTIVE,
             AgreementStatus.EXPIRING), AgreementStatus.ENDED),
}
RENEWABLE = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)


def _require_change(actor, account) -> None:
    if actor is None or not actor.has_perm("agreements.change_agreement", account):
        raise Forbidden(_("Only the account's KAM and the programme lead may change its framework agreements."))


def _link(agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


def _event(agreement, actor, message: str, subkind: str, **params) -> None:
    # Commercial: operations read the account's timeline but not its agreements.
    activity_record(account=agreement.account, kind=ActivityKind.PLAN_EVENT, message=message,
                    params={"title": agreement.title, **params}, actor=actor,
                    link=_link(agreement), subkind=f"agreement_{subkind}", commercial=True)


def _lock(pk) -> FrameworkAgreement:
    return FrameworkAgreement.objects.select_for_update(of=("self",)).select_related("account").get(pk=pk)


def _derive(agreement: FrameworkAgreement) -> None:
    """Fill the renewal date (the end date unless given) and the notice date, then check the dates."""
    if agreement.renewal_date is None:
        agreement.renewal_date = agreement.end_date
    errors: dict[str | None, list[str]] = {}
    if agreement.start_date and agreement.end_date and agreement.end_date < agreement.start_date:
        errors["end_date"] = [_("The agreement cannot end before it starts.")]
    if agreement.renewal_date and agreement.start_date and agreement.renewal_date < agreement.start_date:
        errors["renewal_date"] = [_("The renewal date cannot come before the start date.")]
    if errors:
        raise Invalid(errors=errors)
    if agreement.renewal_date is not None and agreement.notice_days is not None:
        agreement.notice_date = formulas.notice_date(agreement.renewal_date, agreement.notice_days)


def _save(agreement, actor) -> FrameworkAgreement:
    _derive(agreement)
    clean(agreement)
    agreement._history_user = actor
    agreement.save()
    return agreement


@transaction.atomic
def agreement_create(*, actor, account, data: dict, negotiation: Negotiation | None = None) -> FrameworkAgreement:
    """Draft an agreement with `account` (in negotiation), from the fields of AGREEMENT_FIELDS."""
    _require_change(actor, account)
    unknown = set(data) - set(AGREEMENT_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if negotiation is not None and negotiation.account_id != account.pk:
        raise Invalid(_("That negotiation belongs to another account."))
    agreement = FrameworkAgreement(account=account, negotiation=negotiation, created_by=actor,
                                   status=AgreementStatus.NEGOTIATION, **data)
    _save(agreement, actor)
    _event(agreement, actor, msg.DRAFTED, "drafted")
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: FrameworkAgreement, expected_version, data: dict) -> FrameworkAgreement:
    """Edit the agreement's fields. A closed agreement (renewed or ended) is a record and stays as it was.
    An expiring agreement whose renewal moves out past today's notice date is active again."""
    unknown = set(data) - set(AGREEMENT_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    row = _lock(agreement.pk)
    _require_change(actor, row.account)
    versioning.check(row, expected_version, list(data))
    if row.status in CLOSED_STATUSES:
        raise Invalid(_("This agreement is closed; it is kept as it was."))
    for name, value in data.items():
        setattr(row, name, value)
    versioning.bump(row)
    _derive(row)
    if row.status == AgreementStatus.EXPIRING and row.notice_date > timezone.localdate():
        row.status = AgreementStatus.ACTIVE
    return _save(row, actor)


@transaction.atomic
def agreement_transition(*, actor, agreement: FrameworkAgreement, action: str,
                         expected_version=versioning.CURRENT) -> FrameworkAgreement:
    """Move the agreement along its workflow (TRANSITIONS); any other move is refused."""
    if action not in TRANSITIONS:
        raise Invalid(_("Unknown action."))
    row = _lock(agreement.pk)
    _require_change(actor, row.account)
    versioning.check(row, expected_version, ["status"])
    sources, target = TRANSITIONS[action]
    if row.status not in sources:
        raise Invalid(_("An agreement that is %(status)s cannot go to %(target)s.")
                      % {"status": row.get_status_display().lower(), "target": target.label.lower()})
    if action == "sign":
        if not row.terms.exists():
            raise Invalid(_("Write down the agreement's terms before signing it."))
        row.signed_on = timezone.localdate()
    row.status = target
    versioning.bump(row)
    _save(row, actor)
    _event(row, actor, msg.STATUS, action, status=target.value)
    return row


@transaction.atomic
def agreement_renew(*, actor, agreement: FrameworkAgreement,
                    expected_version=versioning.CURRENT) -> FrameworkAgreement:
    """Renew: the agreement is marked renewed and linked to its successor, a new agreement in
    negotiation that starts the day after it ends, runs as long, and carries its terms over to be
    renegotiated. Returns the successor."""
    row = _lock(agreement.pk)
    _require_change(actor, row.account)
    versioning.check(row, expected_version, ["status"])
    if row.status not in RENEWABLE:
        raise Invalid(_("Only an active or expiring agreement is renewed."))
    start = row.end_date + datetime.timedelta(days=1)
    end = start + (row.end_date - row.start_date)
    successor = FrameworkAgreement(
        account=row.account, negotiation=row.negotiation, created_by=actor, title=row.title, scope=row.scope,
        start_date=start, end_date=end, renewal_date=end, notice_days=row.notice_days,
        status=AgreementStatus.NEGOTIATION)
    _save(successor, actor)
    AgreementTerm.objects.bulk_create([
        AgreementTerm(agreement=successor, kind=t.kind, text=t.text, value=t.value, unit=t.unit, party=t.party,
                      negotiation_agreement=t.negotiation_agreement)
        for t in row.terms.all()])
    row.status, row.successor = AgreementStatus.RENEWED, successor
    versioning.bump(row)
    _save(row, actor)
    _event(row, actor, msg.RENEWED, "renewed")
    return successor


@transaction.atomic
def agreement_draft_from_negotiation(*, actor, negotiation: Negotiation) -> FrameworkAgreement:
    """The negotiation's written agreements become the terms of a new framework agreement (in
    negotiation, linked to it). Once per negotiation, unless the earlier draft ended."""
    neg = Negotiation.objects.select_for_update(of=("self",)).select_related("account").get(pk=negotiation.pk)
    _require_change(actor, neg.account)
    if selectors.live_from_negotiation(neg).exists():
        raise Invalid(_("This negotiation already has a framework agreement."))
    rows = list(neg.agreements.order_by("pk"))
    if not rows:
        raise Invalid(_("Write down the agreements reached in the negotiation first."))
    start = timezone.localdate()
    agreement = agreement_create(actor=actor, account=neg.account, negotiation=neg, data={
        "title": neg.title, "start_date": start, "end_date": formulas.default_end(start)})
    terms = [AgreementTerm(agreement=agreement, kind=TermKind.OTHER, text=r.description, party=r.party,
                           negotiation_agreement=r) for r in rows]
    for term in terms:
        clean(term)
    AgreementTerm.objects.bulk_create(terms)
    return agreement


def _require_open_terms(agreement) -> None:
    if agreement.status != AgreementStatus.NEGOTIATION:
        raise Invalid(_("The terms are fixed once the agreement is signed; agree changes in a new agreement."))


@transaction.atomic
def term_save(*, actor, agreement: FrameworkAgreement, data: dict, term: AgreementTerm | None = None,
              expected_version=None) -> AgreementTerm:
    """Add a term to an agreement in negotiation, or edit `term` (version-checked)."""
    row = _lock(agreement.pk)
    _require_change(actor, row.account)
    _require_open_terms(row)
    unknown = set(data) - set(TERM_FIELDS)
    if unknown:
        raise Invalid(_("These fields are not edited here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if term is not None:
        target = AgreementTerm.objects.select_for_update(of=("self",)).get(agreement=row, pk=term.pk)
        versioning.check(target, expected_version, list(data))
        versioning.bump(target)
    else:
        target = AgreementTerm(agreement=row)
    for name, value in data.items():
        setattr(target, name, value)
    clean(target)
    target._history_user = actor
    target.save()
    FrameworkAgreement.objects.filter(pk=row.pk).update(updated_at=timezone.now())
    return target


@transaction.atomic
def term_delete(*, actor, term: AgreementTerm) -> None:
    row = _lock(term.agreement_id)
    _require_change(actor, row.account)
    _require_open_terms(row)
    for locked in AgreementTerm.objects.filter(agreement=row, pk=term.pk):
        locked._history_user = actor
        locked.delete()


@transaction.atomic
def term_to_commitment(*, actor, term: AgreementTerm, department=None, owner=None, contact=None):
    """Follow a term up: it becomes a commitment of the account's current plan, through planning's own
    rules (`planning.services.commitment_save`), linked back to the term."""
    term = AgreementTerm.objects.select_for_update(of=("self",)).get(pk=term.pk)
    agreement = _lock(term.agreement_id)
    _require_change(actor, agreement.account)
    if term.commitment_id:
        raise Invalid(_("This term is already a commitment in the plan."))
    if agreement.status in CLOSED_STATUSES:
        raise Invalid(_("This agreement is closed; it is kept as it was."))
    plan = planning_selectors.current_plan(agreement.account)
    if plan is None or plan.status == PlanStatus.CLOSED:
        raise Invalid(_("The account has no open plan to add the commitment to; start one first."))
    text = term.text if term.value is None else f"{term.text} ({term.value} {term.unit})".replace(" )", ")")
    commitment = planning_services.commitment_save(actor=actor, plan=plan, data={
        "party": term.party, "department": department, "owner": owner, "contact": contact,
        "description": text[:400], "due_date": min(plan.period_end, agreement.end_date),
        "status": CommitmentStatus.OPEN,
    })
    term.commitment = commitment
    versioning.bump(term)
    term._history_user = actor
    term.save(update_fields=["commitment", "version"])
    _event(agreement, actor, msg.TERM_COMMITTED, "commitment", term=term.text[:120])
    return commitment


# --- The nightly job -------------------------------------------------------------------------------

def agreement_renewal_alerts_send(*, today: datetime.date | None = None) -> dict:
    """Daily: signed agreements whose start date has come become active; active agreements whose notice
    date has come become expiring, and the account's KAM and sponsor are told, once each (the
    notification's event key names the agreement and its notice date). A second run finds nothing left
    to move and notifies nobody again. Returns the counts."""
    today = today or timezone.localdate()
    started = sum(_activate(a.pk, today) for a in selectors.starting(today))
    expiring = notified = 0
    for agreement in selectors.notice_reached(today):
        moved, sent = _expire(agreement.pk, today)
        expiring += moved
        notified += sent
    return {"activated": started, "expiring": expiring, "notified": notified}


@transaction.atomic
def _activate(pk, today) -> int:
    row = _lock(pk)
    if row.status != AgreementStatus.SIGNED or row.start_date > today:
        return 0  # moved by someone else since it was listed
    row.status = AgreementStatus.ACTIVE
    versioning.bump(row)
    _save(row, None)
    _event(row, None, msg.STATUS, "activate", status=AgreementStatus.ACTIVE.value)
    return 1


@transaction.atomic
def _expire(pk, today) -> tuple[int, int]:
    row = FrameworkAgreement.objects.select_for_update(of=("self",)).select_related(
        "account__kam", "account__sponsor").get(pk=pk)
    if row.status != AgreementStatus.ACTIVE or row.notice_date > today:
        return 0, 0
    row.status = AgreementStatus.EXPIRING
    versioning.bump(row)
    _save(row, None)
    _event(row, None, msg.EXPIRING, "expiring", date=row.renewal_date)
    sent = notification_send(
        recipients=[row.account.kam, row.account.sponsor],
        event_key=f"agreement:{row.pk}:notice:{row.notice_date.isoformat()}",
        message=msg.NOTICE_EXPIRING,
        params={"title": row.title, "account": row.account.name, "notice": row.notice_date,
                "renewal": row.renewal_date},
        link=_link(row))
    return 1, len(sent)
