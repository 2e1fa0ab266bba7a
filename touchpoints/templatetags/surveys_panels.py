"""The client-survey panel of the account page: the mutuality gap quarter by quarter, the latest
answers, and the KAM's "send the survey now"."""

from django import template

from ..selectors import survey_panel

register = template.Library()


@register.inclusion_tag("touchpoints/panels/survey_panel.html", takes_context=True)
def account_survey_panel(context, account):
    request = context["request"]
    data = survey_panel(account)
    latest = next((q for q in reversed(data["series"]) if q["client"] is not None), None)
    gap = latest["gap"] if latest else None
    return {"request": request, "account": account, **data, "latest": latest,
            "gap_alert": gap is not None and abs(gap) > data["settings"].survey_gap_alert_above,
            "can_send": request.user.has_perm("touchpoints.send_survey", account)}
