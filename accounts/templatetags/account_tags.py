from django import forms, template
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.utils.html import format_html, format_html_join

from kam.people import person_label
from kam.tones import badge_class

register = template.Library()

_PANEL_TEMPLATES: dict = {}


def _panel_template(library: str, tag: str):
    """The compiled `{% load library %}{% tag account %}`, or None when that app (or its tag) is not
    installed. Lower apps may not import higher ones; this keeps the account page working whichever
    of them are present."""
    key = (library, tag)
    if key not in _PANEL_TEMPLATES:
        backend = engines["django"]
        assert isinstance(backend, DjangoTemplates)
        engine = backend.engine
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


def _label(choices, value):
    # get_FOO_display() rebuilds a dict of every choice on each call; a table of accounts calls it for
    # each row, so look the label up on the enum instead.
    try:
        return choices(value).label
    except ValueError:
        return value


@register.simple_tag
def tier_badge(account):
    from accounts.models import Tier

    return format_html('<span class="badge {}" data-testid="tier-badge">{}</span>',
                       badge_class("tier", account.tier), _label(Tier, account.tier))


@register.filter
def industry_label(value):
    from accounts.models import Industry

    return _label(Industry, value)


@register.filter
def mismatch_label(code):
    """Why an account's evidence disagrees with its tier (accounts.selectors.tier_mismatches)."""
    from accounts.selectors import MISMATCH_LABELS

    return MISMATCH_LABELS.get(code, "")


@register.simple_tag
def quadrant_badge(quadrant_code, label=""):
    if not quadrant_code:
        return ""
    from accounts.models import Quadrant

    return format_html('<span class="badge {}" data-testid="quadrant-badge">{}</span>',
                       badge_class("quadrant", quadrant_code), label or Quadrant(quadrant_code).label)


@register.filter
def money(value, places=0):
    """Whole units of the programme's currency in the reader's language (kam.money); "–" for none."""
    from kam.money import money as format_money

    return format_money(value, int(places))


@register.filter
def pct(value, total):
    try:
        return round(float(value) / float(total) * 100, 1) if total else 0
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def filter_field(bound):
    """A filter field as the same Bootstrap markup crispy gives it, built in Python: crispy and the
    per-option widget templates cost several milliseconds a field, and the account list and portfolio
    render a filter bar of up to ten selects on every request."""
    widget = bound.field.widget
    if not isinstance(widget, (forms.Select, forms.TextInput)) or isinstance(widget, forms.SelectMultiple):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(bound)
    errors = bound.errors
    invalid = " is-invalid" if errors else ""
    value = bound.value()
    if isinstance(widget, forms.Select):
        chosen = {str(v) for v in value} if isinstance(value, (list, tuple)) else (
            set() if value is None else {str(value)})
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (str(v), " selected" if str(v) in chosen else "", label) for v, label in bound.field.choices))
        control = format_html('<select name="{}" class="select form-select{}" id="{}">{}</select>',
                              bound.html_name, invalid, bound.auto_id, options)
    else:
        control = format_html('<input type="text" name="{}"{} class="textinput form-control{}" id="{}">',
                              bound.html_name, format_html(' value="{}"', value) if value not in (None, "") else "",
                              invalid, bound.auto_id)
    feedback = format_html_join("", '<span class="invalid-feedback"><strong>{}</strong></span>',
                                ((e,) for e in errors))
    return format_html('<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>{}{}</div>',
                       bound.auto_id, bound.auto_id, bound.label, control, feedback)


@register.simple_tag
def org_chart(roots, can_edit=False):
    """The nested org chart as <li> items, built in Python: an include per person, recursively, was most
    of the relationship map's rendering time on accounts with many contacts."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from accounts.models import Attitude, DecisionRole, Influence

    words = {"edit": gettext("edit"), "left": gettext("left the company"), "influence": gettext("influence"),
             "owner": gettext("Owner"), "last": gettext("last contact"),
             "stale": gettext("not contacted lately")}
    edit_url = reverse("accounts:contact_edit", args=[0])
    gone_url = reverse("accounts:contact_gone", args=[0])

    def node_html(node):
        c = node.contact
        links = ""
        if can_edit:
            links = format_html(' <a class="small" href="{}">{}</a> · <a class="small" href="{}">{}</a>',
                                edit_url.replace("/0/", f"/{c.pk}/", 1), words["edit"],
                                gone_url.replace("/0/", f"/{c.pk}/", 1), words["left"])
        owner = (person_label(c.owner) if c.owner_id else "") or "–"
        last = format_html(" · {} {}", words["last"], date_format(c.last_contact_date, "SHORT_DATE_FORMAT")) \
            if c.last_contact_date else ""
        if getattr(c, "not_contacted_lately", False):
            last = format_html('{} <span class="badge text-bg-warning" data-testid="not-contacted">{}</span>',
                               last, words["stale"])
        children = format_html("<ul>{}</ul>", format_html_join("", "{}", ((node_html(n),) for n in node.children))) \
            if node.children else ""
        return format_html(
            '<li>\n  <div class="org-card attitude-{}" data-testid="org-node">\n'
            '    <div class="fw-semibold">{}{}</div>\n    <div class="small">{}</div>\n'
            '    <div class="small text-body-secondary">{} · {} {} · {}</div>\n'
            '    <div class="small text-body-secondary">{}: {}{}</div>\n  </div>\n  {}\n</li>',
            c.attitude, c.name, links, c.position or "–",
            _label(Attitude, c.attitude), words["influence"], str(_label(Influence, c.influence)).lower(),
            _label(DecisionRole, c.decision_role), words["owner"], owner, last, children)

    return format_html_join("", "{}", ((node_html(n),) for n in roots))


@register.filter
def contact_label(value, kind):
    """Label of a contact's influence, attitude or decision role, without get_FOO_display per row."""
    from accounts.models import Attitude, DecisionRole, Influence

    return _label({"influence": Influence, "attitude": Attitude, "decision_role": DecisionRole}[kind], value)
