"""The rows of the touchpoints and incidents downloads (written by `kam.exports`). Costs are commercial
(they make up the cost to serve): blank where the reader may not see the account's figures. A fixed
number of queries whatever the number of rows. Labels are resolved when a sheet is made, in the
request's language: its rows are produced later, while the response is sent."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import ActivityKind
from accounts.selectors import commercial_of_account
from kam.exports import ROW_CHUNK, Sheet, choice_labels
from kam.people import person_label

from .models import Channel, IncidentCategory, IncidentStatus, ServiceIncident, Severity, Touchpoint, TouchpointKind


def timeline_touchpoints(account, *, department: str = "", kind: str = "") -> QuerySet[Touchpoint]:
    """The account's touchpoints under the timeline's filters (already checked against the known
    departments and kinds): a touchpoint shows on the timeline as a sponsor visit (executive visits)
    or a touchpoint (the others), so the other kinds of events select none."""
    qs = Touchpoint.objects.filter(account=account)
    if department:
        qs = qs.filter(department__code=department)
    if kind == ActivityKind.SPONSOR_VISIT:
        qs = qs.filter(kind=TouchpointKind.EXECUTIVE_VISIT)
    elif kind == ActivityKind.TOUCHPOINT:
        qs = qs.exclude(kind=TouchpointKind.EXECUTIVE_VISIT)
    elif kind:
        qs = qs.none()
    return qs.order_by("-occurred_at", "-pk")


def _touchpoint_rows(touchpoints: QuerySet, commercial: bool, channels: dict, kinds: dict) -> Iterator[list]:
    rows = touchpoints.select_related("department", "created_by", "follow_up_owner")
    for t in rows.iterator(chunk_size=ROW_CHUNK):
        yield [t.occurred_at, str(t.department), channels.get(t.channel, t.channel), kinds.get(t.kind, t.kind),
               t.summary, t.quality, t.follow_up, t.follow_up_note,
               person_label(t.follow_up_owner) if t.follow_up_owner_id else "", t.follow_up_due,
               t.follow_up_closed_at, t.cost if commercial else None, person_label(t.created_by)]


def touchpoint_sheet(touchpoints: QuerySet, *, commercial: bool) -> Sheet:
    return Sheet(_("Touchpoints"), [
        _("When"), _("Department"), _("Channel"), _("Kind"), _("Summary"), _("Quality (1–5)"),
        _("Follow-up needed"), _("Follow-up"), _("Follow-up owner"), _("Follow-up due"), _("Follow-up done at"),
        _("Cost"), _("Logged by"),
    ], _touchpoint_rows(touchpoints, commercial, choice_labels(Channel.choices), choice_labels(TouchpointKind.choices)))


def _incident_rows(incidents: QuerySet, categories: dict, severities: dict, statuses: dict) -> Iterator[list]:
    for i in incidents.iterator(chunk_size=ROW_CHUNK):
        yield [i.pk, i.account.name, i.account.tax_id, i.title, categories.get(i.category, i.category),
               severities.get(i.severity, i.severity), statuses.get(i.status, i.status), i.opened_at,
               person_label(i.opened_by), person_label(i.assignee) if i.assignee_id else "", i.ack_due_at,
               i.acknowledged_at, i.resolve_due_at, i.resolved_at,
               i.closed_at, i.ack_breached_at, i.resolve_breached_at, i.description, i.resolution,
               i.cost if i.commercial else None]


def incident_sheet(user, queue: QuerySet[ServiceIncident]) -> Sheet:
    """The incident queue as filtered (`selectors.incident_queue`), in the queue's order."""
    incidents = (queue.select_related("account", "opened_by", "assignee")
                 .annotate(commercial=commercial_of_account(user)))
    return Sheet(_("Service incidents"), [
        "#", _("Account"), _("Tax id"), _("Title"), _("Category"), _("Severity"), _("Status"), _("Opened at"),
        _("Opened by"), _("Assigned to"), _("Acknowledge by"), _("Acknowledged at"), _("Resolve by"), _("Resolved at"),
        _("Closed at"), _("Acknowledge SLA breached at"), _("Resolve SLA breached at"), _("Description"),
        _("Resolution"), _("Cost"),
    ], _incident_rows(incidents, choice_labels(IncidentCategory.choices), choice_labels(Severity.choices),
                      choice_labels(IncidentStatus.choices)))
