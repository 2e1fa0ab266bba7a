"""CSV import of accounts, contacts and monthly financials, and the CSV export of the account list.

An import is all-or-nothing: every row is validated first, against the database and against the other
rows of the file; if any row has an error nothing is written and the user gets the list of errors by
line. Re-importing a file updates what the first import created (natural keys: an account's tax id, or
its name and country; a contact's e-mail within its account, or its name; a month of an account).
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kam import versioning
from kam.errors import Invalid
from kam.roles import KAM, SPONSOR
from kam.text import single_line
from kam.validators import free_text_length, is_future, sane_date, visible_text

from . import services
from .models import (
    Account,
    AccountStatus,
    Activity,
    ActivityKind,
    Attitude,
    Contact,
    DecisionRole,
    ImportKind,
    ImportRun,
    Industry,
    Influence,
    RelationshipStage,
    RelationshipStageChange,
)
from .signals import financials_imported

COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    ImportKind.ACCOUNTS: (["name"], ["tax_id", "country", "industry", "region", "status", "kam_email",
                                     "sponsor_email", "parent_tax_id", "relationship_stage"]),
    ImportKind.CONTACTS: (["name"], ["account_tax_id", "account_name", "account_country", "email", "phone",
                                     "position", "reports_to_email", "influence", "attitude", "decision_role",
                                     "owner_email", "last_contact_date", "notes"]),
    ImportKind.FINANCIALS: (["month", "revenue"], ["account_tax_id", "account_name", "account_country",
                                                   "cost_of_goods", "cost_to_serve"]),
}


# One import is one request inside one transaction; these bounds keep it to a couple of minutes
# (50,000 new accounts take about 75 s; five years of monthly figures for 2,000 accounts fit in one file).
MAX_ROWS: dict[str, int] = {ImportKind.ACCOUNTS: 50_000, ImportKind.CONTACTS: 50_000, ImportKind.FINANCIALS: 150_000}


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


def _missing_columns(kind, header) -> list[str]:
    required, _optional = COLUMNS[kind]
    missing = [c for c in required if c not in header]
    if kind in (ImportKind.CONTACTS, ImportKind.FINANCIALS) and not (
            "account_tax_id" in header or "account_name" in header):
        missing.append("account_tax_id / account_name")
    return missing


def run_import(*, actor: User, kind: str, data: bytes, filename: str) -> ImportResult:
    """Validate the whole file, then write it in one transaction as `actor` (the programme lead), under
    the same rules as the forms: the services' permissions, and monthly figures through the one
    service that writes them."""
    services.permission_require(actor=actor, perm="accounts.import_data")
    result = ImportResult(kind=kind)
    try:
        header, rows = read_csv(data, max_rows=MAX_ROWS[kind])
    except FileError as exc:
        result.file_error = str(exc)
        return result
    missing = _missing_columns(kind, header)
    if missing:
        required, optional = COLUMNS[kind]
        result.file_error = _("Missing columns: %(missing)s. Expected columns: %(expected)s.") % {
            "missing": ", ".join(missing), "expected": ", ".join(required + optional)}
        return result
    if not rows:
        result.file_error = _("The file has a header but no rows.")
        return result
    result.rows = len(rows)
    planners: dict[str, Callable[[list, ImportResult], Callable]] = {
        ImportKind.ACCOUNTS: _plan_accounts, ImportKind.CONTACTS: _plan_contacts,
        ImportKind.FINANCIALS: _plan_financials}
    planner = planners[kind]
    plan = planner(rows, result)
    if not result.ok:
        return result
    try:
        account_ids = plan(actor)  # writes, in one transaction, and returns the accounts touched
    except ImportAborted as exc:
        result.file_error = str(exc)
        result.created = result.updated = 0
        return result
    with transaction.atomic():
        ImportRun.objects.create(kind=kind, filename=filename[:200], imported_by=actor, created=result.created,
                                 updated=result.updated)
    if kind in (ImportKind.FINANCIALS, ImportKind.ACCOUNTS):
        financials_imported.send(sender=ImportRun, account_ids=sorted(account_ids))
    return result


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


# --- Accounts --------------------------------------------------------------------------------------
def _plan_accounts(rows, result):
    index = AccountIndex()
    kams = _users_by_email(KAM)
    sponsors = _users_by_email(SPONSOR)
    seen: dict[tuple, int] = {}
    planned = []
    file_tax_ids = {r.get("tax_id", "").upper() for _l, r in rows if r.get("tax_id")}
    for line, r in rows:
        errors = _common_row_errors(r)
        if errors:
            result.errors.append(RowError(line, errors))
            continue
        name = single_line(r.get("name", ""))
        tax_id = r.get("tax_id", "").upper()
        country = (r.get("country") or "ES").upper()
        if not name:
            errors.append(_("The name is missing."))
        if len(name) > 200:
            errors.append(_("The name is longer than 200 characters."))
        _check(visible_text, name, errors, "name")
        if len(country) != 2 or not country.isalpha():
            errors.append(_("Country “%(value)s” is not a two-letter ISO code.") % {"value": country})
        key = ("tax", tax_id) if tax_id else ("name", name.lower(), country)
        if name and key in seen:
            errors.append(_("Duplicate row: the same account as line %(line)s.") % {"line": seen[key]})
        seen.setdefault(key, line)
        fields = {}
        for column, choices, target in (("industry", Industry.choices, "industry"),
                                        ("status", AccountStatus.choices, "status"),
                                        ("relationship_stage", RelationshipStage.choices, "relationship_stage")):
            try:
                value = _choice(r.get(column, ""), choices)
                if value is not None:
                    fields[target] = value
            except ValueError:
                errors.append(_("Unknown %(column)s “%(value)s” (use one of: %(codes)s).") % {
                    "column": column, "value": r[column], "codes": _choice_codes(choices)})
        for column, users, target in (("kam_email", kams, "kam"), ("sponsor_email", sponsors, "sponsor")):
            email = r.get(column, "").lower()
            if email:
                if email not in users:
                    errors.append(
                        _("Unknown KAM e-mail “%(email)s”: no active key account manager has it.") % {"email": email}
                        if target == "kam" else
                        _("Unknown sponsor e-mail “%(email)s”: no active executive sponsor has it.") % {"email": email})
                else:
                    fields[target] = users[email]
        parent_tax = r.get("parent_tax_id", "").upper()
        if parent_tax and parent_tax not in index.by_tax and parent_tax not in file_tax_ids:
            errors.append(_("Parent tax id “%(value)s” matches no account.") % {"value": parent_tax})
        if parent_tax and parent_tax == tax_id:
            errors.append(_("An account cannot be its own parent."))
        if r.get("region"):
            fields["region"] = r["region"][:100]
        if errors:
            result.errors.append(RowError(line, errors))
            continue
        existing = index.find(tax_id, name, country)
        planned.append((existing, {"name": name, "tax_id": tax_id, "country": country, **fields}, parent_tax))

    def write(actor):
        """Everything in bulk, with what the services record row by row (history, the first stage, the
        account's events): row by row a file of tens of thousands of rows outlasts any request timeout."""
        touched = set()
        with transaction.atomic():
            if any(existing is None for existing, _f, _p in planned):
                services.permission_require(actor=actor, perm="accounts.add_account")
            if any("kam" in fields or "sponsor" in fields for _e, fields, _p in planned):
                services.permission_require(actor=actor, perm="accounts.assign_people")
            # The revenue recompute at the end updates rows across the table: its lock comes first.
            services.advisory_lock(services.ACCOUNT_ROWS_LOCK)
            by_tax = dict(index.by_tax)
            fresh, changes = [], {}
            for existing, fields, _parent in planned:
                stage = fields.pop("relationship_stage", None)
                if existing is None:
                    fresh.append(Account(relationship_stage=stage or RelationshipStage.EXPLORATORY, **fields))
                else:
                    changes[existing.pk] = (fields, stage)
            result.created = len(fresh)
            result.updated = len(changes)
            updated, stage_rows, events = [], [], []
            ids = list(changes)
            for i in range(0, len(ids), 1000):
                for account in Account.objects.select_for_update().filter(pk__in=ids[i:i + 1000]):
                    services.permission_require(actor=actor, perm="accounts.change_account", obj=account)
                    fields, stage = changes[account.pk]
                    for k, v in fields.items():
                        setattr(account, k, v)
                    account.version += 1  # an edit form opened before the import is now stale
                    if stage and stage != account.relationship_stage:
                        stage_rows.append(RelationshipStageChange(
                            account=account, from_stage=account.relationship_stage, to_stage=stage,
                            changed_by=actor, note=_("CSV import")))
                        events.append(Activity(
                            account=account, kind=ActivityKind.STAGE_CHANGE, subkind=stage, actor=actor,
                            summary=_("Relationship stage: %(from)s → %(to)s") % {
                                "from": RelationshipStage(account.relationship_stage).label,
                                "to": RelationshipStage(stage).label}))
                        account.relationship_stage = stage
                    updated.append(account)
            if updated:
                bulk_update_with_history(updated, Account, EDITABLE_BY_IMPORT, batch_size=1000, default_user=actor)
            created = bulk_create_with_history(fresh, Account, batch_size=1000, default_user=actor) if fresh else []
            stage_rows += [RelationshipStageChange(account=a, from_stage="", to_stage=a.relationship_stage,
                                                   changed_by=actor) for a in created]
            summary = _("Account created")
            events += [Activity(account=a, kind=ActivityKind.ACCOUNT, subkind="created", actor=actor, summary=summary,
                                link=reverse("accounts:detail", args=[a.pk])) for a in created]
            RelationshipStageChange.objects.bulk_create(stage_rows, batch_size=1000)
            Activity.objects.bulk_create(events, batch_size=1000)
            for account in [*updated, *created]:
                touched.add(account.pk)
                if account.tax_id:
                    by_tax[account.tax_id.upper()] = account
            by_name = {(a.name.strip().lower(), a.country): a for a in [*updated, *created]}
            parent_links = []
            for _existing, fields, parent_tax in planned:
                if not parent_tax:
                    continue
                child = (by_tax.get(fields["tax_id"]) if fields["tax_id"]
                         else by_name.get((fields["name"].strip().lower(), fields["country"])))
                parent = by_tax[parent_tax]
                assert child is not None  # every planned row was written above
                try:
                    services.check_parent(child, parent)
                except Invalid as exc:
                    raise ImportAborted(str(exc)) from exc
                child.parent = parent
                parent_links.append(child)
            Account.objects.bulk_update(parent_links, ["parent"], batch_size=1000)
            services.revenue_recompute()
        return touched

    return write


class ImportAborted(Exception):
    pass


EDITABLE_BY_IMPORT = ["name", "tax_id", "country", "industry", "region", "status", "kam", "sponsor",
                      "relationship_stage", "version"]


# --- Contacts --------------------------------------------------------------------------------------
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


def _plan_contacts(rows, result):
    index = AccountIndex()
    User = get_user_model()
    owners = {u.email.lower(): u for u in User.objects.filter(is_active=True).exclude(email="")}
    account_ids = set()
    parsed = []
    for line, r in rows:
        errors = _common_row_errors(r)
        if not errors:
            account = _resolve_account(index, r, errors)
            if account is not None:
                account_ids.add(account.pk)
            parsed.append((line, r, account, errors))
        else:
            result.errors.append(RowError(line, errors))
    existing = {}
    for c in Contact.objects.filter(account_id__in=account_ids):
        existing[(c.account_id, "email", c.email.lower())] = c
        existing.setdefault((c.account_id, "name", c.name.lower()), c)
    file_emails = {(a.pk, r.get("email", "").lower()) for _l, r, a, _e in parsed if a and r.get("email")}
    seen: dict[tuple, int] = {}
    planned = []
    for line, r, account, errors in parsed:
        name = single_line(r.get("name", ""))
        email = r.get("email", "").lower()
        if not name:
            errors.append(_("The name is missing."))
        _check(visible_text, name, errors, "name")
        _check(free_text_length, r.get("notes", ""), errors, "notes")
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            errors.append(_("E-mail “%(value)s” is not valid.") % {"value": email})
        fields = {"name": name[:160], "email": email, "phone": r.get("phone", "")[:40],
                  "position": r.get("position", "")[:160], "notes": r.get("notes", "")}
        if account is not None and name:
            key = (account.pk, "email", email) if email else (account.pk, "name", name.lower())
            if key in seen:
                errors.append(_("Duplicate row: the same contact as line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, line)
        try:
            influence = _choice(r.get("influence", ""), [(str(v), label) for v, label in Influence.choices])
            if influence:
                fields["influence"] = int(influence)
        except ValueError:
            errors.append(_("Influence must be 1 (low), 2 (medium) or 3 (high)."))
        for column, choices in (("attitude", Attitude.choices), ("decision_role", DecisionRole.choices)):
            try:
                value = _choice(r.get(column, ""), choices)
                if value:
                    fields[column] = value
            except ValueError:
                errors.append(_("Unknown %(column)s “%(value)s” (use one of: %(codes)s).") % {
                    "column": column, "value": r[column], "codes": _choice_codes(choices)})
        owner_email = r.get("owner_email", "").lower()
        if owner_email:
            if owner_email not in owners:
                errors.append(_("Unknown owner e-mail “%(email)s”: no active user has it.") % {"email": owner_email})
            else:
                fields["owner"] = owners[owner_email]
        if r.get("last_contact_date"):
            try:
                fields["last_contact_date"] = datetime.date.fromisoformat(r["last_contact_date"])
            except ValueError:
                errors.append(_("Last contact date must be YYYY-MM-DD."))
            else:
                _check(sane_date, fields["last_contact_date"], errors, "last_contact_date")
        boss = r.get("reports_to_email", "").lower()
        if boss and account is not None and (account.pk, "email", boss) not in existing \
                and (account.pk, boss) not in file_emails:
            errors.append(_("Reports-to e-mail “%(email)s” matches no contact of this account.") % {"email": boss})
        if errors:
            result.errors.append(RowError(line, errors))
            continue
        key = (account.pk, "email", email) if email else (account.pk, "name", name.lower())
        planned.append((account, existing.get(key), fields, boss))

    def write(actor):
        with transaction.atomic():
            for account in {a.pk: a for a, _c, _f, _b in planned}.values():
                services.permission_require(actor=actor, perm="accounts.change_account", obj=account)
            # The rows as they are now, locked: an edit saved since the file was read is kept, and one
            # opened before the import is refused as stale.
            ids = [c.pk for _a, c, _f, _b in planned if c is not None]
            current = {}
            for i in range(0, len(ids), 1000):
                current.update(Contact.objects.select_for_update().in_bulk(ids[i:i + 1000]))
            by_email = {(k[0], k[2]): current.get(c.pk, c) for k, c in existing.items() if k[1] == "email"}
            saved = []
            for account, contact, fields, boss in planned:
                if contact is None:
                    contact = Contact(account_id=account.pk)
                    result.created += 1
                else:
                    contact = current[contact.pk]
                    versioning.bump(contact)
                    result.updated += 1
                for k, v in fields.items():
                    setattr(contact, k, v)
                contact._history_user = actor
                contact.save()
                if contact.email:
                    by_email[(account.pk, contact.email.lower())] = contact
                saved.append((contact, boss))
            for contact, boss in saved:
                if boss:
                    target = by_email[(contact.account_id, boss)]
                    if target.pk != contact.pk:
                        Contact.objects.filter(pk=contact.pk).update(reports_to=target)
            for account_id in {a.pk for a, _c, _f, _b in planned}:
                Activity.objects.create(account_id=account_id, kind=ActivityKind.ACCOUNT, subkind="import",
                                        actor=actor, summary=_("Contacts imported from CSV"))
        return set()

    return write


# --- Financials ------------------------------------------------------------------------------------
def _plan_financials(rows, result):
    index = AccountIndex()
    seen: dict[tuple[int, datetime.date], int] = {}
    planned: dict[tuple[int, datetime.date], dict[str, Decimal]] = {}
    for line, r in rows:
        errors = _common_row_errors(r)
        if errors:
            result.errors.append(RowError(line, errors))
            continue
        account = _resolve_account(index, r, errors)
        month = None
        try:
            month = parse_month(r.get("month", ""))
            if is_future(month):
                errors.append(_("Month %(value)s is in the future.") % {"value": r["month"]})
            _check(sane_date, month, errors, "month")
        except ValueError:
            errors.append(_("Month “%(value)s” is not a month (use YYYY-MM).") % {"value": r.get("month", "")})
        numbers = {}
        for column in ("revenue", "cost_of_goods", "cost_to_serve"):
            raw = r.get(column, "")
            if column == "revenue" and not raw:
                errors.append(_("Revenue is missing."))
                continue
            try:
                value = parse_number(raw)
                if value < 0:
                    errors.append(_("%(column)s cannot be negative (%(value)s).") % {"column": column, "value": raw})
                elif abs(value) >= Decimal("1e12"):
                    errors.append(_("%(column)s is too large (%(value)s).") % {"column": column, "value": raw})
                numbers[column] = value.quantize(Decimal("0.01"))
            except ValueError:
                errors.append(_("%(column)s “%(value)s” is not a number.") % {"column": column, "value": raw})
        if account is not None and month is not None:
            key = (account.pk, month)
            if key in seen:
                errors.append(_("Duplicate row: the same account and month as line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, line)
        if errors:
            result.errors.append(RowError(line, errors))
            continue
        assert account is not None and month is not None  # a missing one was reported as an error
        planned[(account.pk, month)] = numbers

    def write(actor):
        result.created, result.updated = services.financial_records_save(actor=actor, figures=planned)
        return {a for a, _m in planned}

    return write


# --- Export ----------------------------------------------------------------------------------------
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


EXPORT_HEADER = ["name", "tax_id", "industry", "country", "region", "status", "tier", "relationship_stage",
                 "kam_email", "sponsor_email", "parent_tax_id", "revenue_12m", "pareto_class", "attractiveness",
                 "strength", "quadrant", "health_score"]


def export_rows(queryset):
    """The export's rows; its columns are the import's, so an export can be edited and imported back.
    `queryset` is annotated by `selectors.with_commercial`: revenue is left blank on the rows whose
    figures the reader may not see."""
    yield EXPORT_HEADER
    for a in queryset.select_related("kam", "sponsor", "parent").iterator(chunk_size=500):
        yield [neutralise(v) for v in (
            a.name, a.tax_id, a.industry, a.country, a.region, a.status, a.tier, a.relationship_stage,
            a.kam.email if a.kam else "", a.sponsor.email if a.sponsor else "", a.parent.tax_id if a.parent else "",
            a.revenue_12m if getattr(a, "commercial", False) else "", a.pareto_class, a.attractiveness,
            a.strength, a.quadrant, a.health_score)]
