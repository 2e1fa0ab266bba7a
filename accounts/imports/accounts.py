"""The accounts import, and the CSV export of the account list in the same columns."""

import functools
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.errors import Invalid
from kam.exports import neutralise
from kam.messages import event_fields
from kam.roles import KAM, SPONSOR
from kam.text import single_line
from kam.validators import visible_text

from .. import messages as msg
from .. import services
from ..exports import ACCOUNT_COLUMNS, _account_rows
from ..models import (
    Account,
    AccountStatus,
    Activity,
    ActivityKind,
    Industry,
    RelationshipStage,
    RelationshipStageChange,
)
from . import writing
from .reading import AccountIndex, ImportAborted, _check, _choice, _common_row_errors, _users_by_email
from .values import Conventions, ValueRefused, allowed_values, choice_lookup, parse_country
from .writing import Plan


def _plan_accounts(rows, result, conventions: Conventions | None = None, *, count: bool = True):
    index = AccountIndex()
    kams = _users_by_email(KAM)
    sponsors = _users_by_email(SPONSOR)
    seen: dict[tuple, int] = {}
    planned = []
    file_tax_ids = {r.get("tax_id", "").upper() for _l, r in rows if r.get("tax_id")}
    choice_columns = [(column, choices, choice_lookup(choices)) for column, choices in (
        ("industry", Industry.choices), ("status", AccountStatus.choices),
        ("relationship_stage", RelationshipStage.choices))]
    # Countries and choices repeat down a file: each distinct cell is read once (None: refused).
    countries: dict[str, tuple[str | None, str]] = {}
    chosen: dict[tuple[str, str], str | None | ValueRefused] = {}
    for line, r in rows:
        errors = _common_row_errors(r)
        if errors:
            result.add_error(line, errors)
            continue
        name = single_line(r.get("name", ""))
        tax_id = r.get("tax_id", "").upper()
        number = single_line(r.get("customer_number", ""))
        country = "ES"
        if not name:
            errors.append(_("The name is missing."))
        if len(name) > 200:
            errors.append(_("The name is longer than 200 characters."))
        if len(number) > 40:
            errors.append(_("The customer number is longer than 40 characters."))
        _check(visible_text, name, errors, "name")
        if r.get("country"):
            if r["country"] not in countries:
                try:
                    countries[r["country"]] = (parse_country(r["country"]), "")
                except ValueRefused as exc:
                    countries[r["country"]] = (None, str(exc))
            parsed, refused = countries[r["country"]]
            if parsed is None:
                errors.append(refused)
            else:
                country = parsed
        existing = index.find(tax_id, name, country, number)
        for key, clash in ((("number", number.upper()), index.by_number.get(number.upper())),
                           (("tax", tax_id), index.by_tax.get(tax_id))):
            if not key[1]:
                continue
            if key in seen:
                errors.append(_("Duplicate row: the same account as line %(line)s.") % {"line": seen[key]})
            seen.setdefault(key, line)
            if clash is not None and existing is not None and clash.pk != existing.pk:
                errors.append(_("The customer number and the tax id of this row belong to two different "
                                "accounts."))
        if not tax_id and not number and name:
            name_key = ("name", name.lower(), country)
            if name_key in seen:
                errors.append(_("Duplicate row: the same account as line %(line)s.") % {"line": seen[name_key]})
            seen.setdefault(name_key, line)
        fields = {}
        for column, choices, lookup in choice_columns:
            raw = r.get(column, "")
            if (column, raw) not in chosen:
                try:
                    chosen[column, raw] = _choice(raw, choices, lookup=lookup)
                except ValueRefused as exc:
                    chosen[column, raw] = exc
            value = chosen[column, raw]
            if isinstance(value, ValueRefused):
                errors.append(_("Unknown %(column)s “%(value)s”; use one of: %(allowed)s.") % {
                    "column": column, "value": str(r[column])[:60], "allowed": allowed_values(choices)})
            elif value is not None:
                fields[column] = value
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
        if number:  # an empty cell leaves the stored number alone
            fields["customer_number"] = number
        if errors:
            result.add_error(line, errors)
            continue
        planned.append((existing, {"name": name, "tax_id": tax_id, "country": country, **fields}, parent_tax))

    if count and result.ok:
        _count_changes(index, planned, result)
    return Plan(lambda actor, progress=None: _write_accounts(index, planned, result, actor, progress))


def _compared() -> list[str]:
    """The columns an import may change, by attribute name (`kam_id`), the parent last."""
    return [writing.attname(Account, name) for name in EDITABLE_BY_IMPORT if name != "version"] + ["parent_id"]


@functools.cache
def _attnames() -> dict[str, str]:
    return {name: writing.attname(Account, name) for name in EDITABLE_BY_IMPORT}


def _target(fields: dict, parent_id: int | None) -> dict:
    """The values a row asks for, by attribute name; a column the row leaves empty is not asked for."""
    attnames = _attnames()
    out = {attnames[name]: getattr(value, "pk", value) for name, value in fields.items()}
    if parent_id is not None:
        out["parent_id"] = parent_id
    return out


@functools.cache
def _positions(compared: tuple[str, ...]) -> dict[str, int]:
    return {name: i for i, name in enumerate(compared)}


def _differs(stored: tuple, target: dict, compared: list[str]) -> bool:
    """Whether a value the row asks for (every one is among `compared`) is not the stored one."""
    positions = _positions(tuple(compared))
    return any(stored[positions[name]] != value for name, value in target.items())


def _stored(ids) -> dict[int, tuple]:
    compared = _compared()
    return {pk: values for (pk,), values in writing.stored_values(
        Account, key=("id",), fields=compared, filter_field="id", filter_values=ids).items()}


def _count_changes(index, planned, result) -> None:
    """New, changed and unchanged rows, read before writing (the preview's numbers)."""
    compared = _compared()
    stored = _stored(existing.pk for existing, _f, _p in planned if existing is not None)
    for existing, fields, parent_tax in planned:
        if existing is None:
            result.created += 1
            continue
        parent = index.by_tax.get(parent_tax) if parent_tax else None
        # A parent that the same file creates is a change of parent.
        if (parent_tax and parent is None) or _differs(stored[existing.pk], _target(fields, parent and parent.pk),
                                                       compared):
            result.updated += 1
        else:
            result.unchanged += 1


def _write_accounts(index, planned, result, actor, progress=None) -> set[int]:
    """Everything set-based, with what the services record row by row (history, the first stage, the
    account's events), and nothing for the rows that change nothing."""
    with transaction.atomic():
        if any(existing is None for existing, _f, _p in planned):
            services.permission_require(actor=actor, perm="accounts.add_account")
        if any("kam" in fields or "sponsor" in fields for _e, fields, _p in planned):
            services.permission_require(actor=actor, perm="accounts.assign_people")
        # The revenue recompute at the end updates rows across the table: its lock comes first.
        services.advisory_lock(services.ACCOUNT_ROWS_LOCK)
        when = timezone.now()
        total = len(planned)
        fresh = [fields for existing, fields, _p in planned if existing is None]
        created = _create(fresh, actor, total, progress)
        ids_by_tax = {tax: a.pk for tax, a in index.by_tax.items()}
        ids_by_tax.update((fields["tax_id"], pk) for fields, pk in zip(fresh, created, strict=True) if fields["tax_id"])
        changed = _lock_and_apply(_changes(planned, ids_by_tax), actor, total, len(created), progress)
        new_parents = _check_parents(planned, index, ids_by_tax, dict(zip(map(id, fresh), created, strict=True)),
                                     changed)
        writing.update_rows(Account, changed, [*EDITABLE_BY_IMPORT, "parent", "updated_at"])
        writing.update_rows(Account, new_parents, ["parent"])
        writing.history_copy(Account, created, history_type="+", actor=actor, when=when)
        writing.history_copy(Account, [a.pk for a in changed], history_type="~", actor=actor, when=when)
        result.created, result.updated = len(created), len(changed)
        result.unchanged = total - result.created - result.updated
        if created or changed:
            services.revenue_recompute()
        if progress is not None:
            progress(total, total)
    return {*created, *(a.pk for a in changed)}


def _create(fresh: list[dict], actor, total: int, progress) -> list[int]:
    """The new accounts, each with its first stage and its "created" event, as `account_create` records
    them; their ids, in order."""
    created_event = event_fields(msg.ACCOUNT_CREATED)
    # One reverse() for all: the link differs only by the id.
    placeholder = 2_147_483_647
    link = reverse("accounts:detail", args=[placeholder])
    created: list[int] = []
    for part in writing.chunks(fresh):
        rows = []
        for fields in part:
            row = {writing.attname(Account, name): getattr(value, "pk", value) for name, value in fields.items()}
            row["relationship_stage"] = row.get("relationship_stage") or RelationshipStage.EXPLORATORY
            rows.append(row)
        ids = writing.insert_rows(Account, rows)
        writing.insert_rows(RelationshipStageChange, [
            {"account_id": pk, "from_stage": "", "to_stage": row["relationship_stage"], "changed_by_id": actor.pk}
            for pk, row in zip(ids, rows, strict=True)])
        writing.insert_rows(Activity, [
            {"account_id": pk, "kind": ActivityKind.ACCOUNT, "subkind": "created", "actor_id": actor.pk,
             **created_event, "link": link.replace(str(placeholder), str(pk))} for pk in ids])
        created += ids
        if progress is not None:
            progress(len(created), total)
    return created


def _changes(planned, ids_by_tax: dict[str, int]) -> dict[int, dict]:
    """{account id: the values its row asks for} of the existing accounts whose stored values differ."""
    compared = _compared()
    stored = _stored(existing.pk for existing, _f, _p in planned if existing is not None)
    changes = {}
    for existing, fields, parent_tax in planned:
        if existing is None:
            continue
        target = _target(fields, ids_by_tax[parent_tax] if parent_tax else None)
        if _differs(stored[existing.pk], target, compared):
            changes[existing.pk] = target
    return changes


def _lock_and_apply(changes: dict[int, dict], actor, total: int, done: int, progress) -> list[Account]:
    """The accounts to change, locked, checked against the actor's permission and given their new
    values and version; a stage that moves is recorded as the stage form records it."""
    changed, stage_rows, events = [], [], []
    ids = list(changes)
    for part in writing.chunks(ids):
        for account in Account.objects.select_for_update().filter(pk__in=part):
            services.permission_require(actor=actor, perm="accounts.change_account", obj=account)
            target = changes[account.pk]
            stage = target.pop("relationship_stage", None)
            for name, value in target.items():
                setattr(account, name, value)
            if stage and stage != account.relationship_stage:
                stage_rows.append(RelationshipStageChange(
                    account=account, from_stage=account.relationship_stage, to_stage=stage,
                    changed_by=actor, note=_("CSV import")))
                events.append(Activity(
                    account=account, kind=ActivityKind.STAGE_CHANGE, subkind=stage, actor=actor,
                    **event_fields(msg.STAGE_CHANGED, {"from": account.relationship_stage, "to": stage})))
                account.relationship_stage = stage
            account.version += 1  # an edit form opened before the import is now stale
            account.updated_at = timezone.now()
            changed.append(account)
        done += len(part)
        if progress is not None:
            progress(done, total)
    RelationshipStageChange.objects.bulk_create(stage_rows, batch_size=1000)
    Activity.objects.bulk_create(events, batch_size=1000)
    return changed


def _check_parents(planned, index, ids_by_tax: dict[str, int], created: dict[int, int],
                   changed: list[Account]) -> list[Account]:
    """Check every parent the file gives or changes (a group stays a tree) and return the new accounts
    whose parent is to be written (the changed ones carry theirs). `created` maps each new row's
    fields (by identity) to the id it was given."""
    links = []
    for existing, fields, parent_tax in planned:
        if not parent_tax:
            continue
        parent_id = ids_by_tax[parent_tax]
        if existing is not None and existing.parent_id == parent_id:
            continue  # the link stored already
        links.append((existing.pk if existing is not None else created[id(fields)], parent_id, existing is None))
    if not links:
        return []
    # The tree as it is, in memory, so that walking up a group asks no query per level: light nodes
    # (`check_parent` follows `.pk` and `.parent`), not model instances for every account.
    parent_of = {a.pk: a.parent_id for a in [*index.by_tax.values(), *index.by_name.values(), *changed]}
    for child, parent, _new in links:
        parent_of.setdefault(child, None)  # a new account: no parent yet
        parent_of.setdefault(parent, None)
    nodes: dict[int, Any] = {pk: SimpleNamespace(pk=pk, parent=None) for pk in parent_of}
    for pk, parent_id in parent_of.items():
        if parent_id in nodes:
            nodes[pk].parent = nodes[parent_id]
    for child, parent, _new in links:
        nodes[child].parent = nodes[parent]
    for child, parent, _new in links:
        try:
            services.check_parent(nodes[child], nodes[parent])
        except Invalid as exc:
            raise ImportAborted(str(exc)) from exc
    return [Account(pk=child, parent_id=parent) for child, parent, new in links if new]


EDITABLE_BY_IMPORT = ["name", "tax_id", "customer_number", "country", "industry", "region", "status", "kam", "sponsor",
                      "relationship_stage", "version"]



# --- Export ----------------------------------------------------------------------------------------
EXPORT_HEADER = ACCOUNT_COLUMNS


def export_rows(queryset):
    """The account download's rows as text, header first (the download itself streams through
    `kam.exports`; this is the same content for code that wants rows)."""
    yield EXPORT_HEADER
    for row in _account_rows(queryset):
        yield [neutralise("" if v is None else v) for v in row]
