"""How SLA clocks read in the UI (labels and badge colours), kept apart from the arithmetic."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from kam.tones import tone

from . import sla
from .models import ServiceIncident


@dataclass(frozen=True)
class ClockView:
    label: str  # "Acknowledge" / "Resolve"
    clock: sla.SlaClock
    text: str  # "2 h 10 min left", "1 d 3 h over", "met (35 min early)"
    css: str  # Bootstrap colour name

    @property
    def state(self) -> str:
        return self.clock.state


def margin_text(clock: sla.SlaClock) -> str:
    days, hours, minutes = sla.format_margin(clock.margin)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours or days:
        parts.append(_("%(n)d h") % {"n": hours})
    if not days:
        parts.append(_("%(n)d min") % {"n": minutes})
    amount = " ".join(parts)
    state = clock.state
    if state == "running":
        return _("%(time)s left") % {"time": amount}
    if state == "overdue":
        return _("%(time)s over") % {"time": amount}
    if state == "met":
        return _("met, %(time)s early") % {"time": amount}
    return _("breached, %(time)s late") % {"time": amount}


def incident_clocks(incident: ServiceIncident, now: datetime) -> list[ClockView]:
    """The acknowledge and resolve clocks of an incident at `now`; while it waits on the client they
    stand where they were when the wait began."""
    now = incident.waiting_since or now
    ack = sla.clock(due_at=incident.ack_due_at, done_at=incident.acknowledged_at, now=now)
    resolve = sla.clock(due_at=incident.resolve_due_at, done_at=incident.resolved_at, now=now)
    views = []
    for label, clock in ((_("Acknowledge"), ack), (_("Resolve"), resolve)):
        state = "due_soon" if clock.state == "running" and clock.margin.total_seconds() < 3600 else clock.state
        css = tone("sla", state)
        views.append(ClockView(label=label, clock=clock, text=margin_text(clock), css=css))
    return views
