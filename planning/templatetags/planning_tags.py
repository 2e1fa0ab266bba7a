from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A person's full name, else username; `empty` when there is nobody (rows whose owner left)."""
    if not user:
        return empty
    return user.get_full_name() or user.username


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
    "demo data": _("Demo data"),
}


@register.filter
def history_reason(record):
    reason = getattr(record, "history_change_reason", None)
    if reason:
        return REASON_LABELS.get(reason, reason)
    return record.get_history_type_display()
