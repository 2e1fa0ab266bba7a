from django import template
from django.template import engines
from django.utils.html import format_html

register = template.Library()

_PANEL_TEMPLATES: dict = {}


def _panel_template(library: str, tag: str):
    """The compiled `{% load library %}{% tag account %}`, or None when that app (or its tag) is not
    installed. Lower apps may not import higher ones; this keeps the account page working whichever
    of them are present."""
    key = (library, tag)
    if key not in _PANEL_TEMPLATES:
        engine = engines["django"].engine
        lib = engine.template_libraries.get(library)
        if lib is None or tag not in lib.tags:
            _PANEL_TEMPLATES[key] = None
        else:
            _PANEL_TEMPLATES[key] = engine.from_string(f"{{% load {library} %}}{{% {tag} panel_account %}}")
    return _PANEL_TEMPLATES[key]


@register.simple_tag(takes_context=True)
def app_panel(context, app_label: str, tag: str, account):
    """Render `tag` from `<app_label>_panels` for `account`, or nothing if it is not installed."""
    compiled = _panel_template(f"{app_label}_panels", tag)
    if compiled is None:
        return ""
    with context.push(panel_account=account):
        return compiled.render(context)


TIER_BADGES = {"key": "text-bg-primary", "development": "text-bg-info", "standard": "text-bg-secondary"}
QUADRANT_BADGES = {"strategic": "text-bg-success", "star": "text-bg-warning", "status": "text-bg-info",
                   "streamline": "text-bg-secondary"}


@register.simple_tag
def tier_badge(account):
    return format_html('<span class="badge {}" data-testid="tier-badge">{}</span>',
                       TIER_BADGES.get(account.tier, "text-bg-light"), account.get_tier_display())


@register.simple_tag
def quadrant_badge(quadrant_code, label=""):
    if not quadrant_code:
        return ""
    from accounts.models import Quadrant

    return format_html('<span class="badge {}" data-testid="quadrant-badge">{}</span>',
                       QUADRANT_BADGES.get(quadrant_code, "text-bg-light"), label or Quadrant(quadrant_code).label)


@register.filter
def money(value):
    """Whole euros with thousands separators in the active language."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    if value in (None, ""):
        return "–"
    return f"{intcomma(int(round(value)))} €"


@register.filter
def pct(value, total):
    try:
        return round(float(value) / float(total) * 100, 1) if total else 0
    except (TypeError, ValueError):
        return 0
