"""The domain's one exception hierarchy. Services raise these; views catch what they can show next to
the user's input (a form error, a message), and `kam.middleware.DomainErrorMiddleware` answers anything
left with the matching page: 403 refused, 409 conflict, 400 invalid.

Every message is meant for the user as is (already translated).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise


class DomainError(Exception):
    """A write the domain refused. `status` is the HTTP answer when no view handles it."""

    status = 400

    def __init__(self, message: "str | Promise" = "", *, errors: dict[str | None, list[str]] | None = None):
        self.errors = {key: [str(m) for m in msgs] for key, msgs in (errors or {}).items()}
        if not message and self.errors:
            message = " ".join(m for msgs in self.errors.values() for m in msgs)
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


class Forbidden(DomainError, PermissionDenied):
    """The user may not do this to this object (403). Also a Django PermissionDenied, so code and
    middleware that know only Django's exception treat it the same way."""

    status = 403


class Invalid(DomainError):
    """The request breaks a rule of the domain (400): bad values, a wrong state for the action.
    `errors` maps form field names (None for the whole form) to messages."""

    status = 400

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> "Invalid":
        if hasattr(exc, "error_dict"):
            return cls(errors={(None if k == "__all__" else k): [m for e in v for m in e.messages]
                               for k, v in exc.error_dict.items()})
        return cls(" ".join(str(m) for m in exc.messages))


@dataclass
class Change:
    """One field that differs between what the user started from and what is saved now."""

    field: str
    label: str
    theirs: str
    mine: str = ""


class Conflict(DomainError):
    """A save made from an out-of-date version (409). `current` is the row as it is now, `changes`
    what the other person changed since the version the user started from."""

    status = 409

    def __init__(self, message: str = "", *, current=None, changes: list[Change] | None = None):
        from django.utils.translation import gettext

        super().__init__(message or gettext(
            "Someone else saved this while you were editing. Your changes were not saved: review what "
            "changed below and save again to keep yours."))
        self.current = current
        self.changes = list(changes or [])


def clean(instance, *, exclude=None) -> None:
    """`full_clean()` with Django's ValidationError turned into our `Invalid`. `exclude`: fields set by
    the service rather than the user, which may be empty where the form would require them."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise Invalid.from_validation_error(exc) from exc


def clean_field(model, name: str, value) -> None:
    """One field's validation (its validators and bounds) for a value about to be computed with, before
    there is an instance to `clean`."""
    field = model._meta.get_field(name)
    try:
        field.clean(value, None)
    except ValidationError as exc:
        raise Invalid(errors={name: exc.messages}) from exc


def add_to_form(form, exc: DomainError) -> None:
    """Show a domain error on a Django form: field errors on their fields, the rest on top."""
    if exc.errors:
        for key, messages in exc.errors.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, str(exc))


