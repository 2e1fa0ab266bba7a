"""Writes of the touchpoints app. Each service checks the object rule itself (views are not the only
callers), records the account's Activity row in the same transaction and raises the notifications."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Activity, ActivityKind, Contact
from accounts.services import activity_record, contacts_mark_contacted
from kam import versioning
from kam.errors import Conflict, Forbidden, Invalid, clean, clean_field
from kam.messages import event_fields
from kam.models import Department, ProgrammeSettings
from kam.services import notification_send
from kam.validators import require_not_in_future

from .. import messages as msg
from .. import selectors, sla
from ..models import (
    ACTIVE_STATUSES,
    ClientFeedback,
    IncidentStatus,
    PartnershipRating,
    ServiceIncident,
    SlaPolicy,
    Touchpoint,
    TouchpointKind,
)
from . import follow_ups
from .follow_ups import FOLLOW_UP_FIELDS as FOLLOW_UP_FIELDS
from .follow_ups import touchpoint_follow_up_close as touchpoint_follow_up_close
from .follow_ups import touchpoint_follow_ups_remind as touchpoint_follow_ups_remind

# A touchpoint may be logged a little ahead of the server clock (phones drift), not in the future.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)

STATUS_ORDER = [IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS,
                IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
# The timestamp each status stamps when the incident reaches it.
STATUS_STAMP = {
    IncidentStatus.ACKNOWLEDGED: "acknowledged_at",
    IncidentStatus.IN_PROGRESS: "in_progress_at",
    IncidentStatus.RESOLVED: "resolved_at",
    IncidentStatus.CLOSED: "closed_at",
}


# What a person edits on an incident: a save from an older version says which of these changed.
INCIDENT_FIELDS = ("status", "resolution", "cost")
SLA_FIELDS = ("ack_hours", "resolve_hours")


def _require(user, perm: str, account: Account) -> None:
    if not user.has_perm(perm, account):
        raise Forbidden(_("You may not do this on this account."))


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(errors={field: [message]})


def _contacts_of(account: Account, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(contacts or [])
    if any(c.account_id != account.pk for c in contacts):
        raise _invalid("contacts", _("Choose contacts of this account."))
    return contacts


# --- Touchpoints -----------------------------------------------------------------------------------
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


# --- Incidents -------------------------------------------------------------------------------------
def _incident_link(incident: ServiceIncident) -> str:
    return reverse("touchpoints:incident_detail", args=[incident.pk])


@transaction.atomic
def incident_open(*, actor, account: Account, category: str, severity: str, title: str,
                  description: str = "", contact: Contact | None = None,
                  opened_at: datetime.datetime | None = None) -> ServiceIncident:
    """Open an incident with its SLA deadlines fixed now, from the policy for the account's tier and
    the severity. A key account's KAM is told at once."""
    _require(actor, "touchpoints.work_incident", account)
    if contact is not None:
        _contacts_of(account, [contact])
    opened_at = opened_at or timezone.now()
    # Checked before the deadlines are computed from it: near the ends of the calendar they overflow.
    clean_field(ServiceIncident, "opened_at", opened_at)
    policy = selectors.sla_policy_for(account.tier, severity)
    ack_due, resolve_due = sla.deadlines(opened_at, policy.ack_hours, policy.resolve_hours)
    incident = ServiceIncident(
        account=account, opened_at=opened_at, title=title.strip(), description=description.strip(),
        category=category, severity=severity, contact=contact, opened_by=actor,
        ack_due_at=ack_due, resolve_due_at=resolve_due,
    )
    clean(incident, exclude=["opened_by"])
    incident.save()
    activity_record(
        account=account, kind=ActivityKind.INCIDENT_OPENED, subkind=severity, actor=actor, occurred_at=opened_at,
        department=_department_of(actor, account),
        message=msg.INCIDENT_OPENED,
        params={"severity": severity, "category": category, "title": incident.title},
        link=_incident_link(incident),
    )
    if account.is_key and account.kam_id:
        notification_send(
            recipients=[account.kam], event_key=f"incident:{incident.pk}:opened",
            message=msg.NOTICE_INCIDENT_OPENED,
            params={"severity": severity, "account": account.name, "title": incident.title, "due": ack_due},
            link=_incident_link(incident),
        )
    return incident


def _department_of(user, account: Account) -> Department | None:
    member = account.team_members.filter(user_id=user.pk).select_related("department").first()
    return member.department if member else None


@transaction.atomic
def incident_update(*, actor, incident: ServiceIncident, expected_version, status: str | None = None,
                    resolution: str | None = None, cost: Decimal | None = None,
                    now: datetime.datetime | None = None) -> ServiceIncident:
    """Move an incident forward (never back) and/or record its resolution and cost.

    Optimistic locking (kam.versioning): `expected_version` is the version the form was loaded with;
    if someone saved in between, Conflict says what they changed and nothing is written. Skipping
    steps stamps the skipped timestamps with the same moment, so every SLA clock has its completion
    time.
    """
    now = now or timezone.now()
    # Who may work it first: a refused person must not learn from a conflict what others changed.
    _require(actor, "touchpoints.work_incident", incident.account)
    locked = versioning.claim(
        ServiceIncident.objects.select_related("account", "account__kam", "account__sponsor"),
        incident.pk, expected_version, INCIDENT_FIELDS)
    changes, breaches = [], []
    if status and status != locked.status:
        current = STATUS_ORDER.index(IncidentStatus(locked.status))
        target = STATUS_ORDER.index(IncidentStatus(status))
        if target < current:
            raise _invalid("status", _("An incident cannot go back to an earlier status."))
        if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED) and not (
            (resolution if resolution is not None else locked.resolution).strip()
        ):
            raise _invalid("resolution", _("Say how the incident was resolved."))
        for step in STATUS_ORDER[current + 1: target + 1]:
            setattr(locked, STATUS_STAMP[step], now)
        # A step done after its deadline is a breach even if the job has not seen it yet: it is recorded
        # and escalated here (the event key keeps it to one notification if the job also saw it).
        if locked.acknowledged_at and locked.acknowledged_at > locked.ack_due_at and not locked.ack_breached_at:
            locked.ack_breached_at = now
            breaches.append("ack")
        if locked.resolved_at and locked.resolved_at > locked.resolve_due_at and not locked.resolve_breached_at:
            locked.resolve_breached_at = now
            breaches.append("resolve")
        changes.append((msg.STATUS_CHANGED, {"from": locked.status, "to": status}))
        locked.status = status
    if resolution is not None and resolution.strip() != locked.resolution:
        locked.resolution = resolution.strip()
        changes.append((msg.RESOLUTION_UPDATED, {}))
    if cost is not None and cost != locked.cost:
        if cost < 0:
            raise _invalid("cost", _("The cost cannot be negative."))
        locked.cost = cost
        changes.append((msg.COST_CHANGED, {"cost": cost}))
    if not changes:
        return locked
    clean(locked, exclude=["opened_by"])
    versioning.bump(locked)
    locked.save()
    activity_record(
        account=locked.account, kind=ActivityKind.INCIDENT_UPDATED, subkind=locked.status, actor=actor,
        occurred_at=now, department=_department_of(actor, locked.account),
        message=msg.INCIDENT_UPDATED, params={"id": locked.pk, "title": locked.title, "changes": changes},
        link=_incident_link(locked),
    )
    for which in breaches:
        activity_record(account=locked.account, kind=ActivityKind.INCIDENT_BREACHED, subkind=which, occurred_at=now,
                        link=_incident_link(locked), message=msg.breach(which), params=_breach_params(locked))
        _escalate(locked, which)
    return locked


def sla_breaches_escalate(*, now: datetime.datetime | None = None) -> int:
    """Stamp and escalate every deadline that has passed without its step being done.

    Set-based: one query finds the due breaches of each kind and one UPDATE stamps them, under row
    locks that skip rows another worker holds; the notification's event key makes a rerun harmless.
    Returns the number of breaches escalated now.
    """
    now = now or timezone.now()
    count = 0
    checks = (
        ("ack", Q(status=IncidentStatus.OPEN, acknowledged_at__isnull=True, ack_due_at__lt=now,
                  ack_breached_at__isnull=True), "ack_breached_at"),
        ("resolve", Q(status__in=ACTIVE_STATUSES, resolved_at__isnull=True, resolve_due_at__lt=now,
                      resolve_breached_at__isnull=True), "resolve_breached_at"),
    )
    for which, condition, stamp in checks:
        with transaction.atomic():
            ids = list(ServiceIncident.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(condition).values_list("pk", flat=True))
            if not ids:
                continue
            ServiceIncident.objects.filter(pk__in=ids).update(**{stamp: now})
            incidents = list(ServiceIncident.objects.filter(pk__in=ids)
                             .select_related("account", "account__kam", "account__sponsor"))
            Activity.objects.bulk_create([
                Activity(account=i.account, occurred_at=now, kind=ActivityKind.INCIDENT_BREACHED, subkind=which,
                         link=_incident_link(i), **event_fields(msg.breach(which), _breach_params(i)))
                for i in incidents
            ])
            for incident in incidents:
                _escalate(incident, which)
            count += len(incidents)
    return count


def _breach_params(incident: ServiceIncident) -> dict:
    return {"id": incident.pk, "title": incident.title}


def _escalate(incident: ServiceIncident, which: str) -> None:
    account = incident.account
    due = incident.ack_due_at if which == "ack" else incident.resolve_due_at
    notification_send(recipients=[account.kam, account.sponsor],
                      event_key=f"incident:{incident.pk}:{which}-breach",
                      message=msg.NOTICE_ACK_BREACHED if which == "ack" else msg.NOTICE_RESOLVE_BREACHED,
                      params={"account": account.name, "id": incident.pk, "title": incident.title, "due": due},
                      link=_incident_link(incident))


# --- SLA policy ------------------------------------------------------------------------------------
class SlaRow(NamedTuple):
    """One edited row of the SLA table: the policy, the version the lead started from, the new hours."""

    policy_id: int
    expected_version: object
    ack_hours: int
    resolve_hours: int


@transaction.atomic
def sla_policies_update(*, actor, rows: Iterable[SlaRow]) -> list[SlaPolicy]:
    """Change the hours of some tier x severity rows, all or none. Incidents already open keep their
    deadlines. A row someone else saved since the lead loaded the table refuses the whole save with
    Conflict: every such row's changes (theirs and the lead's), and the rows as they are now."""
    if not actor.has_perm("accounts.manage_programme"):
        raise Forbidden(_("Only the programme lead changes the SLA policy."))
    rows = list(rows)
    for row in rows:
        if row.ack_hours < 1 or row.resolve_hours < row.ack_hours:
            raise Invalid(_("Hours must be at least 1, and resolving cannot take less than acknowledging."))
    # Locked in one statement, in key order: two saves of overlapping rows cannot deadlock.
    locked = {p.pk: p for p in SlaPolicy.objects.select_for_update().filter(pk__in=[r.policy_id for r in rows])
              .order_by("pk")}
    if len(locked) != len({r.policy_id for r in rows}):
        raise Invalid(_("The SLA table sent does not match the saved one. Reload the page and make your "
                        "change again."))
    moved, changes = [], []
    for row in rows:
        policy = locked[row.policy_id]
        try:
            versioning.check(policy, row.expected_version, SLA_FIELDS)
        except Conflict as exc:
            moved.append(policy)
            for change in exc.changes:
                change.label = f"{policy}: {change.label}"
                change.mine = str(getattr(row, change.field))
                changes.append(change)
    if moved:
        raise Conflict(current=moved, changes=changes)
    saved = []
    for row in rows:
        policy = locked[row.policy_id]
        if (policy.ack_hours, policy.resolve_hours) == (row.ack_hours, row.resolve_hours):
            continue
        policy.ack_hours, policy.resolve_hours = row.ack_hours, row.resolve_hours
        versioning.bump(policy)
        policy.save()
        saved.append(policy)
    return saved


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


from .surveys import (  # noqa: E402  (the survey's services, re-exported as this package's)
    survey_answer,
    survey_link_for,
    survey_link_revoke,
    survey_send,
    surveys_send_due,
)

__all__ = ["survey_answer", "survey_link_for", "survey_link_revoke", "survey_send", "surveys_send_due"]
