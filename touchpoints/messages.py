"""The kinds of events and notices of the touchpoints app (kam.messages), registered by
TouchpointsConfig.ready."""

from django.utils.translation import gettext_lazy as _

from kam.messages import DATE, DATETIME, MESSAGES, Choice, register

TOUCHPOINT = register("touchpoints.touchpoint", _("%(kind)s (%(channel)s): %(line)s"),
                      kind=Choice("touchpoints.Touchpoint", "kind"),
                      channel=Choice("touchpoints.Touchpoint", "channel"))
INCIDENT_OPENED = register("touchpoints.incident_opened", _("%(severity)s · %(category)s: %(title)s"),
                           severity=Choice("touchpoints.ServiceIncident", "severity"),
                           category=Choice("touchpoints.ServiceIncident", "category"))
# An incident's changes: "#12 Title: status: Open → Acknowledged; resolution updated".
INCIDENT_UPDATED = register("touchpoints.incident_updated", _("#%(id)s %(title)s: %(changes)s"),
                            changes=MESSAGES)
STATUS_CHANGED = register("touchpoints.status", _("status: %(from)s → %(to)s"),
                          **{"from": Choice("touchpoints.ServiceIncident", "status"),
                             "to": Choice("touchpoints.ServiceIncident", "status")})
RESOLUTION_UPDATED = register("touchpoints.resolution", _("resolution updated"))
COST_CHANGED = register("touchpoints.cost", _("cost: %(cost)s"))
ASSIGNED = register("touchpoints.assigned", _("assigned to %(who)s"))
UNASSIGNED = register("touchpoints.unassigned", _("unassigned"))
SEVERITY_CHANGED = register("touchpoints.severity", _("severity: %(from)s → %(to)s"),
                            **{"from": Choice("touchpoints.ServiceIncident", "severity"),
                               "to": Choice("touchpoints.ServiceIncident", "severity")})
WAITING = register("touchpoints.waiting", _("waiting on the client (SLA clock paused)"))
RESUMED = register("touchpoints.resumed", _("no longer waiting on the client (deadlines moved by the pause)"))
ROOT_CAUSE_UPDATED = register("touchpoints.root_cause", _("root cause and corrective action updated"))
MANAGER_ESCALATED = register("touchpoints.manager_escalated",
                             _("#%(id)s Escalated to the operations manager: %(title)s"))
ACK_BREACHED = register("touchpoints.ack_breached", _("#%(id)s Not acknowledged in time: %(title)s"))
RESOLVE_BREACHED = register("touchpoints.resolve_breached", _("#%(id)s Not resolved in time: %(title)s"))
FEEDBACK = register("touchpoints.feedback", _("Client satisfaction %(score)d/10 from %(who)s"))
FEEDBACK_COMMENT = register("touchpoints.feedback_comment",
                            _("Client satisfaction %(score)d/10 from %(who)s: %(comment)s"))
FEEDBACK_ANONYMOUS = register("touchpoints.feedback_anonymous", _("Client satisfaction %(score)d/10 from the client"))
FEEDBACK_ANONYMOUS_COMMENT = register("touchpoints.feedback_anonymous_comment",
                                      _("Client satisfaction %(score)d/10 from the client: %(comment)s"))
PARTNERSHIP = register("touchpoints.partnership", _("Our partnership rating %(score)d/10"))
PARTNERSHIP_COMMENT = register("touchpoints.partnership_comment", _("Our partnership rating %(score)d/10: %(comment)s"))
FOLLOW_UP_CLOSED = register("touchpoints.follow_up_closed", _("Follow-up done: %(note)s"))

# Notices.
NOTICE_INCIDENT_OPENED = register(
    "touchpoints.notice_incident_opened", _("New %(severity)s incident on %(account)s"),
    body=_("%(title)s. Acknowledge by %(due)s."),
    severity=Choice("touchpoints.ServiceIncident", "severity", lower=True), due=DATETIME)
NOTICE_INCIDENT_SERIOUS = register(
    "touchpoints.notice_incident_serious", _("%(severity)s incident on %(account)s"),
    body=_("#%(id)s %(title)s. Resolve by %(due)s."),
    severity=Choice("touchpoints.ServiceIncident", "severity"), due=DATETIME)
NOTICE_INCIDENT_ASSIGNED = register(
    "touchpoints.notice_incident_assigned", _("Incident assigned to you on %(account)s"),
    body=_("#%(id)s %(title)s. Assigned by %(who)s."))
NOTICE_MANAGER_ESCALATION = register(
    "touchpoints.notice_manager_escalation", _("Unresolved SLA breach on %(account)s"),
    body=_("#%(id)s %(title)s is still unresolved %(hours)d hours after its SLA breach. Resolve by %(due)s."),
    due=DATETIME)
NOTICE_ACK_BREACHED = register(
    "touchpoints.notice_ack_breached", _("SLA breached on %(account)s"),
    body=_("#%(id)s Not acknowledged in time: %(title)s. Deadline was %(due)s."), due=DATETIME)
NOTICE_RESOLVE_BREACHED = register(
    "touchpoints.notice_resolve_breached", _("SLA breached on %(account)s"),
    body=_("#%(id)s Not resolved in time: %(title)s. Deadline was %(due)s."), due=DATETIME)
NOTICE_VISIT_OVERDUE = register(
    "touchpoints.notice_visit_overdue", _("Sponsor visit overdue: %(account)s"),
    body=_("Last sponsor visit on %(date)s; one is due every %(days)d days."), date=DATE)
NOTICE_NO_VISIT = register(
    "touchpoints.notice_no_visit", _("Sponsor visit overdue: %(account)s"),
    body=_("No sponsor visit recorded yet; one is due every %(days)d days."))
SURVEY_SENT = register("touchpoints.survey_sent", _("Client survey sent to %(who)s"))
SURVEY_ANSWERED = register("touchpoints.survey_answered",
                           _("Client survey from %(who)s: satisfaction %(score)d/10, would recommend %(nps)d/10"))
NOTICE_SURVEY_LOW = register(
    "touchpoints.notice_survey_low", _("Client survey alert: %(account)s"),
    body=_("%(who)s rated their satisfaction %(score)d/10, below the programme's floor of %(floor)d."))
NOTICE_SURVEY_GAP = register(
    "touchpoints.notice_survey_gap", _("Client survey alert: %(account)s"),
    body=_("%(who)s rated their satisfaction %(score)d/10; our team rates the partnership %(ours)d/10, "
           "a gap of %(gap)s points (alert above %(limit)d)."))
NOTICE_SURVEY_LOW_GAP = register(
    "touchpoints.notice_survey_low_gap", _("Client survey alert: %(account)s"),
    body=_("%(who)s rated their satisfaction %(score)d/10, below the programme's floor of %(floor)d; our team "
           "rates the partnership %(ours)d/10, a gap of %(gap)s points (alert above %(limit)d)."))

NOTICE_FOLLOW_UP_DUE = register(
    "touchpoints.notice_follow_up_due", _("Follow-up due: %(account)s"),
    body=_("%(what)s. Due %(date)s."), date=DATE)


def breach(which: str) -> str:
    """The event of a missed deadline (`which`: "ack" or "resolve")."""
    return ACK_BREACHED if which == "ack" else RESOLVE_BREACHED
