"""Reading an import: the CSV file, its numbers, months and choices, the lookups and checks its rows share,
and the result reported back."""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kam.text import single_line

from ..models import Account


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

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(_("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    starts_at = 1  # the line the row being read starts on (a quoted value may span lines)
    try:
        for values in reader:
            starts_at = reader.line_num + 1
            if any("\x00" in v for v in values):
                raise FileError(_("Line %(line)s contains a NUL character: the file is damaged or not a "
                                  "spreadsheet export.") % {"line": reader.line_num})
            if header is None:
                header = [h.strip().lower().replace(" ", "_") for h in values]
                continue
            if not any(v.strip() for v in values):
                continue
            if max_rows is not None and len(rows) >= max_rows:
                raise FileError(_("The file has more than %(max)s rows; one import takes at most %(max)s. Split "
                                  "the file and import the parts one after the other.") % {"max": max_rows})
            if len(values) > len(header):
                rows.append((reader.line_num, {"__extra__": True}))
                continue
            padded = values + [""] * (len(header) - len(values))
            rows.append((reader.line_num, {h: padded[i].strip() for i, h in enumerate(header)}))
    except csv.Error as exc:
        # The only error the reader raises on text that decoded: a value beyond the field size limit
        # (an unclosed quote makes the rest of the file one value).
        raise FileError(_("Line %(line)s has a value longer than %(kb)s KB (an unclosed quote, or not a "
                          "spreadsheet export). Nothing was imported.") % {
            "line": starts_at, "kb": FIELD_SIZE_LIMIT // 1024}) from exc
    if header is None:
        raise FileError(_("The file is empty."))
    return header, rows


def parse_number(value: str) -> Decimal:
    """Accepts 1234.5, 1234,5, 1.234,56 and 1,234.56 (the last separator is the decimal one)."""
    value = value.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
    if not value:
        return Decimal(0)
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = value.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise ValueError
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError from exc


def parse_month(value: str) -> datetime.date:
    value = value.strip()
    for fmt in ("%Y-%m", "%Y-%m-%d", "%m/%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError


def _choice(value: str, choices) -> str | None:
    """A choice by its code or its (English) label, case-insensitive; "" gives None (use the default)."""
    value = value.strip().lower()
    if not value:
        return None
    for code, label in choices:
        if value in (str(code).lower(), str(label).lower()):
            return code
    raise ValueError


def _choice_codes(choices) -> str:
    return ", ".join(str(code) for code, _label in choices)


class AccountIndex:
    """Every account's natural keys, loaded in one query, so validation makes no query per row."""

    def __init__(self):
        self.by_tax: dict[str, Account] = {}
        self.by_name: dict[tuple[str, str], Account] = {}
        for a in Account.objects.only("pk", "name", "country", "tax_id", "parent_id"):
            if a.tax_id:
                self.by_tax[a.tax_id.upper()] = a
            self.by_name.setdefault((a.name.strip().lower(), a.country.upper()), a)

    def find(self, tax_id: str, name: str, country: str):
        if tax_id:
            return self.by_tax.get(tax_id.upper())
        return self.by_name.get((name.strip().lower(), (country or "ES").upper()))


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
    tax_id = r.get("account_tax_id", "").upper()
    name = single_line(r.get("account_name", ""))
    country = (r.get("account_country") or "ES").upper()
    if not tax_id and not name:
        errors.append(_("Say which account: account_tax_id, or account_name and account_country."))
        return None
    account = index.find(tax_id, name, country)
    if account is None:
        errors.append(_("No account matches “%(ref)s”.") % {"ref": tax_id or f"{name} ({country})"})
    return account
