"""Validation rules shared by every app: the bounds every input is held to, whatever path it comes in by
(form, htmx row, import, service), and the rule that a date has happened.

Model fields carry these validators, so `full_clean()` (kam.errors.clean in the services) and model
forms apply them; plain forms and the CSV import apply the same ones explicitly.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .errors import Invalid

# Dates the programme can mean: anything outside is a typo or a probe, and near the ends of Python's
# range date arithmetic (a plan's period end, "stale since" cut-offs) overflows.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# Notes, summaries and descriptions: ten thousand characters is several pages; a megabyte is not a note.
FREE_TEXT_MAX_LENGTH = 10_000

# Format characters (Unicode category Cf) are invisible: bidi overrides make a name display reversed
# ("Aceros‮.S.A"), zero-width spaces make two names look the same. The joiners stay: Persian and Indic
# scripts and emoji sequences need them.
_ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}


@deconstructible
class DateInRange:
    """A date (or a datetime's date) between EARLIEST_DATE and LATEST_DATE."""

    message = _("Enter a date between %(earliest)s and %(latest)s.")
    code = "date_out_of_range"

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(self.message, code=self.code, params={
                "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()})

    def __eq__(self, other):
        return isinstance(other, DateInRange)


@deconstructible
class VisibleText:
    """Text without invisible formatting characters (bidi controls, zero-width spaces, BOMs)."""

    message = _("Remove the invisible formatting characters (such as text-direction marks or zero-width "
                "spaces) from this text.")
    code = "invisible_characters"

    def __call__(self, value):
        # Formatting characters are not printable: most texts are, and are passed in one C call.
        text = str(value) if value else ""
        if text and not text.isprintable() and any(
                unicodedata.category(ch) == "Cf" and ch not in _ALLOWED_FORMAT_CHARACTERS for ch in text):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, VisibleText)


sane_date = DateInRange()
visible_text = VisibleText()
free_text_length = MaxLengthValidator(FREE_TEXT_MAX_LENGTH)

# A period in days (plan staleness, review and visit intervals): ten years.
DAYS_MAX = 3650

# One touchpoint's or incident's cost: ten million euros is already beyond any credit note or event.
COST_MAX = Decimal("10000000")

# Hours to acknowledge or resolve an incident: a year. Deadlines are computed from them.
SLA_HOURS_MAX = 24 * 365

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


def iso_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code of the maintained list (django-countries), not merely two letters."""
    from django_countries import countries

    if value and value not in countries:
        raise ValidationError(_("“%(value)s” is not an ISO 3166 country code (e.g. ES, PT, FR)."),
                              code="country", params={"value": value})


def iso_currency(value: str) -> None:
    """An ISO 4217 currency code Babel knows (EUR, USD, GBP, ...)."""
    from babel.numbers import list_currencies

    if value not in list_currencies():
        raise ValidationError(_("“%(value)s” is not an ISO 4217 currency code (e.g. EUR, USD, GBP)."),
                              code="currency", params={"value": value})


HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def hex_colour(value: str) -> None:
    """A colour as CSS writes it in hexadecimal, #rrggbb: it goes into the client PDF's style sheet,
    so nothing else may."""
    if not HEX_COLOUR.fullmatch(value or ""):
        raise ValidationError(_("Write the colour as # and six hexadecimal digits, e.g. #1f4e79."),
                              code="colour", params={"value": value})


# The business-hours calendar of SLA clocks (kam.ProgrammeSettings): at most a few years of holidays.
HOLIDAYS_MAX = 200


def default_work_days() -> list[int]:
    """Monday to Friday (0 = Monday)."""
    return [0, 1, 2, 3, 4]


def validate_work_days(value) -> None:
    if (not isinstance(value, list) or not value or len(set(value)) != len(value)
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in value)):
        raise ValidationError(_("Choose at least one working day."), code="work_days")


def validate_holidays(value) -> None:
    if not isinstance(value, list) or len(value) > HOLIDAYS_MAX:
        raise ValidationError(_("At most %(n)d holidays.") % {"n": HOLIDAYS_MAX}, code="holidays")
    for item in value:
        try:
            datetime.date.fromisoformat(item)
        except (TypeError, ValueError):
            raise ValidationError(_("Holidays are dates like 2026-12-25."), code="holidays") from None
