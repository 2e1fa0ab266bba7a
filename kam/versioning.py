"""Optimistic locking: one mechanism for every object people edit.

Each editable model has a `version` column and a simple_history `history` whose records carry the
version they saved. A form carries the version the user started from (`kam.forms.VersionedForm`); the
service locks the row, compares, and refuses a save made from an older version with `Conflict`, which
says field by field what the other person changed. The user's input is kept, shown beside the saved
values (`templates/partials/conflict.html`), and the next save is made knowingly from the version
now shown.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from .errors import Change, Conflict, Invalid, add_to_form

# Pass as `expected` when the caller edits the row as it is now, on purpose (imports, jobs).
CURRENT = object()


def display(instance, name: str) -> str:
    """A field's value as a person reads it (choice labels, related objects' names, Yes/No)."""
    if instance is None:
        return "—"
    f = instance._meta.get_field(name)
    if f.many_to_many:
        return ", ".join(sorted(str(o) for o in getattr(instance, name).all())) or "—"
    value = getattr(instance, f.attname)
    if f.is_relation:
        target = getattr(instance, name, None) if value else None
        return str(target) if target else "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value)) if value not in (None, "") else "—"
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)


def changes_since(instance, version: int | None, fields) -> list[Change]:
    """Fields of `instance` that differ from its history record at `version` (every field when that
    version is unknown)."""
    old = None
    history = getattr(instance, "history", None)
    if version is not None and history is not None:
        old = history.filter(version=version).order_by("-history_date").first()
    out = []
    for name in fields:
        now = display(instance, name)
        if old is None or now != display(old, name):
            out.append(Change(name, str(instance._meta.get_field(name).verbose_name), now))
    return out


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):  # missing or tampered: an edit of an unknown version
        return None


def check(instance, expected, fields) -> None:
    """Refuse the edit if `instance` (locked by the caller) moved past `expected`."""
    if expected is CURRENT:
        return
    seen = _as_int(expected)
    if seen is None or seen != instance.version:
        raise Conflict(current=instance, changes=changes_since(instance, seen, fields))


def claim(queryset, pk, expected, fields):
    """Lock the row `pk` of `queryset`, check the version and return it, ready to edit and `bump`."""
    instance = queryset.select_for_update(of=("self",)).get(pk=pk)
    check(instance, expected, fields)
    return instance


def bump(instance) -> None:
    instance.version = (instance.version or 0) + 1


def keep_mine(exc: Conflict, form) -> None:
    """After a conflict: show the user's values beside the saved ones, and make the form's next save
    one made from the version now shown."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for change in exc.changes:
        if change.field in cleaned:
            change.mine = (display(form.instance, change.field) if hasattr(form, "instance")
                           else str(cleaned[change.field]))
    if exc.current is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = exc.current.version


def form_write(form, write: Callable[[], object]) -> tuple[bool, Conflict | None]:
    """Run a service write for a bound, valid form: (done, conflict). Broken rules (`Invalid`) go onto
    the form; a stale edit (`Conflict`) keeps the user's values beside the saved ones and is returned to
    be shown above the form. A refusal (`Forbidden`) is not caught: the middleware answers 403."""
    try:
        write()
    except Conflict as exc:
        keep_mine(exc, form)
        return False, exc
    except Invalid as exc:
        add_to_form(form, exc)
        return False, None
    return True, None
