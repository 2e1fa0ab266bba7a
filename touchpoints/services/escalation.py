"""SLA breaches: found by the beat job (or a late transition), stamped once and escalated."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Activity, ActivityKind
from kam.messages import event_fields
from kam.models import ProgrammeSettings
from kam.services import notification_send

from .. import messages as msg
from ..models import ACTIVE_STATUSES, IncidentStatus, ServiceIncident
from .common import _incident_link


def sla_breaches_escalate(*, now: datetime.datetime | None = None) -> int:
    """Stamp and escalate every deadline that has passed without its step being done.

    Set-based: one query finds the due breaches of each kind and one UPDATE stamps them, under row
    locks that skip rows another worker holds; the notification's event key makes a rerun harmless.
    Returns the number of breaches escalated now.
    """
    now = now or timezone.now()
    count = 0
    checks = (
        # Waiting on the client stops the clocks: its deadlines move when it resumes.
        ("ack", Q(waiting_since__isnull=True, status=IncidentStatus.OPEN, acknowledged_at__isnull=True,
                  ack_due_at__lt=now, ack_breached_at__isnull=True), "ack_breached_at"),
        ("resolve", Q(waiting_since__isnull=True, status__in=ACTIVE_STATUSES, resolved_at__isnull=True,
                      resolve_due_at__lt=now, resolve_breached_at__isnull=True), "resolve_breached_at"),
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
    return count + _manager_escalate(now)


def _manager_escalate(now: datetime.datetime) -> int:
    """The second rung: a breach still unresolved the programme's further hours after it was escalated
    goes to the operations manager, once (stamped, and the event key keeps a rerun harmless)."""
    programme = ProgrammeSettings.current()
    manager = programme.operations_manager
    if manager is None or not manager.is_active:
        return 0
    cutoff = now - datetime.timedelta(hours=programme.manager_escalation_hours)
    with transaction.atomic():
        incidents = list(ServiceIncident.objects.select_for_update(skip_locked=True, of=("self",))
                         .filter(Q(ack_breached_at__lte=cutoff) | Q(resolve_breached_at__lte=cutoff),
                                 status__in=ACTIVE_STATUSES, waiting_since__isnull=True,
                                 manager_escalated_at__isnull=True)
                         .select_related("account"))
        if not incidents:
            return 0
        ServiceIncident.objects.filter(pk__in=[i.pk for i in incidents]).update(manager_escalated_at=now)
        Activity.objects.bulk_create([
            Activity(account=i.account, occurred_at=now, kind=ActivityKind.INCIDENT_BREACHED, subkind="manager",
                     link=_incident_link(i), **event_fields(msg.MANAGER_ESCALATED, _breach_params(i)))
            for i in incidents
        ])
        for incident in incidents:
            notification_send(
                recipients=[manager], event_key=f"incident:{incident.pk}:manager-escalation",
                message=msg.NOTICE_MANAGER_ESCALATION,
                params={"account": incident.account.name, "id": incident.pk, "title": incident.title,
                        "hours": programme.manager_escalation_hours, "due": incident.resolve_due_at},
                link=_incident_link(incident))
    return len(incidents)


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

