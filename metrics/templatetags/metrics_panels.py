from django import template

from kam.roles import LEAD, has_role
from metrics import selectors

register = template.Library()


@register.inclusion_tag("metrics/panel_account.html", takes_context=True)
def account_metrics_panel(context, account):
    """The account page's metrics panel. Money figures (revenue, margins, contribution, CLV) are
    commercial: only `accounts.view_commercial` holders see them; everyone else sees health only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show_money = bool(user and user.has_perm("accounts.view_commercial", account))
    return {"account": account, "show_money": show_money, "request": request,
            "is_lead": bool(user and has_role(user, LEAD)),
            **selectors.account_metrics(account)}
