"""Running one import: the columns and row bounds of each kind, the checks on the file as a whole, and the
all-or-nothing write.

An import is all-or-nothing: every row is validated first, against the database and against the other
rows of the file; if any row has an error nothing is written and the user gets the list of errors by
line. Re-importing a file updates what the first import created (natural keys: an account's tax id, or
its name and country; a contact's e-mail within its account, or its name; a month of an account).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from .. import services
from ..models import ImportKind
from ..signals import financials_imported
from .accounts import _plan_accounts
from .contacts import _plan_contacts
from .financials import _plan_financials, plan_from_payload
from .reading import FileError, ImportAborted, ImportResult, read_table
from .state import stored_state
from .values import Conventions, propose_conventions
from .writing import Plan

Progress = Callable[[int, int], None]

COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    ImportKind.ACCOUNTS: (["name"], ["customer_number", "tax_id", "country", "industry", "region", "status",
                                     "kam_email", "sponsor_email", "parent_tax_id", "relationship_stage"]),
    ImportKind.CONTACTS: (["name"], ["account_customer_number", "account_tax_id", "account_name", "account_country",
                                     "email", "phone",
                                     "position", "reports_to_email", "influence", "attitude", "decision_role",
                                     "owner_email", "last_contact_date", "notes"]),
    ImportKind.FINANCIALS: (["month", "revenue"], ["account_customer_number", "account_tax_id", "account_name",
                                                   "account_country", "cost_of_goods", "cost_to_serve"]),
}


# One import is one request inside one transaction; these bounds keep it to a couple of minutes
# (50,000 new accounts take about 75 s; five years of monthly figures for 2,000 accounts fit in one file).
MAX_ROWS: dict[str, int] = {ImportKind.ACCOUNTS: 50_000, ImportKind.CONTACTS: 50_000, ImportKind.FINANCIALS: 150_000}



def _missing_columns(kind, header) -> list[str]:
    required, _optional = COLUMNS[kind]
    missing = [c for c in required if c not in header]
    if kind in (ImportKind.CONTACTS, ImportKind.FINANCIALS) and not (
            "account_customer_number" in header or "account_tax_id" in header or "account_name" in header):
        missing.append("account_customer_number / account_tax_id / account_name")
    return missing


@dataclass(frozen=True)
class Checked:
    """What a check (a dry run) of the same file found, for the import that follows it."""

    state: str  # imports.state.stored_state when the check planned
    rows: int
    plan: bytes  # the planned rows (Plan.payload), for the kinds in REUSABLE_PLANS


# Kinds whose check's plan an import can write as it is. Accounts and contacts plans hold model rows
# and people, and take a fraction of the financials' time to plan again.
REUSABLE_PLANS: dict[str, Callable] = {ImportKind.FINANCIALS: plan_from_payload}


def run_import(*, actor: User | None, kind: str, data: bytes, filename: str, conventions: Conventions | None = None,
               dry_run: bool = False, progress: Progress | None = None, checked: Checked | None = None
               ) -> ImportResult:
    """Validate the whole file, then write it in one transaction as `actor` (the programme lead), under
    the same rules as the forms: the services' permissions, and monthly figures through the one
    service that writes them.

    `dry_run` validates and plans (the counts and the errors on the result) and writes nothing; for the
    kinds in REUSABLE_PLANS the result carries the plan. `checked`, the dry run's findings, lets the
    import write that plan without reading the file again when nothing the dry run compared has changed
    since. `progress(done, total)` is told the rows written as the write goes on."""
    services.permission_require(actor=actor, perm="accounts.import_data")
    result = ImportResult(kind=kind)
    if checked is not None and checked.plan and kind in REUSABLE_PLANS and not dry_run:
        with transaction.atomic():
            if stored_state(kind) == checked.state:
                result.rows = checked.rows
                return _write(REUSABLE_PLANS[kind](checked.plan, result), result, actor=actor, kind=kind,
                              progress=progress)
    try:
        header, rows = read_table(data, filename=filename, max_rows=MAX_ROWS[kind])
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
    result.proposed = propose_conventions(header, rows)
    if conventions is None:
        conventions = result.proposed
    planners: dict[str, Callable] = {
        ImportKind.ACCOUNTS: _plan_accounts, ImportKind.CONTACTS: _plan_contacts,
        ImportKind.FINANCIALS: _plan_financials}
    if dry_run:
        with transaction.atomic():
            # Read before the planner reads: a change made while it plans moves the fingerprint.
            result.stored_state = stored_state(kind)
            plan = planners[kind](rows, result, conventions, count=True)
            if result.ok and plan.payload is not None and (result.created or result.updated):
                result.checked_plan = plan.payload()
            transaction.set_rollback(True)  # planning writes nothing; a dry run makes sure of it
        return result
    with transaction.atomic():
        plan = planners[kind](rows, result, conventions, count=False)
        if not result.ok:
            return result
        return _write(plan, result, actor=actor, kind=kind, progress=progress)


def _write(plan: Plan, result: ImportResult, *, actor, kind: str, progress: Progress | None) -> ImportResult:
    try:
        with transaction.atomic():
            if progress is not None:
                progress(0, result.rows)
            account_ids = plan.write(actor, progress=progress)
            if progress is not None:
                progress(result.rows, result.rows)
            touched = sorted(account_ids)
            if touched and kind in (ImportKind.FINANCIALS, ImportKind.ACCOUNTS):
                transaction.on_commit(lambda: financials_imported.send(sender=ImportKind, account_ids=touched))
    except ImportAborted as exc:
        result.file_error = str(exc)
        result.created = result.updated = result.unchanged = result.overwritten = 0
    return result
