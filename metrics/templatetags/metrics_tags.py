"""Row-level markup for the dashboards' tables. Filters rather than `{% include %}`: a table of many
accounts pays an include (a new context, a template lookup and its translations) on every cell."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.health import health_band
from kam.tones import badge_class

register = template.Library()


@register.filter
def health_badge(h):
    """The health score as a coloured badge, or "not measured" (no component had data: never a neutral
    number)."""
    if h is None:
        return format_html('<span class="text-body-secondary" data-health="not-measured">{}</span>',
                           _("not measured"))
    return format_html('<span class="badge {}">{}</span>', badge_class("health", health_band(h)), h)


_ARROWS = {
    "up": ("text-success", "▲"),
    "down": ("text-danger", "▼"),
    "flat": ("text-body-secondary", "▶"),
}


@register.filter
def trend_arrow(t):
    """▲/▼/▶ against the snapshot 30 days earlier ('' when there is nothing to compare with)."""
    if t not in _ARROWS:
        return ""
    css, arrow = _ARROWS[t]
    label = {"up": _("Up on 30 days ago"), "down": _("Down on 30 days ago"), "flat": _("Same as 30 days ago")}[t]
    return format_html('<span class="{}" title="{}" aria-label="{}">{}</span>', css, label, label, arrow)
