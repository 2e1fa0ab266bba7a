"""Writes of the touchpoints app. Each service checks the object rule itself (views are not the only
callers), records the account's Activity row in the same transaction and raises the notifications."""

from .escalation import sla_breaches_escalate
from .follow_ups import FOLLOW_UP_FIELDS, touchpoint_follow_up_close, touchpoint_follow_ups_remind
from .incidents import (
    INCIDENT_FIELDS,
    STATUS_ORDER,
    STATUS_STAMP,
    incident_assign,
    incident_open,
    incident_update,
)
from .sla_policy import SLA_FIELDS, SlaRow, sla_policies_update
from .surveys import survey_answer, survey_link_for, survey_link_revoke, survey_send, surveys_send_due
from .touchpoints import (
    FUTURE_TOLERANCE,
    feedback_record,
    partnership_rate,
    personal_data_erase,
    sponsor_visits_remind,
    touchpoint_log,
)

__all__ = [
    "FOLLOW_UP_FIELDS", "survey_answer", "survey_link_for", "survey_link_revoke", "survey_send", "surveys_send_due",
    "touchpoint_follow_up_close", "touchpoint_follow_ups_remind",
    "FUTURE_TOLERANCE", "INCIDENT_FIELDS", "SLA_FIELDS", "STATUS_ORDER", "STATUS_STAMP", "SlaRow",
    "feedback_record", "incident_assign", "incident_open", "incident_update", "partnership_rate",
    "personal_data_erase", "sla_breaches_escalate", "sla_policies_update", "sponsor_visits_remind",
    "touchpoint_log",
]
