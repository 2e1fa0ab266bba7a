"""Incidents: opening, the status workflow (with waiting on the client), assignment."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, ActivityKind, Contact
from accounts.services import activity_record
from kam import versioning
from kam.errors import Forbidden, Invalid, clean, clean_field
from kam.people import person_label
from kam.services import notification_send

from .. import messages as msg
from .. import selectors, sla
from ..models import ACTIVE_STATUSES, SERIOUS, IncidentStatus, ServiceIncident, Severity
from .common import _contacts_of, _department_of, _incident_link, _invalid, _require
from .escalation import _breach_params, _escalate

STATUS_ORDER = [IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS,
                IncidentStatus.RESOLVED, IncidentStatus.CLOSED]
# The timestamp each status stamps when the incident reaches it.
STATUS_STAMP = {
    IncidentStatus.ACKNOWLEDGED: "acknowledged_at",
    IncidentStatus.IN_PROGRESS: "in_progress_at",
    IncidentStatus.RESOLVED: "resolved_at",
    IncidentStatus.CLOSED: "closed_at",
}
SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]

# What a person edits on an incident: a save from an older version says which of these changed.
INCIDENT_FIELDS = ("status", "severity", "waiting_since", "resolution", "root_cause", "corrective_action", "cost",
                   "assignee")


@transaction.atomic
def incident_open(*, actor, account: Account, category: str, severity: str, title: str,
                  description: str = "", contact: Contact | None = None,
                  opened_at: datetime.datetime | None = None) -> ServiceIncident:
    """Open an incident with its SLA deadlines fixed now, from the policy for the account's tier and
    the severity, in that policy's clock (around the clock or business hours). A key account's KAM is
    told at once; of a critical or high one, its sponsor too."""
    _require(actor, "touchpoints.work_incident", account)
    if contact is not None:
        _contacts_of(account, [contact])
    opened_at = opened_at or timezone.now()
    # Checked before the deadlines are computed from it: near the ends of the calendar they overflow.
    clean_field(ServiceIncident, "opened_at", opened_at)
    policy = selectors.sla_policy_for(account.tier, severity)
    ack_due, resolve_due = sla.deadlines(opened_at, policy.ack_hours, policy.resolve_hours,
                                         selectors.calendar_for(policy.clock))
    incident = ServiceIncident(
        account=account, opened_at=opened_at, title=title.strip(), description=description.strip(),
        category=category, severity=severity, contact=contact, opened_by=actor,
        ack_due_at=ack_due, resolve_due_at=resolve_due, sla_clock=policy.clock,
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
    if account.is_key:
        # One event for both people: a serious incident reaches the KAM and the sponsor at once.
        recipients = [account.kam, account.sponsor] if severity in SERIOUS else [account.kam]
        notification_send(
            recipients=recipients, event_key=f"incident:{incident.pk}:opened",
            message=msg.NOTICE_INCIDENT_OPENED,
            params={"severity": severity, "account": account.name, "title": incident.title, "due": ack_due},
            link=_incident_link(incident),
        )
    return incident


def _tell_serious(incident: ServiceIncident) -> None:
    """A key-account incident raised to critical or high: its KAM and sponsor hear of it once."""
    account = incident.account
    if not account.is_key:
        return
    notification_send(
        recipients=[account.kam, account.sponsor], event_key=f"incident:{incident.pk}:serious",
        message=msg.NOTICE_INCIDENT_SERIOUS,
        params={"severity": incident.severity, "account": account.name, "id": incident.pk,
                "title": incident.title, "due": incident.resolve_due_at},
        link=_incident_link(incident))


def _wait_or_resume(locked: ServiceIncident, waiting: bool, now: datetime.datetime) -> list:
    """Pause the SLA clocks while the incident waits on the client; on resuming, move the deadlines
    still running by the time paused (counted in the incident's clock)."""
    if waiting == locked.is_waiting:
        return []
    if waiting:
        if locked.status not in ACTIVE_STATUSES:
            raise _invalid("waiting_on_client", _("Only an active incident can wait on the client."))
        locked.waiting_since = now
        return [(msg.WAITING, {})]
    paused_from = locked.waiting_since
    assert paused_from is not None  # is_waiting
    calendar = selectors.calendar_for(locked.sla_clock)
    if locked.acknowledged_at is None:
        locked.ack_due_at = sla.resumed_due(locked.ack_due_at, paused_from=paused_from, resumed_at=now,
                                            calendar=calendar)
    if locked.resolved_at is None:
        locked.resolve_due_at = sla.resumed_due(locked.resolve_due_at, paused_from=paused_from, resumed_at=now,
                                                calendar=calendar)
    locked.waiting_since = None
    return [(msg.RESUMED, {})]


@transaction.atomic
def incident_update(*, actor, incident: ServiceIncident, expected_version, status: str | None = None,
                    severity: str | None = None, waiting_on_client: bool | None = None,
                    resolution: str | None = None, root_cause: str | None = None,
                    corrective_action: str | None = None, cost: Decimal | None = None,
                    now: datetime.datetime | None = None) -> ServiceIncident:
    """Move an incident forward (never back), put it waiting on the client or resume it, change its
    severity, and/or record its resolution, root cause, corrective action and cost.

    Optimistic locking (kam.versioning): `expected_version` is the version the form was loaded with;
    if someone saved in between, Conflict says what they changed and nothing is written. Skipping
    steps stamps the skipped timestamps with the same moment, so every SLA clock has its completion
    time. Resolving resumes a waiting incident first. A critical incident closes only with its root
    cause and corrective action.
    """
    now = now or timezone.now()
    # Who may work it first: a refused person must not learn from a conflict what others changed.
    _require(actor, "touchpoints.work_incident", incident.account)
    locked = versioning.claim(
        ServiceIncident.objects.select_related("account", "account__kam", "account__sponsor"),
        incident.pk, expected_version, INCIDENT_FIELDS)
    changes, breaches = [], []
    if status and status not in ACTIVE_STATUSES and locked.is_waiting:
        waiting_on_client = False
    if waiting_on_client is not None:
        changes += _wait_or_resume(locked, waiting_on_client, now)
    raised = False
    if severity and severity != locked.severity:
        raised = (severity in SERIOUS
                  and SEVERITY_ORDER.index(Severity(severity)) > SEVERITY_ORDER.index(Severity(locked.severity))
                  and locked.severity not in SERIOUS)
        changes.append((msg.SEVERITY_CHANGED, {"from": locked.severity, "to": severity}))
        locked.severity = severity
    for name, value in (("root_cause", root_cause), ("corrective_action", corrective_action)):
        if value is not None and value.strip() != getattr(locked, name):
            setattr(locked, name, value.strip())
            if (msg.ROOT_CAUSE_UPDATED, {}) not in changes:
                changes.append((msg.ROOT_CAUSE_UPDATED, {}))
    if status and status != locked.status:
        current = STATUS_ORDER.index(IncidentStatus(locked.status))
        target = STATUS_ORDER.index(IncidentStatus(status))
        if target < current:
            raise _invalid("status", _("An incident cannot go back to an earlier status."))
        if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED) and not (
            (resolution if resolution is not None else locked.resolution).strip()
        ):
            raise _invalid("resolution", _("Say how the incident was resolved."))
        if status == IncidentStatus.CLOSED and locked.severity == Severity.CRITICAL:
            missing: dict[str | None, list[str]] = {name: [_("Required to close a critical incident.")]
                       for name in ("root_cause", "corrective_action") if not getattr(locked, name)}
            if missing:
                raise Invalid(errors=missing)
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
    clean(locked, exclude=["opened_by", "assignee"])
    _save_with_history(locked, actor, now, changes)
    if raised:
        _tell_serious(locked)
    for which in breaches:
        activity_record(account=locked.account, kind=ActivityKind.INCIDENT_BREACHED, subkind=which, occurred_at=now,
                        link=_incident_link(locked), message=msg.breach(which), params=_breach_params(locked))
        _escalate(locked, which)
    return locked


def _save_with_history(locked: ServiceIncident, actor, now: datetime.datetime, changes: list) -> None:
    versioning.bump(locked)
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    activity_record(
        account=locked.account, kind=ActivityKind.INCIDENT_UPDATED, subkind=locked.status, actor=actor,
        occurred_at=now, department=_department_of(actor, locked.account),
        message=msg.INCIDENT_UPDATED, params={"id": locked.pk, "title": locked.title, "changes": changes},
        link=_incident_link(locked),
    )


@transaction.atomic
def incident_assign(*, actor, incident: ServiceIncident, assignee, expected_version,
                    now: datetime.datetime | None = None) -> ServiceIncident:
    """Give the incident to a person in operations (an Operations person, or an operations member of the
    account's team), take it oneself, reassign it or (`assignee=None`) leave it unassigned.

    Anyone who works the incident may take it when they may be assigned it; giving it to someone else
    (or taking it from them) is for the programme lead, operations people and the account's KAM. The
    new assignee is told, unless they took it themselves."""
    now = now or timezone.now()
    _require(actor, "touchpoints.work_incident", incident.account)
    taking = assignee is not None and assignee.pk == actor.pk
    if not taking and not actor.has_perm("touchpoints.assign_incident", incident.account):
        raise Forbidden(_("Only the programme lead, operations and the account's KAM assign incidents to "
                          "others."))
    locked = versioning.claim(
        ServiceIncident.objects.select_related("account", "account__kam", "account__sponsor"),
        incident.pk, expected_version, INCIDENT_FIELDS)
    if (assignee.pk if assignee else None) == locked.assignee_id:
        return locked
    if assignee is not None and not selectors.is_assignable(locked.account, assignee.pk):
        raise _invalid("assignee", _("Incidents are assigned to people in operations."))
    if locked.status not in ACTIVE_STATUSES:
        raise _invalid("assignee", _("A resolved or closed incident is no longer assigned."))
    locked.assignee = assignee
    change = (msg.ASSIGNED, {"who": person_label(assignee)}) if assignee else (msg.UNASSIGNED, {})
    _save_with_history(locked, actor, now, [change])
    if assignee is not None and not taking:
        notification_send(
            recipients=[assignee], event_key=f"incident:{locked.pk}:assigned:{assignee.pk}:{locked.version}",
            message=msg.NOTICE_INCIDENT_ASSIGNED,
            params={"account": locked.account.name, "id": locked.pk, "title": locked.title,
                    "who": person_label(actor)},
            link=_incident_link(locked))
    return locked
