from django import template

from kam.selectors import query_replaced

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages/sorts)."""
    return query_replaced(context["request"].GET, **kwargs)
