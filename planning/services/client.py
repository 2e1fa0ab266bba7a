"""What the client does through a share link, after proving with a one-time code that they are the
contact it is addressed to: their commitments' progress, their word on the value we delivered, change
requests, and their acceptance. Every action records who, when and from where, reaches the account's
stream and notifies the plan's owner and the KAM.

The rule of the method: a plan is agreed only when the client agrees to it as it is. An acceptance
"with conditions" is a change request, not an agreement: the plan shows "changes requested" until the
KAM answers and shares it again (`sharing.share_link_reopen` or a new link)."""

import datetime
import secrets
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.selectors import contact_language
from kam import versioning
from kam.errors import Forbidden, Invalid, clean_field
from kam.ratelimit import RateLimit
from kam.services import notification_send
from kam.tokens import token_new

from .. import messages as msg
from .. import selectors
from ..models import (
    AgreementChannel,
    ClientAction,
    ClientActionKind,
    ClientMessage,
    ClientSession,
    ClientThread,
    Commitment,
    CommitmentStatus,
    Party,
    PlanStatus,
    ShareCode,
    ShareLink,
    ShareSection,
    ThreadKind,
    ValueDelivered,
)
from .plans import _agree, _event, _lock_plan, _plan_link, _require_edit

# Codes asked for per link and per address: a client who mistypes or loses a message asks again a few
# times; a script filling a mailbox with codes, or trying codes one request after another, is stopped.
CODE_REQUESTS_PER_LINK = RateLimit("share-code-link", limit=5, window=3600)
CODE_REQUESTS_PER_ADDRESS = RateLimit("share-code-address", limit=10, window=3600)


@dataclass(frozen=True)
class Origin:
    """Where a client's request came from, recorded with each of their actions."""

    ip: str = ""
    user_agent: str = ""


# --- the code and the session ------------------------------------------------------------------------

def share_code_request(*, link: ShareLink, origin: Origin) -> ShareCode:
    """Send a new code to the link's address; earlier unspent codes stop working."""
    if not link.is_active() or not link.email:
        raise Invalid(_("This link cannot be opened."))
    if (CODE_REQUESTS_PER_LINK.hit(str(link.pk)) > CODE_REQUESTS_PER_LINK.limit
            or CODE_REQUESTS_PER_ADDRESS.hit(origin.ip or "-") > CODE_REQUESTS_PER_ADDRESS.limit):
        raise Invalid(_("Too many codes were asked for. Wait an hour and ask again."))
    code = f"{secrets.randbelow(10 ** selectors.CODE_DIGITS):0{selectors.CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        ShareCode.objects.filter(link=link, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        share_code = ShareCode.objects.create(
            link=link, email=link.email, code_hash=selectors.code_hash(link.pk, code), created_at=now,
            expires_at=now + datetime.timedelta(minutes=selectors.CODE_MINUTES))
        with translation.override(contact_language(link.contact)):
            context = {"code": code, "minutes": selectors.CODE_MINUTES, "link": link}
            subject = render_to_string("planning/email/share_code_subject.txt", context).strip()
            body = render_to_string("planning/email/share_code.txt", context)
        # Sent inside the transaction: a code that could not be sent is not left waiting to be guessed.
        send_mail(subject, body, None, [link.email])
    return share_code


def share_code_verify(*, link: ShareLink, code: str, origin: Origin) -> tuple[ClientSession, str]:
    """Check `code` against the link's latest code. Right: the code is spent and a client session opens
    (returned with its key, which is not stored). Wrong: one try fewer, kept even though the answer is
    a refusal; after the last try the code is spent and a new one must be asked for."""
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        current = (ShareCode.objects.select_for_update().filter(link=link, used_at__isnull=True, expires_at__gt=now)
                   .order_by("-created_at", "-pk").first())
        if current is None:
            outcome = "none"
        elif secrets.compare_digest(current.code_hash, selectors.code_hash(link.pk, code)):
            current.used_at = now
            current.save(update_fields=["used_at"])
            outcome = "right"
        else:
            current.attempts += 1
            if current.attempts >= selectors.CODE_TRIES:
                current.used_at = now
            current.save(update_fields=["attempts", "used_at"])
            outcome = "wrong" if current.used_at is None else "spent"
    if outcome == "none":
        raise Invalid(errors={"code": [_("This code has expired or was already used. Ask for a new code.")]})
    if outcome == "spent":
        raise Invalid(errors={"code": [_("Wrong code, and no tries are left. Ask for a new code.")]})
    if outcome == "wrong":
        left = selectors.CODE_TRIES - (current.attempts if current is not None else 0)
        raise Invalid(errors={"code": [_("Wrong code. Tries left: %(n)d.") % {"n": left}]})
    return _session_open(link, origin)


@transaction.atomic
def _session_open(link, origin) -> tuple[ClientSession, str]:
    key, key_hash = token_new()
    session = ClientSession.objects.create(
        link=link, contact=link.contact, key_hash=key_hash,
        expires_at=min(link.expires_at, timezone.now() + datetime.timedelta(hours=selectors.CLIENT_SESSION_HOURS)),
        ip=origin.ip or None, user_agent=origin.user_agent[:300])
    _record(session, ClientActionKind.VERIFIED, origin, notify=False)
    return session, key


def _require_session(session: ClientSession) -> tuple[ClientSession, ShareLink]:
    """The session as it is now (revoked links and ended sessions act no more), its link locked."""
    session = ClientSession.objects.select_related("contact").get(pk=session.pk)
    link = ShareLink.objects.select_for_update(of=("self",)).select_related("plan__account", "contact").get(
        pk=session.link_id)
    if session.ended_at is not None or session.expires_at <= timezone.now() or not link.is_active():
        raise Forbidden(_("Your session on this plan has ended. Open the link again to get a new code."))
    if link.plan.status == PlanStatus.CLOSED:
        raise Invalid(_("This plan is closed."))
    session.link = link
    return session, link


def _who(session) -> str:
    return session.contact.name if session.contact else session.link.label


def _record(session, kind, origin, *, subject="", note="", on_date=None, notify=True) -> ClientAction:
    link = session.link
    plan = link.plan
    action = ClientAction.objects.create(plan=plan, link=link, contact=session.contact, kind=kind,
                                         subject=subject[:400], note=note, on_date=on_date,
                                         ip=origin.ip or None, user_agent=origin.user_agent[:300])
    who = _who(session)
    if kind == ClientActionKind.VERIFIED:
        _event(plan, None, msg.CLIENT_VERIFIED, "client_verified", who=who)
    else:
        what = subject + (f" — {note}" if note else "")
        _event(plan, None, msg.CLIENT_ACTED, f"client_{kind}", who=who, action=kind, what=what[:300])
    if notify:
        notification_send(
            recipients=[plan.owner, plan.account.kam], event_key=f"client-action:{action.pk}",
            message=msg.NOTICE_CLIENT_ACTED,
            params={"account": plan.account, "who": who, "action": kind, "what": (subject or "—")[:300]},
            link=_plan_link(plan))
    return action


def _note(note: str, *, required: bool = False, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise Invalid(errors={field: [_("Please write a few words.")]})
    clean_field(ClientAction, "note", note)
    return note


# --- the client's contributions ---------------------------------------------------------------------

CLIENT_COMMITMENT_STATUSES: dict[str, str] = {CommitmentStatus.DONE: ClientActionKind.COMMITMENT_DONE,
                              CommitmentStatus.AT_RISK: ClientActionKind.COMMITMENT_AT_RISK}


@transaction.atomic
def client_commitment_status(*, session: ClientSession, commitment: Commitment, status: str, note: str = "",
                             on_date: datetime.date | None = None, origin: Origin) -> Commitment:
    """The client reports on one of their own commitments: done (on a date) or at risk (with a note).
    Ours are not theirs to change. Progress is not content: no agreement is needed again."""
    session, link = _require_session(session)
    if ShareSection.COMMITMENTS in link.hidden_sections:
        raise Forbidden(_("This link does not show the commitments."))
    theirs = Commitment.objects.select_for_update(of=("self",)).filter(
        pk=commitment.pk, plan=link.plan, party=Party.CLIENT).first()
    if theirs is None:
        raise Forbidden(_("Only your own commitments can be updated here."))
    commitment = theirs
    if status not in CLIENT_COMMITMENT_STATUSES:
        raise Invalid(errors={"status": [_("Choose done or at risk.")]})
    note = _note(note, required=status == CommitmentStatus.AT_RISK)
    if on_date is not None:
        clean_field(ClientAction, "on_date", on_date)
        if status == CommitmentStatus.DONE and on_date > timezone.localdate():
            raise Invalid(errors={"on_date": [_("A commitment is done on a day that has come.")]})
    commitment.status = status
    commitment.delivered_on = (on_date or timezone.localdate()) if status == CommitmentStatus.DONE else None
    versioning.bump(commitment)
    commitment._change_reason = "client update"
    commitment.save()
    _record(session, CLIENT_COMMITMENT_STATUSES[status], origin, subject=commitment.description, note=note,
            on_date=on_date)
    return commitment


@transaction.atomic
def client_value_answer(*, session: ClientSession, entry: ValueDelivered, confirmed: bool, note: str = "",
                        origin: Origin) -> ValueDelivered:
    """The client confirms a value-delivered entry or disputes it (a dispute says why)."""
    session, link = _require_session(session)
    if ShareSection.VALUE in link.hidden_sections:
        raise Forbidden(_("This link does not show the value delivered."))
    row = ValueDelivered.objects.select_for_update().filter(pk=entry.pk, plan=link.plan).first()
    if row is None:
        raise Forbidden(_("That entry is not part of this plan."))
    entry = row
    note = _note(note, required=not confirmed)
    clean_field(ValueDelivered, "client_note", note)
    entry.confirmed_by_client = confirmed
    entry.disputed_by_client = not confirmed
    entry.client_note = note
    versioning.bump(entry)
    entry.save()
    kind = ClientActionKind.VALUE_CONFIRMED if confirmed else ClientActionKind.VALUE_DISPUTED
    _record(session, kind, origin, subject=entry.outcome, note=note)
    return entry


@transaction.atomic
def client_request_change(*, session: ClientSession, body: str, section: str = "",
                          commitment: Commitment | None = None, origin: Origin) -> ClientThread:
    """The client asks for a change on a section of the plan or on a commitment: a thread the KAM
    answers from the plan page."""
    session, link = _require_session(session)
    targets = selectors.client_targets(link)
    body = _note(body, required=True, field="body")
    subject = ""
    if commitment is not None:
        commitment = next((c for c in targets["request_commitments"] if c.pk == commitment.pk), None)
        if commitment is None:
            raise Invalid(errors={"commitment": [_("Choose a commitment shown on this plan.")]})
        subject = commitment.description
        section = ShareSection.COMMITMENTS
    else:
        sections = dict(targets["request_sections"])
        if section not in sections:
            raise Invalid(errors={"section": [_("Choose a part of the plan shown here.")]})
        subject = str(sections[section] or _("The plan as a whole"))
    thread = ClientThread.objects.create(plan=link.plan, link=link, contact=session.contact,
                                         kind=ThreadKind.CHANGE, section=section, commitment=commitment)
    ClientMessage.objects.create(thread=thread, author_contact=session.contact, author_name=_who(session), body=body)
    _record(session, ClientActionKind.CHANGE_REQUESTED, origin, subject=subject, note=body)
    return thread


@transaction.atomic
def client_accept(*, session: ClientSession, conditions: str = "", origin: Origin):
    """The client accepts the plan. Without conditions it is their agreement, through the one rule of
    `_agree` (our side committed, every sign-off given). With conditions it is not: the conditions
    become a thread and the plan shows "changes requested" until the KAM answers and shares again."""
    session, link = _require_session(session)
    plan = _lock_plan(link.plan_id)
    if selectors.changes_requested(plan):
        raise Invalid(_("Your conditions are with the account team: you can accept once they have answered "
                        "and shared the plan again."))
    conditions = _note(conditions, field="conditions")
    who = _who(session)
    if conditions:
        if plan.status not in (PlanStatus.COMMITTED,):
            raise Invalid(_("This plan is not open for agreement at the moment."))
        thread = ClientThread.objects.create(plan=plan, link=link, contact=session.contact, kind=ThreadKind.CONDITIONS,
                                             section=selectors.GENERAL)
        ClientMessage.objects.create(thread=thread, author_contact=session.contact, author_name=who, body=conditions)
        _record(session, ClientActionKind.ACCEPTED_WITH_CONDITIONS, origin, subject=str(plan.period_label),
                note=conditions)
        return thread
    plan = _agree(plan, by=who, contact=session.contact, channel=AgreementChannel.SHARE_LINK, note="", actor=None)
    _record(session, ClientActionKind.ACCEPTED, origin, subject=str(plan.period_label), notify=False)
    return plan


# --- our answers -------------------------------------------------------------------------------------

@transaction.atomic
def client_thread_answer(*, actor, thread: ClientThread, body: str) -> ClientMessage:
    """The KAM answers a client's request from the plan page; the client reads it on their link."""
    thread = ClientThread.objects.select_for_update(of=("self",)).select_related("plan__account").get(pk=thread.pk)
    plan = thread.plan
    _require_edit(actor, plan)
    body = (body or "").strip()
    if not body:
        raise Invalid(errors={"body": [_("Write your answer.")]})
    clean_field(ClientMessage, "body", body)
    message = ClientMessage.objects.create(thread=thread, author_user=actor, body=body)
    thread.answered_at = message.created_at
    thread.save(update_fields=["answered_at"])
    first = thread.messages.order_by("created_at", "pk").first()
    _event(plan, actor, msg.CLIENT_ANSWERED, "client_answered", what=(first.body if first else body)[:200])
    return message
