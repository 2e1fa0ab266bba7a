"""The monthly financials import."""

import datetime
import hashlib
import itertools
import operator
import zlib
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from kam.money import currency_symbol, programme_currency
from kam.text import single_line
from kam.validators import is_future, sane_date

from .. import services
from ..models import FinancialRecord
from . import writing
from .reading import AccountIndex, _check, _common_row_errors, _resolve_account
from .values import IMPORT_LANGUAGES, Cell, Conventions, ValueRefused, parse_month, parse_number
from .writing import Plan


def row_digests(rows, conventions: Conventions, currency: str) -> list[int | None]:
    """A 64-bit digest of each row as the file has it (None for a row with more values than columns),
    seeded with what decides how the row is read: its columns, the conventions and the programme's
    currency. Two rows with one digest say the same thing; a month written by a row keeps its digest
    (FinancialRecord.source_digest) until it is written any other way."""
    out: list[int | None] = []
    seed = b""
    blake2b, join, from_bytes = hashlib.blake2b, "\x1e".join, int.from_bytes
    # A typed spreadsheet cell (values.Cell) is read by its value, not its text: marked apart. A CSV has
    # none, and its rows are digested without looking at each value's type.
    typed = Cell in set(map(type, itertools.chain.from_iterable(map(dict.values, map(operator.itemgetter(1), rows)))))
    for _line, r in rows:
        if r.get("__extra__"):
            out.append(None)
            continue
        if not seed:
            seed = "\x1f".join(("financials", conventions.decimal, conventions.dates, currency, *r)).encode()
        values = r.values()
        if typed and not all(type(v) is str for v in values):
            values = tuple(v if type(v) is str else "\x1d" + v for v in values)
        out.append(from_bytes(blake2b(seed + join(values).encode(), digest_size=8).digest(), "big", signed=True))
    return out


def _written_as_is(digests: list[int | None], row_accounts: list[int | None], months) -> set[int]:
    """The digests of the rows whose digest a stored month of the row's own account holds: months the
    same row wrote and nothing has written since. Read for the file's accounts and months only."""
    stored = writing.stored_pairs(FinancialRecord, columns=("source_digest", "account"), where={
        "account": sorted({a for a in row_accounts if a is not None}), "month": sorted(months)})
    return {d for d, a in zip(digests, row_accounts, strict=True) if d is not None and (d, a) in stored}


ACCOUNT_COLUMNS = ("account_customer_number", "account_tax_id", "account_name", "account_country")


def _account_names(r) -> tuple | None:
    if r.get("__extra__"):
        return None
    return tuple(r.get(column, "") for column in ACCOUNT_COLUMNS)


def _rows_account_names(rows) -> list[tuple | None]:
    """Each row's account columns (None for a row with more values than columns). Rows that all hold
    every column of the header are read by one getter, without a Python step per row (150,000 rows)."""
    header: dict = next((r for _line, r in rows if not r.get("__extra__")), {})
    present = [column for column in ACCOUNT_COLUMNS if column in header]
    if present:
        getter = operator.itemgetter(*present)
        try:
            keys = list(map(getter, map(operator.itemgetter(1), rows)))
        except KeyError:  # a row with more values than columns, or short of a column
            return [_account_names(r) for _line, r in rows]
        spread = {}
        for key in set(keys):
            given = dict(zip(present, key if len(present) > 1 else (key,), strict=True))
            spread[key] = tuple(given.get(column, "") for column in ACCOUNT_COLUMNS)
        return list(map(spread.__getitem__, keys))
    return [_account_names(r) for _line, r in rows]


def _resolved_accounts(distinct: set[tuple]) -> dict[tuple, tuple]:
    """{account columns of a row: (the account they name or None, the errors saying why not)}, each
    distinct set of columns resolved once. Rows that all carry a tax id or a known customer number need
    only those accounts' keys; a row that may be matched by its name needs every account's."""
    keys = [(single_line(number).upper(), tax_id.upper()) for number, tax_id, _n, _c in distinct]
    index = AccountIndex.of_keys(numbers=(n for n, _t in keys), tax_ids=(t for _n, t in keys))
    if any(not tax_id and number not in index.by_number for number, tax_id in keys):
        index = AccountIndex()
    resolved = {}
    for names in distinct:
        errors: list[str] = []
        row = dict(zip(ACCOUNT_COLUMNS, names, strict=True))
        resolved[names] = (_resolve_account(index, row, errors), errors)
    return resolved


def _plan_financials(rows, result, conventions: Conventions | None = None, *, count: bool = True):
    conventions = conventions or Conventions()
    currency = _programme_currency_marks()
    row_names = _rows_account_names(rows)
    # A file repeats its accounts (a row per month): each distinct account is looked up once.
    accounts = _resolved_accounts({names for names in row_names if names is not None})
    digests = row_digests(rows, conventions, currency[0])
    account_ids: dict[tuple | None, int | None] = {
        names: None if found is None else found.pk for names, (found, _e) in accounts.items()}
    account_ids[None] = None
    row_accounts = list(map(account_ids.__getitem__, row_names))
    # A file has a few dozen distinct months in up to 150,000 rows: each is read and checked once.
    months = {raw: _month(raw, conventions.dates) for raw in {r.get("month", "") for _line, r in rows}}
    already = _written_as_is(digests, row_accounts, {month for month, _e in months.values() if month is not None})
    row_digest: dict[tuple[int, datetime.date], int] = {}
    if len(already) == len(rows) and all(month is not None for month, _e in months.values()):
        # Every row wrote its month as it is (and so none repeats another: their digests are distinct):
        # the file changes nothing.
        if count:
            result.unchanged += len(rows)
        return Plan(_writer({}, {}, len(rows), result), payload=lambda: _payload({}, {}, len(rows)))
    as_is = 0
    seen: dict[tuple[int, datetime.date], int] = {}
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    # A file repeats many of its amounts: each distinct one is read once, with the same result and the
    # same messages as reading it again would give.
    amounts: dict[str, Decimal] = {}
    for (line, r), digest, names in zip(rows, digests, row_names, strict=True):
        if names is None:
            result.add_error(line, _common_row_errors(r))
            continue
        account, account_errors = accounts[names]
        month, month_errors = months[r.get("month", "")]
        if digest in already and month is not None and account is not None:
            # The same row wrote this month of this account and nothing has written it since: it holds
            # what the row says, and the row was valid then as now (its account still matches it, and
            # its month is read under the conventions its digest is seeded with). Only a repeat is an
            # error.
            key = (account.pk, month)
            if key in seen:
                result.add_error(line, [_("Duplicate row: the same account and month as line %(line)s.") % {
                    "line": seen[key]}])
                continue
            seen[key] = line
            as_is += 1
            continue
        errors = [*account_errors, *month_errors]
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
