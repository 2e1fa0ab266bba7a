"""The framework agreements panel of the account page (the hub lives in accounts and loads this library)."""

from django import template
from django.utils import timezone

from ..models import EXPIRING_WINDOW_DAYS, LIVE_STATUSES
from ..selectors import panel_agreements

register = template.Library()


@register.inclusion_tag("agreements/panels/account_panel.html", takes_context=True)
def account_agreements_panel(context, account):
    """The account's agreements in force or in negotiation, those renewing soonest first, flagged when the
    renewal falls within EXPIRING_WINDOW_DAYS. One query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("agreements.view_agreement", account):
        return {"visible": False}
    today = timezone.localdate()
    agreements = panel_agreements(account)
    for a in agreements:
        a.days_left = (a.renewal_date - today).days
        a.soon = a.status in LIVE_STATUSES and 0 <= a.days_left <= EXPIRING_WINDOW_DAYS
        a.overdue = a.status in LIVE_STATUSES and a.days_left < 0
    return {"visible": True, "account": account, "agreements": agreements, "request": request,
            "can_edit": user.has_perm("agreements.change_agreement", account)}
