"""The plan panel on the account page (the account hub, owned by accounts, loads it if installed)."""

from django import template

from kam.models import ProgrammeSettings

from .. import selectors

register = template.Library()


@register.inclusion_tag("planning/panels/account_plan_panel.html", takes_context=True)
def account_plan_panel(context, account):
    """Current plan, status, completeness and flags, the last plans and "new plan". Three queries at
    most (settings, plans, the last plan's period), whatever the account's history."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("planning.view_plan", account):
        return {"visible": False}
    stale_days = ProgrammeSettings.current().plan_stale_days
    plans = list(selectors.plans_for_account(account)[:6])
    current = None
    from django.utils import timezone

    from ..models import PlanStatus
    today = timezone.localdate()
    for plan in plans:
        if plan.status != PlanStatus.CLOSED and plan.period_start <= today:
            current = plan
            break
    current = current or (plans[0] if plans else None)
    can_edit = user.has_perm("planning.change_plan", account)
    kind, start = selectors.next_period_start(account) if can_edit else (None, None)
    return {
        "visible": True, "account": account, "plans": plans, "current": current,
        "flags": selectors.plan_flags(current, stale_days=stale_days) if current else None,
        "can_edit": can_edit, "next_kind": kind, "next_start": start, "request": request,
        "csrf_token": context.get("csrf_token"),
    }
