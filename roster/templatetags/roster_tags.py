from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share):
    """A share between 0 and 1 as a whole percentage in the reader's language ("—" for none)."""
    if share is None:
        return "—"
    return f"{number_format(round(Decimal(share) * 100))} %"


@register.filter
def signed(value):
    """A change or a gap with its sign (+1, −1, 0; "" for none)."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    return f"−{-value}" if value < 0 else "0"
