"""Validation rules shared by every app's forms and services."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .errors import Invalid


def is_future(day: datetime.date | None) -> bool:
    """After today in the programme's time zone (today itself is not the future)."""
    return day is not None and day > timezone.localdate()


@deconstructible
class NotInFuture:
    """A date that has happened: a field validator (`validators=[not_in_future]`), with a message of its
    own where the field needs one (`NotInFuture(_("A review cannot have been held in the future."))`)."""

    def __init__(self, message=None):
        self.message = message or _("The date cannot be in the future.")

    def __call__(self, value: datetime.date | None) -> None:
        if is_future(value):
            raise ValidationError(self.message, code="future")

    def __eq__(self, other):
        return isinstance(other, NotInFuture) and self.message == other.message


not_in_future = NotInFuture()


def require_not_in_future(field: str, value: datetime.date | None, message=None) -> None:
    """The same rule where a service checks it: `Invalid` naming the field."""
    try:
        NotInFuture(message)(value)
    except ValidationError as exc:
        raise Invalid(errors={field: exc.messages}) from None
