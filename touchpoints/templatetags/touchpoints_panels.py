"""The touchpoints panel of the account page (the hub lives in accounts and loads this library)."""

import datetime

from django import template
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import Account
from kam.models import ProgrammeSettings

from ..presentation import incident_clocks
from ..selectors import (
    last_sponsor_visit_subquery,
    latest_feedback,
    open_incidents,
    recent_touchpoints,
    visit_status_from,
)

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
    # Scores, the last sponsor visit and the visit cadence in one query: the panel sits on the busiest
    # page of the product.
    cadence = Subquery(ProgrammeSettings.objects.order_by("pk").values("sponsor_visit_days")[:1])
    scores = latest_feedback(one).annotate(last_sponsor_visit=last_sponsor_visit_subquery(),
                                           visit_days=cadence).values(
        "feedback_score", "feedback_on", "rating_score", "rating_on", "last_sponsor_visit", "visit_days",
    ).first() or {}
    visit = None
    if account.sponsor_id:
        days = scores.get("visit_days")
        if days is None:  # no settings row yet: current() creates it with the defaults
            days = ProgrammeSettings.current().sponsor_visit_days
        visit = visit_status_from(account, scores.get("last_sponsor_visit"), today=timezone.localdate(),
                                  cadence=datetime.timedelta(days=days))
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
