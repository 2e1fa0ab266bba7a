"""Amounts in the programme's currency, as the reader's language writes them (Babel's CLDR data)."""

import copy
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol
from django.utils import translation

DEFAULT_CURRENCY = "EUR"


def _locale() -> str:
    return (translation.get_language() or "en").replace("-", "_")


def currency_symbol(code: str | None = None) -> str:
    """The symbol of the currency in the reader's language (€, US$ or $, £)."""
    return get_currency_symbol(code or programme_currency(), locale=_locale())


def programme_currency() -> str:
    """The programme's currency code, a cached part (kam.datastamps): a page showing amounts adds no query,
    a part that shows one is dropped with it when the programme settings are saved."""
    from kam import datastamps
    from kam.models import ProgrammeSettings

    return datastamps.cached("programme-currency",
                             lambda: ProgrammeSettings.current().currency or DEFAULT_CURRENCY)


def money(value, places: int = 0) -> str:
    """An amount with the programme's currency in the reader's language: "12.500 €", "€12,500"; "–" for
    no amount."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    locale = _locale()
    if places:
        return format_currency(amount, programme_currency(), locale=locale)
    pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (0, 0)  # whole units, placed as the language places the symbol
    return format_currency(amount.quantize(Decimal(1)), programme_currency(), locale=locale, format=pattern,
                           currency_digits=False)
