import hashlib

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kam.people import person_label

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A person's full name, else username; `empty` when there is nobody (rows whose owner left)."""
    return person_label(user) or empty


# History records carry a stable reason code (set by planning.services); these are its labels.
REASON_LABELS = {
    "edit": _("Text edited"),
    "rows": _("Tasks, opportunities, commitments or reviews changed"),
    "submitted": _("Submitted for internal sign-off"),
    "committed": _("Committed"),
    "returned to draft": _("Returned to draft"),
    "client agreed": _("The client agreed"),
    "closed": _("Closed"),
    "commitments changed after agreement": _("Commitments changed after the client's agreement"),
    "approved content changed": _("Changed after sign-off: back to internal review"),
    "changed after the client's agreement": _("Changed after the client's agreement"),
    "period": _("Period corrected"),
    "demo data": _("Demo data"),
}


@register.filter
def history_reason(record):
    reason = getattr(record, "history_change_reason", None)
    if reason:
        return REASON_LABELS.get(reason, reason)
    return record.get_history_type_display()


# Rendered blank forms, keyed on everything that shows in their HTML. The editor shows eight of them
# on every load and crispy spends most of the page's time on them; as the key is derived from the
# content (labels, values, choices, language), a stale entry can never be served, so no invalidation
# is needed and a bounded per-process store is enough.
_FORM_HTML: dict[str, str] = {}
_FORM_HTML_MAX = 512


def _field_signature(bound):
    field = bound.field
    choices = getattr(field, "choices", None)
    if choices is not None:
        # Materialise a model choice list once: the key needs it and rendering reuses it.
        choices = [(str(value), str(label)) for value, label in choices]
        field.choices = choices
    return (bound.html_name, type(field).__name__, type(field.widget).__name__, str(bound.label),
            field.required, field.disabled, str(field.help_text), sorted(field.widget.attrs.items()),
            repr(bound.value()), choices, bound.auto_id)


@register.filter
def crispy_cached(form):
    """`{{ form|crispy }}` for forms without data; forms carrying the user's input render live."""
    if form.is_bound:
        return as_crispy_form(form)
    signature = (type(form).__module__, type(form).__qualname__, form.prefix, get_language(),
                 tuple(_field_signature(bound) for bound in form))
    key = hashlib.sha256(repr(signature).encode()).hexdigest()
    html = _FORM_HTML.get(key)
    if html is None:
        html = as_crispy_form(form)
        if len(_FORM_HTML) >= _FORM_HTML_MAX:
            _FORM_HTML.clear()
        _FORM_HTML[key] = html
    return html


@register.filter
def lookup(mapping, key):
    """`mapping[key]`, or None when it is absent (or there is no mapping)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def field_label(name, instance):
    """The verbose name of `instance`'s field `name`, as a person reads it."""
    return str(instance._meta.get_field(name).verbose_name)
