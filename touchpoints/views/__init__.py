"""Pages of the touchpoints app: touchpoints, the timeline and feedback; incidents and the SLA policy."""

from .incidents import (
    incident_assign,
    incident_detail,
    incident_export,
    incident_list,
    incident_new,
    sla_policies,
    sla_policy_read,
)
from .surveys import survey, survey_revoke, survey_send, survey_thanks
from .touchpoints import (
    account_search,
    feedback_list,
    feedback_new,
    follow_up_close,
    partnership_rating_new,
    timeline,
    touchpoint_new,
    touchpoints_export,
)

__all__ = [
    "follow_up_close", "survey", "survey_revoke", "survey_send", "survey_thanks",
    "account_search", "feedback_list", "feedback_new", "incident_assign", "incident_detail", "incident_export",
    "incident_list", "incident_new", "partnership_rating_new", "sla_policies", "sla_policy_read", "timeline",
    "touchpoint_new", "touchpoints_export",
]
