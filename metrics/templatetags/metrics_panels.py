from django import template

from metrics import selectors

register = template.Library()


@register.inclusion_tag("metrics/panel_account.html", takes_context=True)
def account_metrics_panel(context, account):
    """The account page's metrics panel. Money figures are commercial: only people who may read the
    account's plan see them (operations sees health only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show_money = bool(user and user.has_perm("planning.view_plan", account))
    return {"account": account, "show_money": show_money, "request": request,
            **selectors.account_metrics(account)}
