"""The monthly financials import."""

import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from kam.money import currency_symbol, programme_currency
from kam.validators import is_future, sane_date

from .. import services
from .reading import AccountIndex, _check, _common_row_errors, _resolve_account
from .values import IMPORT_LANGUAGES, Conventions, ValueRefused, parse_month, parse_number


def _plan_financials(rows, result, conventions: Conventions | None = None):
    conventions = conventions or Conventions()
    currency = _programme_currency_marks()
    index = AccountIndex()
    seen: dict[tuple[int, datetime.date], int] = {}
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    for line, r in rows:
        errors = _common_row_errors(r)
        if errors:
            result.add_error(line, errors)
            continue
        account = _resolve_account(index, r, errors)
        month = None
        try:
            month = parse_month(r.get("month", ""), dates=conventions.dates)
            if is_future(month):
                errors.append(_("Month %(value)s is in the future.") % {"value": r["month"]})
            _check(sane_date, month, errors, "month")
        except ValueRefused:
            month = None
            errors.append(_("Month “%(value)s” is not a month (use YYYY-MM, MM/YYYY or a date).") % {
                "value": str(r.get("month", ""))[:40]})
        numbers = {}
        for column in ("revenue", "cost_of_goods", "cost_to_serve"):
            raw = r.get(column, "")
            if column == "revenue" and not raw:
                errors.append(_("Revenue is missing."))
                continue
            try:
                value = parse_number(raw, decimal=conventions.decimal, places=2, currency=currency)
            except ValueRefused as exc:
                errors.append(_("%(column)s “%(value)s”: %(reason)s.") % {
                    "column": column, "value": str(raw)[:40], "reason": exc})
                continue
            if value < 0:
                errors.append(_("%(column)s cannot be negative (%(value)s).") % {"column": column, "value": raw})
            elif abs(value) >= Decimal("1e12"):
                errors.append(_("%(column)s is too large (%(value)s).") % {"column": column, "value": raw})
            numbers[column] = value
        if account is not None and month is not None:
            key = (account.pk, month)
            if key in seen:
                errors.append(_("Duplicate row: the same account and month as line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, line)
        if errors:
            result.add_error(line, errors)
            continue
        assert account is not None and month is not None  # a missing one was reported as an error
        planned[(account.pk, month)] = numbers

    def write(actor):
        result.created, result.updated = services.financial_records_save(actor=actor, figures=planned)
        return {a for a, _m in planned}

    return write


def _programme_currency_marks() -> tuple[str, ...]:
    """The programme's currency code and its symbols in the import's languages, which a file of its
    figures may carry ("US$" in Spanish, "$" in English)."""
    code = programme_currency()
    symbols = []
    for language in IMPORT_LANGUAGES:
        with translation.override(language):
            symbols.append(currency_symbol(code))
    return (code, *symbols)
