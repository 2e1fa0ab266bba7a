from django import template

from kam.selectors import query_replaced

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (keeps filters across pages/sorts)."""
    return query_replaced(context["request"].GET, **kwargs)


@register.simple_tag
def submit_once():
    """The one-time token of a creation form (kam.idempotency): put it next to {% csrf_token %}."""
    from django.utils.html import format_html

    from kam.idempotency import FIELD, new_token

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


@register.filter
def person(user):
    """`{{ someone|person }}`: kam.people.person_label, "" for nobody (follow with `|default:"–"`)."""
    from kam.people import person_label

    return person_label(user)


@register.filter(name="tone")
def tone_filter(value, kind):
    """`<span class="badge {{ incident.severity|tone:'severity' }}">`: kam.tones.badge_class."""
    from kam.tones import badge_class

    return badge_class(kind, value)


@register.filter
def money(value, places=0):
    """`{{ amount|money }}`: the amount in the programme's currency as the reader's language writes it
    (kam.money, "–" for none); `{{ amount|money:2 }}` with cents. The same filter as account_tags'."""
    from kam.money import money as format_money

    return format_money(value, int(places))


@register.simple_tag
def currency_symbol():
    """`{% currency_symbol %}`: the programme's currency symbol, for column headings."""
    from kam.money import currency_symbol as symbol

    return symbol()
