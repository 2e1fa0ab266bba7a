"""Reading an import: the file (CSV or XLSX) into rows, the lookups and checks its rows share, and the
result reported back. One value's reading (numbers, dates, countries, choices) is in `values`."""

import csv
import functools
import io
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from kam.text import single_line

from ..models import Account
from .values import Conventions, parse_choice, parse_country, parse_date, parse_month, parse_number, propose_conventions
from .xlsx import read_xlsx

__all__ = ["Conventions", "parse_date", "parse_month", "parse_number", "propose_conventions"]

# The rows with errors kept for the report; past it errors are counted, not kept (a financials file read
# before its accounts has one identical error per row: 55,379 of them make a page nobody reads).
MAX_KEPT_ERRORS = 1000


@dataclass
class RowError:
    line: int
    messages: list


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows identical to what is stored: not written
    overwritten: int = 0  # financials: stored months whose figures the file changes
    errors: list = field(default_factory=list)
    file_error: str = ""
    error_count: int = 0  # rows with errors, including those past MAX_KEPT_ERRORS
    # What the file's own numbers and dates suggest, beside what was stated: the check warns on a mismatch.
    proposed: Any = None
    # The check's fingerprint of what it compared the file with (imports.state).
    stored_state: str = ""
    checked_plan: bytes = b""  # a dry run's plan, for the kinds that can write it as it is

    def add_error(self, line: int, messages: list) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(RowError(line, messages))

    @property
    def errors_not_kept(self) -> int:
        return max(0, self.error_count - len(self.errors))

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count and not self.file_error


class FileError(Exception):
    pass


# Python's csv module refuses a value longer than this (128 KB) with an error; no column of ours needs
# a tenth of it.
FIELD_SIZE_LIMIT = csv.field_size_limit()


def read_csv(data: bytes, *, max_rows: int | None = None) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and rows (with their line numbers) of a UTF-8 CSV separated by semicolons or commas.

    Rows are read one at a time and reading stops at the first row past `max_rows`: a file of millions
    of short lines is refused after `max_rows` of them, not after parsing it whole. A NUL character
    (which PostgreSQL refuses in any text) or a value over FIELD_SIZE_LIMIT is refused with its line."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Rows are searched for a NUL (to name its line) only when the text has one.
    has_nul = "\x00" in text
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    starts_at = 1  # the line the row being read starts on (a quoted value may span lines)
    try:
        for values in reader:
            starts_at = reader.line_num + 1
            if has_nul and any("\x00" in v for v in values):
                raise FileError(_("Line %(line)s contains a NUL character: the file is damaged or not a "
                                  "spreadsheet export.") % {"line": reader.line_num})
            if header is None:
                header = _header(values)
                continue
            if not "".join(values).strip():
                continue
            if max_rows is not None and len(rows) >= max_rows:
                raise FileError(_("The file has more than %(max)s rows; one import takes at most %(max)s. Split "
                                  "the file and import the parts one after the other.") % {"max": max_rows})
            if len(values) > len(header):
                rows.append((reader.line_num, {"__extra__": True}))
                continue
            if len(values) < len(header):
                values += [""] * (len(header) - len(values))
            rows.append((reader.line_num, dict(zip(header, map(str.strip, values), strict=True))))
    except csv.Error as exc:
        # The only error the reader raises on text that decoded: a value beyond the field size limit
        # (an unclosed quote makes the rest of the file one value).
        raise FileError(_("Line %(line)s has a value longer than %(kb)s KB (an unclosed quote, or not a "
                          "spreadsheet export). Nothing was imported.") % {
            "line": starts_at, "kb": FIELD_SIZE_LIMIT // 1024}) from exc
    if header is None:
        raise FileError(_("The file is empty."))
    return header, rows


SPREADSHEET_SUFFIXES = (".xlsx",)
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", "")


def read_table(data: bytes, *, filename: str, max_rows: int | None = None
               ) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and rows of a CSV or an XLSX file (its first sheet), by the file's name and checked against
    its content: a spreadsheet saved under another name gets the message that says so."""
    name = (filename or "").lower()
    suffix = name[name.rfind("."):] if "." in name else ""
    if data[:4] == b"PK\x03\x04" or suffix in SPREADSHEET_SUFFIXES:
        if suffix not in SPREADSHEET_SUFFIXES and suffix not in TEXT_SUFFIXES:
            raise FileError(_unsupported())
        return read_xlsx(data, max_rows=max_rows, header_of=_header, error=FileError, max_value=FIELD_SIZE_LIMIT)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix in (".xls", ".ods", ".numbers", ".xlsm", ".xlsb"):
        raise FileError(_unsupported())
    if suffix not in TEXT_SUFFIXES:
        raise FileError(_unsupported())
    return read_csv(data, max_rows=max_rows)


def _unsupported() -> str:
    return _("Only CSV and Excel .xlsx files can be imported. Save the file from your spreadsheet as "
             "“Excel workbook (.xlsx)” or “CSV UTF-8”.")


def _header(values) -> list[str]:
    header = [str(h or "").strip().lower().replace(" ", "_") for h in values]
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise FileError(_("The header names a column twice: %(columns)s. Keep one of each.") % {
            "columns": ", ".join(repeated)})
    return header


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileError(_("The file is UTF-16 text (“Unicode text”). Save it from your spreadsheet as "
                          "“CSV UTF-8” or as an Excel workbook."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileError(_("The file is not UTF-8 text (line %(line)s is in another encoding, such as Windows "
                          "Latin-1). Save it from your spreadsheet as “CSV UTF-8”.") % {"line": line}) from exc


def _choice(value: str, choices, *, lookup: dict | None = None):
    """A choice by its code or its label in English or Spanish (case and accents aside); "" gives None."""
    return parse_choice(value, choices, lookup=lookup)


class IndexedAccount(NamedTuple):
    """An account's keys as the index holds them: a tuple, not a model instance (an index of 100,000
    accounts is built for every file). Code that checks a permission on an account fetches the model."""

    pk: int
    name: str
    country: str
    tax_id: str
    customer_number: str
    parent_id: int | None


INDEXED = ("pk", "name", "country", "tax_id", "customer_number", "parent_id")
_LOWER, _UPPER = string.ascii_lowercase, string.ascii_uppercase


class AccountIndex:
    """Every account's natural keys, loaded in one query, so validation makes no query per row."""

    def __init__(self, rows: Iterable[tuple] | None = None):
        self.by_number: dict[str, IndexedAccount] = {}
        self.by_tax: dict[str, IndexedAccount] = {}
        self.by_name: dict[tuple[str, str], IndexedAccount] = {}
        if rows is None:
            rows = _all_keys()
        # tuple.__new__ straight from C: `_make`, a Python call per row, took most of the index's time.
        for a in map(functools.partial(tuple.__new__, IndexedAccount), rows):
            if a.customer_number:
                self.by_number[a.customer_number.upper()] = a
            if a.tax_id:
                self.by_tax[a.tax_id.upper()] = a
            self.by_name.setdefault((a.name.strip().lower(), a.country.upper()), a)

    def find(self, tax_id: str, name: str, country: str, customer_number: str = ""):
        """The customer number first when the row has one, then the tax id, then the name and country."""
        if customer_number:
            found = self.by_number.get(customer_number.upper())
            if found is not None:
                return found
        if tax_id:
            return self.by_tax.get(tax_id.upper())
        return self.by_name.get((name.strip().lower(), (country or "ES").upper()))

    @classmethod
    def of_keys(cls, *, numbers: Iterable[str], tax_ids: Iterable[str]) -> "AccountIndex":
        """The index of the accounts that `find` can return for these customer numbers and tax ids (upper
        case, as `find` compares them), without its names: for rows that all carry a tax id or a number
        found among them. A file names a few thousand of 100,000 accounts; loading all of them cost 0.6 s
        per file.

        The database's upper() depends on its locale, so keys are compared in ASCII and every key with
        another character is a candidate, read and matched here as `find` matches it."""
        numbers, tax_ids = sorted(set(numbers) - {""}), sorted(set(tax_ids) - {""})
        if connection.vendor != "postgresql":
            return cls()
        columns = ", ".join(f"a.{column}" for column in _columns())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {connection.ops.quote_name(Account._meta.db_table)} AS a "
                f"WHERE translate(a.customer_number, %s, %s) = ANY(%s) OR translate(a.tax_id, %s, %s) = ANY(%s) "
                f"OR octet_length(a.customer_number) <> char_length(a.customer_number) "
                f"OR octet_length(a.tax_id) <> char_length(a.tax_id) ORDER BY a.name",
                [_LOWER, _UPPER, numbers, _LOWER, _UPPER, tax_ids])
            candidates = cursor.fetchall()
        index = cls(candidates)
        index.by_name = {}  # names are matched on the whole index only
        return index


def _columns() -> list[str]:
    return [connection.ops.quote_name(Account._meta.get_field(n).column)  # type: ignore[union-attr,arg-type]
            for n in ("id", *INDEXED[1:])]


def _all_keys() -> Iterable[tuple]:
    """Every account's INDEXED values, in the model's order. On PostgreSQL read raw (the ORM's per-row
    conversions cost most of the 0.6 s that 100,000 accounts took)."""
    if connection.vendor != "postgresql":
        return Account.objects.values_list(*INDEXED).iterator(chunk_size=20_000)
    columns = ", ".join(_columns())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(Account._meta.db_table)} ORDER BY name")
        return cursor.fetchall()


def _users_by_email(role) -> dict:
    User = get_user_model()
    return {u.email.lower(): u for u in User.objects.filter(groups__name=role, is_active=True).exclude(email="")}



def _check(validator, value, errors: list, label: str) -> None:
    """The forms' bound (kam.validators) on one value of a row: its message, named by column."""
    try:
        validator(value)
    except ValidationError as exc:
        errors.extend(f"{label}: {message}" for message in exc.messages)


def _common_row_errors(values) -> list[str]:
    if values.get("__extra__"):
        return [_("More values than columns: check the separator and quotes.")]
    return []



class ImportAborted(Exception):
    pass



def _resolve_account(index, r, errors):
    number = single_line(r.get("account_customer_number", ""))
    tax_id = r.get("account_tax_id", "").upper()
    name = single_line(r.get("account_name", ""))
    country = r.get("account_country", "")
    if not (number or tax_id or name):
        errors.append(_("Say which account: account_customer_number, account_tax_id, or account_name and "
                        "account_country."))
        return None
    if country:
        try:
            country = parse_country(country)
        except ValueError as exc:
            errors.append(str(exc))
            return None
    account = index.find(tax_id, name, country or "ES", number)
    if account is None:
        # The same words for every row it happens to, so that thousands of them read as one cause.
        errors.append(_("No account matches the row's account columns: import the accounts first, or check "
                        "the customer number, tax id or name."))
    return account
