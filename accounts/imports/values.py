"""Reading one value of an import: numbers and dates under the file's stated conventions, countries and
choices by code or by their name in English or Spanish.

Numbers are strict: under a convention a text is read one way or refused, never guessed. The rules, as a
spreadsheet in Spain (decimal comma) or in the US/UK (decimal point) writes its numbers:

- the decimal separator is the convention's; the other mark ("." under a decimal comma, "," under a
  decimal point) and spaces group thousands, and only in whole groups of three ("1.234.567,8",
  "1,234,567.8", "1 234 567,8");
- so "12.500" is 12500 under a decimal comma and 12.5 under a decimal point, "12,500" the reverse;
- a text that breaks the grouping is refused: "1.23" or "1,234.5" under a decimal comma, "12.50.0",
  "12,5" under a decimal point;
- digits past the field's places that are not zeros are refused (money holds cents; 12,345 euros under a
  decimal comma is refused, not rounded to 12,35);
- currency symbols and codes (€, $, £, EUR, USD, GBP, the programme's currency), spaces and non-breaking
  spaces are ignored; a negative is written "-12", "12-" or "(12)".

Dates: ISO (2024-03-25) always; otherwise day/month/year, month/day/year or year/month/day as stated,
with "/", "-" or "." between the parts and a four-digit year (two-digit years are refused: 03/04/05 has
too many readings). A spreadsheet cell that is already a number or a date (XLSX) is taken as it is.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

DECIMAL_MARKS = (",", ".")
DATE_ORDERS = ("dmy", "mdy", "ymd")


@dataclass(frozen=True)
class Conventions:
    """How the file writes numbers ("," or "." before the decimals) and dates (the order of the parts)."""

    decimal: str = ","
    dates: str = "dmy"

    def __post_init__(self):
        if self.decimal not in DECIMAL_MARKS or self.dates not in DATE_ORDERS:
            raise ValueError(f"unknown conventions {self.decimal!r}, {self.dates!r}")


class Cell(str):
    """A spreadsheet cell that was typed (a number or a date): its text for the columns that want text
    (a customer number typed as a number reads "1001"), its `value` for the parsers, unparsed."""

    value: Decimal | datetime.date

    def __new__(cls, value):
        if isinstance(value, datetime.datetime):
            value = value.date() if value.time() == datetime.time() else value
        if isinstance(value, bool):
            text = str(int(value))
            value = Decimal(int(value))
        elif isinstance(value, int | float | Decimal):
            # repr of a float is its shortest exact reading (0.1 stays 0.1, not 0.1000000000000000055)
            value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            text = str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
        else:
            text = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        obj = super().__new__(cls, text)
        obj.value = value
        return obj


class ValueRefused(ValueError):
    """A value that cannot be read; its message says why and is the same for the same cause."""


# --- Numbers ---------------------------------------------------------------------------------------
CURRENCY_MARKS = ("€", "$", "£", "EUR", "USD", "GBP")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def _grouped(sep: str, decimal: str) -> re.Pattern:
    s, d = re.escape(sep), re.escape(decimal)
    return re.compile(rf"(?:\d{{1,3}}(?:{s}\d{{3}})+|\d+)(?:{d}\d+)?")


_PATTERNS = {d: (_grouped("." if d == "," else ",", d), _grouped(" ", d)) for d in DECIMAL_MARKS}


def _strip_currency(text: str, extra: tuple[str, ...]) -> str:
    if text[:1].isdigit() and text[-1:].isdigit():
        return text  # no mark at either end: most cells, read without trying each mark
    for mark in sorted({*CURRENCY_MARKS, *extra}, key=len, reverse=True):
        if mark and text.upper().startswith(mark.upper()):
            text = text[len(mark):].strip()
        if mark and text.upper().endswith(mark.upper()):
            text = text[:-len(mark)].strip()
    return text


# A plain number ("1234", "1234.5" under a decimal point, "1234,56" under a decimal comma), which is most
# of any file: read without the general rules' translations and patterns, to the same Decimal.
_PLAIN = {d: re.compile(rf"\d{{1,15}}(?:{re.escape(d)}\d{{1,6}})?") for d in DECIMAL_MARKS}


@lru_cache(maxsize=8)
def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def parse_number(value, *, decimal: str = ",", places: int = 2, currency: tuple[str, ...] = ()) -> Decimal:
    """The number a cell holds under the decimal mark `decimal`, with at most `places` decimals (see the
    module's docstring for the rules). An empty cell is 0. Raises ValueRefused with the reason."""
    if type(value) is str and _PLAIN[decimal].fullmatch(value):
        point = value.find(decimal)
        # Under a decimal comma "12.500" is not plain (it is grouped); "1.5" under a decimal point is.
        if point < 0 or len(value) - point - 1 <= places:
            number = Decimal(value.replace(",", ".") if decimal == "," else value)
            return number.quantize(_unit(places)) if places else number
    if isinstance(value, Cell) and isinstance(value.value, Decimal):
        number = value.value
    elif isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        text = _SPACES.sub(" ", str(value)).strip()
        if not text:
            return Decimal(0)
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        text = _strip_currency(text, currency)
        if text.startswith("-"):
            negative, text = not negative, text[1:].strip()
        elif text.endswith("-"):
            negative, text = not negative, text[:-1].strip()
        elif text.startswith("+"):
            text = text[1:].strip()
        text = _strip_currency(text, currency)
        thousands, spaced = _PATTERNS[decimal]
        if thousands.fullmatch(text):
            digits = text.replace("." if decimal == "," else ",", "")
        elif spaced.fullmatch(text):
            digits = text.replace(" ", "")
        else:
            raise ValueRefused(_("not a number written with a decimal %(mark)s") % {"mark": _mark_name(decimal)})
        try:
            number = Decimal(digits.replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the patterns only let digits through
            raise ValueRefused(_("not a number")) from exc
        if negative:
            number = -number
    if not number.is_finite():
        raise ValueRefused(_("not a number"))
    if number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise ValueRefused(_("more than %(places)s decimals") % {"places": places})
    return number.quantize(Decimal(1).scaleb(-places)) if places else number


def _mark_name(decimal: str) -> str:
    return _("comma") if decimal == "," else _("point")


# --- Dates -----------------------------------------------------------------------------------------
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_PARTS = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")


def parse_date(value, *, dates: str = "dmy") -> datetime.date:
    """A date: ISO always, else in the order `dates` ("dmy", "mdy" or "ymd") with a four-digit year."""
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, Decimal):
        raise ValueRefused(_("a number, not a date"))
    text = str(value).strip()
    iso = _ISO.fullmatch(text)
    if iso:
        y, m, d = (int(p) for p in iso.groups())
    else:
        parts = _PARTS.fullmatch(text)
        if not parts:
            raise ValueRefused(_("not a date"))
        a, b, c = parts.groups()
        order = {"dmy": (c, b, a), "mdy": (c, a, b), "ymd": (a, b, c)}[dates]
        if len(order[0]) != 4:
            raise ValueRefused(_("the year must have four digits"))
        y, m, d = (int(p) for p in order)
    try:
        return datetime.date(y, m, d)
    except ValueError as exc:
        raise ValueRefused(_("not a date")) from exc


_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")


def parse_month(value, *, dates: str = "dmy") -> datetime.date:
    """The first day of a month: YYYY-MM, MM/YYYY, or any date (its month)."""
    if not isinstance(value, Cell):
        text = str(value).strip()
        for pattern, year_first in ((_YEAR_MONTH, True), (_MONTH_YEAR, False)):
            match = pattern.fullmatch(text)
            if match:
                y, m = (int(p) for p in (match.groups() if year_first else reversed(match.groups())))
                if not 1 <= m <= 12:
                    raise ValueRefused(_("not a month"))
                return datetime.date(y, m, 1)
    return parse_date(value, dates=dates).replace(day=1)


# --- What a file suggests --------------------------------------------------------------------------
NUMBER_COLUMNS = ("revenue", "cost_of_goods", "cost_to_serve")
DATE_COLUMNS = ("month", "last_contact_date")
_COMMA_DECIMALS = re.compile(r"-?[\d.\s]*\d,\d{1,2}|-?\d{1,3}(\.\d{3})+,\d+")
_POINT_DECIMALS = re.compile(r"-?[\d,\s]*\d\.\d{1,2}|-?\d{1,3}(,\d{3})+\.\d+")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{4}")


def _default_conventions() -> Conventions:
    if (translation.get_language() or "en").startswith("es"):
        return Conventions(decimal=",", dates="dmy")
    return Conventions(decimal=".", dates="mdy")


def propose_conventions(header, rows) -> Conventions:
    """The conventions the file's number and date columns suggest, or the reader's language's where they
    say nothing: "12,5" or "1.234,56" mean a decimal comma, "12.5" or "1,234.56" a decimal point;
    "25/03/2024" means day first, "03/25/2024" month first."""
    default = _default_conventions()
    votes = {",": 0, ".": 0}
    orders = {"dmy": 0, "mdy": 0, "ymd": 0}
    numbers = [c for c in header if c in NUMBER_COLUMNS]
    dated = [c for c in header if c in DATE_COLUMNS]
    for _line, r in rows[:5000]:
        for column in numbers:
            value = r.get(column, "")
            if isinstance(value, Cell) or not value:
                continue
            text = _strip_currency(_SPACES.sub("", str(value)).strip("()"), ())
            if _COMMA_DECIMALS.fullmatch(text):
                votes[","] += 1
            elif _POINT_DECIMALS.fullmatch(text):
                votes["."] += 1
        for column in dated:
            value = r.get(column, "")
            if isinstance(value, Cell) or not value:
                continue
            match = _SLASHED.fullmatch(str(value).strip())
            if match:
                first, second = int(match.group(1)), int(match.group(2))
                if first > 12 >= second:
                    orders["dmy"] += 1
                elif second > 12 >= first:
                    orders["mdy"] += 1
            elif re.fullmatch(r"\d{4}[/.]\d{1,2}[/.]\d{1,2}", str(value).strip()):
                orders["ymd"] += 1
    decimal = max(votes, key=lambda k: votes[k]) if any(votes.values()) else default.decimal
    dates = max(orders, key=lambda k: orders[k]) if any(orders.values()) else default.dates
    return Conventions(decimal=decimal, dates=dates)


# --- Countries and choices -------------------------------------------------------------------------
def folded(text: str) -> str:
    """Case- and accent-insensitive form of a name ("Perú", "PERU" and "peru" are one)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


IMPORT_LANGUAGES = ("en", "es")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from django_countries import countries

    names: dict[str, str] = {}
    for language in IMPORT_LANGUAGES:
        with translation.override(language):
            for code, name in countries:
                names.setdefault(folded(name), code)
    for code, _name in countries:
        names[folded(code)] = code
    return names


def parse_country(value) -> str:
    """An ISO 3166 code from the code or the country's name in English or Spanish."""
    code = _country_names().get(folded(value))
    if code is None:
        raise ValueRefused(_("Country “%(value)s” is not an ISO 3166 code nor a country's name in English "
                             "or Spanish (e.g. ES, Spain, España).") % {"value": str(value)[:60]})
    return code


def choice_lookup(choices) -> dict[str, object]:
    """Every way a choice may be written in a file: its code, its label in English and in Spanish."""
    lookup: dict[str, object] = {}
    for language in IMPORT_LANGUAGES:
        with translation.override(language):
            for code, label in choices:
                lookup.setdefault(folded(str(label)), code)
    for code, _label in choices:
        lookup[folded(str(code))] = code
    return lookup


def parse_choice(value, choices, *, lookup: dict | None = None):
    """The code of a choice written as its code or label (either language); "" gives None (the default)."""
    if not str(value).strip():
        return None
    found = (lookup if lookup is not None else choice_lookup(choices)).get(folded(value))
    if found is None:
        raise ValueRefused(allowed_values(choices))
    return found


def allowed_values(choices) -> str:
    """The allowed values in the reader's language, each with its code: "Manufacturing (manufacturing), ..."."""
    return ", ".join(f"{label} ({code})" if folded(str(label)) != folded(str(code)) else str(code)
                     for code, label in choices)


def date_format_hint(conventions: Conventions) -> str:
    """How a date is written under the conventions, for messages."""
    return {"dmy": _("DD/MM/YYYY or YYYY-MM-DD"), "mdy": _("MM/DD/YYYY or YYYY-MM-DD"),
            "ymd": _("YYYY-MM-DD")}[conventions.dates]
