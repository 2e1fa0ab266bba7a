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
from .touchpoints import (
    account_search,
    feedback_list,
    feedback_new,
    partnership_rating_new,
    timeline,
    touchpoint_new,
    touchpoints_export,
)

__all__ = [
    "account_search", "feedback_list", "feedback_new", "incident_assign", "incident_detail", "incident_export",
    "incident_list", "incident_new", "partnership_rating_new", "sla_policies", "sla_policy_read", "timeline",
    "touchpoint_new", "touchpoints_export",
]
