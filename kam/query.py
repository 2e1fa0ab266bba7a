"""Reading the query string safely. Parameters are typed by whoever sends the URL: a NUL byte, which
PostgreSQL refuses in any text, is turned away for every view at once (DomainErrorMiddleware), and ids
are read with `int_param`, which treats anything but a plain, in-range number as absent."""

from django.utils.translation import gettext as _

# A PostgreSQL integer (the id columns' type): a larger "id" can only be a probe.
_MAX_ID = 2**31 - 1


def query_problem(query) -> str:
    """Why this QueryDict cannot be used at all, or "" if it can."""
    for key, values in query.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return _("The address cannot contain a NUL character (%00). Remove it and try again.")
    return ""


def int_param(query, name: str) -> int | None:
    """The parameter `name` of `query` as a positive id, or None when it is missing or not one
    ("x", "²", "-1", a 30-digit number)."""
    raw = query.get(name, "")
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= _MAX_ID else None
