"""The charter panel of the account page (the hub lives in accounts and loads this library)."""

from django import template
from django.utils import timezone

from .. import formulas, selectors

register = template.Library()


@register.inclusion_tag("charter/panels/account_panel.html", takes_context=True)
def account_charter_panel(context, account):
    """How many of the promises of the account's tier it got last quarter, with the link to the detail;
    nothing for people who may not read the account's compliance, nor where no promise applies."""
    user = context["request"].user
    if not user.has_perm("charter.view_account_compliance", account):
        return {"shown": False}
    start, end = formulas.preset_period("last_quarter", timezone.localdate())
    report = selectors.account_compliance(account, start=start, end=end)
    row = report.accounts[0] if report.accounts else None
    return {"shown": row is not None, "account": account, "row": row, "start": start, "end": end}
