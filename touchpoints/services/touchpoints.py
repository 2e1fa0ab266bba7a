"""Touchpoints, client feedback, sponsor-visit reminders and personal data."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, ActivityKind, Contact
from accounts.services import activity_record, contacts_mark_contacted
from kam.errors import clean
from kam.models import Department, ProgrammeSettings
from kam.services import notification_send
from kam.validators import require_not_in_future

from .. import messages as msg
from .. import selectors
from ..models import ClientFeedback, PartnershipRating, Touchpoint, TouchpointKind
from . import follow_ups
from .common import _contacts_of, _department_of, _invalid, _require

# A touchpoint may be logged a little ahead of the server clock (phones drift), not in the future.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)


@transaction.atomic
def touchpoint_log(*, actor, account: Account, department: Department, channel: str, kind: str,
                   summary: str, quality: int = 3, occurred_at: datetime.datetime | None = None,
                   our_people: Iterable = (), contacts: Iterable[Contact] = (), follow_up: bool = False,
                   follow_up_note: str = "", follow_up_owner=None, follow_up_due: datetime.date | None = None,
                   cost: Decimal | None = None) -> Touchpoint:
    """Log one contact with the account. Only people who may see the account may log on it; an
    executive (sponsor) visit only by the account's sponsor or the programme lead.

    A follow-up needs a due date and an owner who may see the account (the person logging, unless
    someone else is named). Each client contact's last contact moves to the touchpoint's day."""
    _require(actor, "touchpoints.log_touchpoint", account)
    if kind == TouchpointKind.EXECUTIVE_VISIT and not actor.has_perm("touchpoints.log_sponsor_visit", account):
        raise _invalid("kind", _("Only the account's executive sponsor logs sponsor visits."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        raise _invalid("occurred_at", _("A touchpoint cannot be in the future."))
    if not 1 <= int(quality) <= 5:
        raise _invalid("quality", _("Quality goes from 1 to 5."))
    if cost is not None and cost < 0:
        raise _invalid("cost", _("The cost cannot be negative."))
    contacts = _contacts_of(account, contacts)
    follow_up_owner, follow_up_due = follow_ups.checked(actor=actor, account=account, follow_up=follow_up,
                                                        owner=follow_up_owner, due=follow_up_due,
                                                        day=timezone.localtime(occurred_at).date())
    touchpoint = Touchpoint(
        account=account, occurred_at=occurred_at, department=department, channel=channel, kind=kind,
        summary=summary.strip(), quality=quality, follow_up=follow_up, follow_up_note=follow_up_note.strip(),
        follow_up_owner=follow_up_owner, follow_up_due=follow_up_due,
        cost=cost or Decimal("0"), created_by=actor,
    )
    clean(touchpoint, exclude=["created_by", "follow_up_owner"])  # the model's bounds: dates, amounts, lengths
    touchpoint._history_user = actor
    touchpoint.save()
    people = {p.pk: p for p in our_people or []}
    people.setdefault(actor.pk, actor)
    touchpoint.our_people.set(people.values())
    touchpoint.contacts.set(contacts)
    if contacts:
        contacts_mark_contacted(actor=actor, contacts=contacts, day=timezone.localtime(occurred_at).date())
    is_visit = kind == TouchpointKind.EXECUTIVE_VISIT
    activity_record(
        account=account,
        kind=ActivityKind.SPONSOR_VISIT if is_visit else ActivityKind.TOUCHPOINT,
        subkind=kind,
        message=msg.TOUCHPOINT,
        params={"kind": kind, "channel": channel, "line": _first_line(touchpoint)},
        actor=actor,
        occurred_at=occurred_at,
        department=department,
    )
    return touchpoint


def _first_line(touchpoint: Touchpoint) -> str:
    return touchpoint.summary.splitlines()[0] if touchpoint.summary else ""


# --- Sponsor visits --------------------------------------------------------------------------------
def sponsor_visits_remind(*, today: datetime.date | None = None) -> int:
    """Remind each sponsor of key accounts whose last sponsor visit is older than the cadence.

    Once per account per cadence window: the event key names the window (how many cadences since the
    visit was due), so a daily job reminds again only after another full cadence without a visit.
    """
    from ..selectors import sponsor_visit_status

    today = today or timezone.localdate()
    cadence = ProgrammeSettings.current().sponsor_visit_days
    accounts = Account.objects.active().key().filter(sponsor__isnull=False).select_related("sponsor", "kam")
    sent = 0
    for status in sponsor_visit_status(accounts, today=today):
        if not status.overdue:
            continue
        window = (today - status.next_due).days // max(cadence, 1)
        account = status.account
        if status.last_visit:
            message = msg.NOTICE_VISIT_OVERDUE
            params = {"account": account.name, "date": timezone.localtime(status.last_visit).date(), "days": cadence}
        else:
            message, params = msg.NOTICE_NO_VISIT, {"account": account.name, "days": cadence}
        created = notification_send(
            recipients=[account.sponsor],
            event_key=f"sponsor-visit:{account.pk}:{status.next_due.isoformat()}:{window}",
            message=message, params=params, link=reverse("touchpoints:timeline", args=[account.pk]),
        )
        sent += len(created)
    return sent


# --- Feedback --------------------------------------------------------------------------------------
@transaction.atomic
def feedback_record(*, actor, account: Account, contact: Contact | None, score: int, comment: str = "",
                    received_on: datetime.date | None = None) -> ClientFeedback:
    _require(actor, "touchpoints.log_touchpoint", account)
    if contact is not None:
        _contacts_of(account, [contact])
    if not 0 <= int(score) <= 10:
        raise _invalid("score", _("The score goes from 0 to 10."))
    received_on = received_on or timezone.localdate()
    require_not_in_future("received_on", received_on)
    feedback = ClientFeedback(account=account, contact=contact, score=score, comment=comment.strip(),
                              received_on=received_on, recorded_by=actor)
    clean(feedback, exclude=["contact", "recorded_by"])
    feedback.save()
    if contact is not None:
        message = msg.FEEDBACK_COMMENT if comment.strip() else msg.FEEDBACK
    else:
        message = msg.FEEDBACK_ANONYMOUS_COMMENT if comment.strip() else msg.FEEDBACK_ANONYMOUS
    activity_record(
        account=account, kind=ActivityKind.FEEDBACK, subkind="client", actor=actor,
        occurred_at=_day_moment(received_on), message=message,
        params={"score": int(score), "who": contact.name if contact else "", "comment": comment.strip()},
        link=reverse("touchpoints:feedback_list", args=[account.pk]),
    )
    return feedback


@transaction.atomic
def partnership_rate(*, actor, account: Account, score: int, comment: str = "",
                     rated_on: datetime.date | None = None) -> PartnershipRating:
    _require(actor, "touchpoints.rate_partnership", account)
    if not 0 <= int(score) <= 10:
        raise _invalid("score", _("The score goes from 0 to 10."))
    rated_on = rated_on or timezone.localdate()
    require_not_in_future("rated_on", rated_on)
    rating = PartnershipRating(account=account, rated_by=actor, score=score, comment=comment.strip(),
                               rated_on=rated_on)
    clean(rating, exclude=["rated_by"])
    rating.save()
    activity_record(
        account=account, kind=ActivityKind.FEEDBACK, subkind="partnership", actor=actor,
        occurred_at=_day_moment(rated_on), department=_department_of(actor, account),
        message=msg.PARTNERSHIP_COMMENT if comment.strip() else msg.PARTNERSHIP,
        params={"score": int(score), "comment": comment.strip()},
        link=reverse("touchpoints:feedback_list", args=[account.pk]),
    )
    return rating


def _day_moment(day: datetime.date) -> datetime.datetime:
    """Today's entries keep the current time (order in the stream); past days sit at noon."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- Personal data ---------------------------------------------------------------------------------
@transaction.atomic
def personal_data_erase(person) -> dict[str, int]:
    """Scrub one client contact from the account's touchpoints, incidents and feedback, and from their
    history (accounts.personal_data; called by accounts.services.contact_erase, which checks who may).
    The rows stay, linked to the anonymised contact: they are what happened, and the metrics count them."""
    from accounts.personal_data import scrub, with_history

    return {"touchpoint_texts": sum(scrub(person, with_history(rows, history), fields)
                                    for rows, fields, history in selectors.personal_texts(person.contact.account))}
