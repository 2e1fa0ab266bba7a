"""The monthly financials import."""

import datetime
import hashlib
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


def row_digests(rows, conventions: Conventions, currency: str) -> list[int | None]:
    """A 64-bit digest of each row as the file has it (None for a row with more values than columns),
    seeded with what decides how the row is read: its columns, the conventions and the programme's
    currency. Two rows with one digest say the same thing; a month written by a row keeps its digest
    (FinancialRecord.source_digest) until it is written any other way."""
    out: list[int | None] = []
    seed = None
    for _line, r in rows:
        if r.get("__extra__"):
            out.append(None)
            continue
        if seed is None:
            seed = "\x1f".join(("financials", conventions.decimal, conventions.dates, currency, *r)).encode()
        values = tuple(r.values())
        if not all(type(v) is str for v in values):
            # A typed spreadsheet cell (values.Cell) is read by its value, not its text: marked apart.
            values = tuple(v if type(v) is str else "\x1d" + v for v in values)
        digest = hashlib.blake2b(seed + "\x1e".join(values).encode(), digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def _imported_as_is(digests: list[int | None]) -> dict[int, tuple[int, datetime.date]]:
    """{digest: (account id, month)} of the stored months that rows with these digests wrote and that
    nothing has written since."""
    wanted = [d for d in digests if d is not None]
    return {d: (account_id, month) for d, account_id, month in writing.stored_by(
        FinancialRecord, by="source_digest", values=wanted, columns=("source_digest", "account", "month"))}


def _plan_financials(rows, result, conventions: Conventions | None = None, *, count: bool = True):
    conventions = conventions or Conventions()
    currency = _programme_currency_marks()
    index = AccountIndex()
    digests = row_digests(rows, conventions, currency[0])
    already = _imported_as_is(digests)
    row_digest: dict[tuple[int, datetime.date], int] = {}
    as_is = 0
    seen: dict[tuple[int, datetime.date], int] = {}
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    months: dict[str, tuple[datetime.date | None, list[str]]] = {}
    # A file repeats its accounts (a row per month) and many of its amounts: each distinct one is read
    # once, with the same result and the same messages as reading it again would give.
    accounts: dict[tuple, tuple] = {}
    amounts: dict[str, Decimal] = {}
    for (line, r), digest in zip(rows, digests, strict=True):
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
        stored = already.get(digest) if digest is not None else None
        if stored is not None and account is not None and stored[0] == account.pk:
            # The same row wrote this month and nothing has written it since: it holds what the row says,
            # and the row was valid then as now (its account still matches it). Only a repeat is an error.
            if stored in seen:
                result.add_error(line, [_("Duplicate row: the same account and month as line %(line)s.") % {
                    "line": seen[stored]}])
                continue
            seen[stored] = line
            as_is += 1
            continue
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
        if digest is not None:
            row_digest[(account.pk, month)] = digest

    if count and result.ok:
        _count_changes(planned, result)
        result.unchanged += as_is

    return Plan(_writer(planned, row_digest, as_is, result), payload=lambda: _payload(planned, row_digest, as_is))


def _writer(planned: dict[tuple[int, datetime.date], dict[str, Decimal]], digests: dict, as_is: int, result):
    def write(actor, progress=None):
        result.created, result.updated = services.financial_records_save(actor=actor, figures=planned,
                                                                         progress=progress, digests=digests)
        result.overwritten = result.updated
        result.unchanged = len(planned) - result.created - result.updated + as_is
        return {a for a, _m in planned} if result.created or result.updated else set()

    return write


def _payload(planned: dict[tuple[int, datetime.date], dict[str, Decimal]], digests: dict, as_is: int) -> bytes:
    """The planned months as compressed text: the number of rows found unchanged, then a line per month:
    account id, month, the figures (a figure the file leaves out is stored as zero, as the write does)
    and the row's digest."""
    zero = Decimal(0)
    names = services.FINANCIAL_FIGURES
    lines = [str(as_is)]
    lines.extend(f"{account_id};{month.isoformat()};" + ";".join(str(numbers.get(n, zero)) for n in names)
                 + f";{digests.get((account_id, month), '')}"
                 for (account_id, month), numbers in planned.items())
    return zlib.compress("\n".join(lines).encode(), 1)


def plan_from_payload(payload: bytes, result) -> Plan:
    """The plan a check made (`_payload`), to write without reading the file again. Only for a check
    made against what is still stored (imports.state): its rows were validated then."""
    names = services.FINANCIAL_FIGURES
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    digests: dict[tuple[int, datetime.date], int] = {}
    months: dict[str, datetime.date] = {}
    first, *lines = zlib.decompress(payload).decode().split("\n")
    for line in lines:
        account_id, raw_month, *figures, digest = line.split(";")
        month = months.get(raw_month)
        if month is None:
            month = months[raw_month] = datetime.date.fromisoformat(raw_month)
        key = (int(account_id), month)
        planned[key] = dict(zip(names, map(Decimal, figures), strict=True))
        if digest:
            digests[key] = int(digest)
    return Plan(_writer(planned, digests, int(first), result))


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
