"""The touchpoints panel of the account page (the hub lives in accounts and loads this library)."""

from django import template
from django.utils import timezone

from accounts.models import Account

from ..presentation import incident_clocks
from ..selectors import latest_feedback, open_incidents, recent_touchpoints, sponsor_visit_status

register = template.Library()

PANEL_INCIDENTS = 5


@register.inclusion_tag("touchpoints/panels/account_panel.html", takes_context=True)
def account_touchpoints_panel(context, account):
    """Recent touchpoints, open incidents with their SLA state, the sponsor-visit status and the latest
    feedback against our own rating. A fixed handful of queries whatever the account's history."""
    user = context["request"].user
    one = Account.objects.filter(pk=account.pk)
    now = timezone.now()
    incidents = list(open_incidents(one)[:PANEL_INCIDENTS + 1])
    visit = sponsor_visit_status(one)[0] if account.sponsor_id else None
    scores = latest_feedback(one).values("feedback_score", "feedback_on", "rating_score",
                                                       "rating_on").first() or {}
    return {
        "request": context["request"],
        "account": account,
        "touchpoints": recent_touchpoints(account),
        "incidents": [(i, incident_clocks(i, now)) for i in incidents[:PANEL_INCIDENTS]],
        "more_incidents": len(incidents) > PANEL_INCIDENTS,
        "visit": visit,
        "scores": scores,
        "can_log": user.has_perm("touchpoints.log_touchpoint", account),
        "can_incident": user.has_perm("touchpoints.work_incident", account),
        "can_visit": user.has_perm("touchpoints.log_sponsor_visit", account),
        "can_rate": user.has_perm("touchpoints.rate_partnership", account),
    }
