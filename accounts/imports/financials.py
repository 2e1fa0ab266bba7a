"""The monthly financials import."""

import datetime
import zlib
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from kam.money import currency_symbol, programme_currency
from kam.validators import is_future, sane_date

from .. import services
from ..models import FinancialRecord
from . import writing
from .reading import AccountIndex, _check, _common_row_errors, _resolve_account
from .values import IMPORT_LANGUAGES, Conventions, ValueRefused, parse_month, parse_number
from .writing import Plan


def _plan_financials(rows, result, conventions: Conventions | None = None, *, count: bool = True):
    conventions = conventions or Conventions()
    currency = _programme_currency_marks()
    index = AccountIndex()
    seen: dict[tuple[int, datetime.date], int] = {}
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    months: dict[str, tuple[datetime.date | None, list[str]]] = {}
    # A file repeats its accounts (a row per month) and many of its amounts: each distinct one is read
    # once, with the same result and the same messages as reading it again would give.
    accounts: dict[tuple, tuple] = {}
    amounts: dict[str, Decimal] = {}
    for line, r in rows:
        errors = _common_row_errors(r)
        if errors:
            result.add_error(line, errors)
            continue
        names = (r.get("account_customer_number", ""), r.get("account_tax_id", ""), r.get("account_name", ""),
                 r.get("account_country", ""))
        found = accounts.get(names)
        if found is None:
            account_errors: list[str] = []
            found = accounts[names] = (_resolve_account(index, r, account_errors), account_errors)
        account = found[0]
        errors.extend(found[1])
        # A file has a few dozen distinct months in up to 150,000 rows: each is read and checked once.
        raw_month = r.get("month", "")
        if raw_month not in months:
            months[raw_month] = _month(raw_month, conventions.dates)
        month, month_errors = months[raw_month]
        errors.extend(month_errors)
        numbers = {}
        for column in ("revenue", "cost_of_goods", "cost_to_serve"):
            raw = r.get(column, "")
            if column == "revenue" and not raw:
                errors.append(_("Revenue is missing."))
                continue
            value = amounts.get(raw)
            try:
                if value is None:
                    value = amounts[raw] = parse_number(raw, decimal=conventions.decimal, places=2,
                                                        currency=currency)
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

    if count and result.ok:
        _count_changes(planned, result)

    return Plan(_writer(planned, result), payload=lambda: _payload(planned))


def _writer(planned: dict[tuple[int, datetime.date], dict[str, Decimal]], result):
    def write(actor, progress=None):
        result.created, result.updated = services.financial_records_save(actor=actor, figures=planned,
                                                                         progress=progress)
        result.overwritten = result.updated
        result.unchanged = len(planned) - result.created - result.updated
        return {a for a, _m in planned} if result.created or result.updated else set()

    return write


def _payload(planned: dict[tuple[int, datetime.date], dict[str, Decimal]]) -> bytes:
    """The planned months as compressed text, a line each: account id, month, then the figures (a figure
    the file leaves out is stored as zero, as the write does)."""
    zero = Decimal(0)
    names = services.FINANCIAL_FIGURES
    text = "\n".join(f"{account_id};{month.isoformat()};" + ";".join(str(numbers.get(n, zero)) for n in names)
                     for (account_id, month), numbers in planned.items())
    return zlib.compress(text.encode(), 1)


def plan_from_payload(payload: bytes, result) -> Plan:
    """The plan a check made (`_payload`), to write without reading the file again. Only for a check
    made against what is still stored (imports.state): its rows were validated then."""
    names = services.FINANCIAL_FIGURES
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    months: dict[str, datetime.date] = {}
    for line in zlib.decompress(payload).decode().split("\n"):
        account_id, raw_month, *figures = line.split(";")
        month = months.get(raw_month)
        if month is None:
            month = months[raw_month] = datetime.date.fromisoformat(raw_month)
        planned[(int(account_id), month)] = dict(zip(names, map(Decimal, figures), strict=True))
    return Plan(_writer(planned, result))


def _programme_currency_marks() -> tuple[str, ...]:
    """The programme's currency code and its symbols in the import's languages, which a file of its
    figures may carry ("US$" in Spanish, "$" in English)."""
    code = programme_currency()
    symbols = []
    for language in IMPORT_LANGUAGES:
        with translation.override(language):
            symbols.append(currency_symbol(code))
    return (code, *symbols)
def _month(raw: str, dates: str) -> tuple[datetime.date | None, list[str]]:
    """The month of a row, or None and why not."""
    errors: list[str] = []
    try:
        month = parse_month(raw, dates=dates)
    except ValueRefused:
        return None, [_("Month “%(value)s” is not a month (use YYYY-MM, MM/YYYY or a date).") % {
            "value": str(raw)[:40]}]
    if is_future(month):
        errors.append(_("Month %(value)s is in the future.") % {"value": raw})
    _check(sane_date, month, errors, "month")
    return month, errors


def _count_changes(planned: dict[tuple[int, datetime.date], dict[str, Decimal]], result) -> None:
    """What the write will do, read before it: months new, months whose figures change (overwritten)
    and months identical to what is stored."""
    revenue, cost_of_goods, cost_to_serve = services.FINANCIAL_FIGURES
    zero = Decimal(0)
    for _key, numbers, before in writing.with_stored(FinancialRecord, key=("account", "month"),
                                                     fields=services.FINANCIAL_FIGURES, items=planned.items()):
        if before is None:
            result.created += 1
        elif before != (numbers.get(revenue, zero), numbers.get(cost_of_goods, zero), numbers.get(cost_to_serve, zero)):
            result.updated += 1
        else:
            result.unchanged += 1
    result.overwritten = result.updated
