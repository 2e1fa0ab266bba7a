"""The programme review on other pages: the latest review's KPIs against target on the programme
dashboard (metrics loads this library from its template; metrics imports nothing of the review), and
the formatting of a KPI's figure by its unit."""

from django import template
from django.utils.formats import number_format

from kam.money import money

from .. import kpis, selectors

register = template.Library()


@register.filter
def kpi_value(value, unit):
    """`{{ actual.value|kpi_value:row.kpi.unit }}`: a KPI's figure in its unit, "—" when not measured."""
    if value is None or value == "":
        return "—"
    if unit == kpis.MONEY:
        return money(value)
    if unit == kpis.COUNT:
        return number_format(value, 0, force_grouping=True)
    text = number_format(value, 1, force_grouping=True)
    if unit == kpis.PERCENT:
        return f"{text} %"
    if unit == kpis.POINTS and value > 0:
        return f"+{text}"
    return text


@register.inclusion_tag("programme/_dashboard_panel.html", takes_context=True)
def latest_review_kpis(context):
    """The latest review's KPIs against its targets (live while it is open, frozen once closed)."""
    review = selectors.latest_review()
    return {"review": review, "rows": selectors.kpi_rows(review) if review else [],
            "request": context.get("request")}
