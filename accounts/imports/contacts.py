"""The contacts import."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.messages import event_fields
from kam.text import single_line
from kam.validators import free_text_length, sane_date, visible_text

from .. import messages as msg
from .. import services
from ..models import Account, Activity, ActivityKind, Attitude, Contact, DecisionRole, Influence
from . import writing
from .reading import AccountIndex, _check, _choice, _common_row_errors, _resolve_account
from .values import Conventions, ValueRefused, allowed_values, choice_lookup, date_format_hint, parse_date
from .writing import Plan


def _plan_contacts(rows, result, conventions: Conventions | None = None, *, count: bool = True):
    conventions = conventions or Conventions()
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
            result.add_error(line, errors)
    existing = {}
    for c in Contact.objects.filter(account_id__in=account_ids):
        existing[(c.account_id, "email", c.email.lower())] = c
        existing.setdefault((c.account_id, "name", c.name.lower()), c)
    influence_choices = [(str(v), label) for v, label in Influence.choices]
    influence_lookup = choice_lookup(influence_choices)
    choice_columns = [(column, choices, choice_lookup(choices)) for column, choices in (
        ("attitude", Attitude.choices), ("decision_role", DecisionRole.choices))]
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
            influence = _choice(r.get("influence", ""), influence_choices, lookup=influence_lookup)
            if influence:
                fields["influence"] = int(influence)
        except ValueError:
            errors.append(_("Influence must be 1 (low), 2 (medium) or 3 (high)."))
        for column, choices, lookup in choice_columns:
            try:
                value = _choice(r.get(column, ""), choices, lookup=lookup)
                if value:
                    fields[column] = value
            except ValueRefused:
                errors.append(_("Unknown %(column)s “%(value)s”; use one of: %(allowed)s.") % {
                    "column": column, "value": str(r[column])[:60], "allowed": allowed_values(choices)})
        owner_email = r.get("owner_email", "").lower()
        if owner_email:
            if owner_email not in owners:
                errors.append(_("Unknown owner e-mail “%(email)s”: no active user has it.") % {"email": owner_email})
            else:
                fields["owner"] = owners[owner_email]
        if r.get("last_contact_date"):
            try:
                fields["last_contact_date"] = parse_date(r["last_contact_date"], dates=conventions.dates)
            except ValueRefused as exc:
                errors.append(_("Last contact date “%(value)s”: %(reason)s (%(format)s).") % {
                    "value": str(r["last_contact_date"])[:40], "reason": exc, "format": date_format_hint(conventions)})
            else:
                _check(sane_date, fields["last_contact_date"], errors, "last_contact_date")
        boss = r.get("reports_to_email", "").lower()
        if boss and account is not None and (account.pk, "email", boss) not in existing \
                and (account.pk, boss) not in file_emails:
            errors.append(_("Reports-to e-mail “%(email)s” matches no contact of this account.") % {"email": boss})
        if errors:
            result.add_error(line, errors)
            continue
        key = (account.pk, "email", email) if email else (account.pk, "name", name.lower())
        planned.append((account, existing.get(key), fields, boss))

    if count and result.ok:
        _count_changes(planned, existing, file_emails, result)
    return Plan(lambda actor, progress=None: _write_contacts(planned, existing, result, actor, progress))


def _target(contact, fields: dict, boss_id: int | None) -> dict:
    """The values a row asks for, by attribute name (`owner_id`); the boss only when it is another person."""
    out = {writing.attname(Contact, name): getattr(value, "pk", value) for name, value in fields.items()}
    if boss_id is not None and (contact is None or boss_id != contact.pk):
        out["reports_to_id"] = boss_id
    return out


def _differs(contact, target: dict) -> bool:
    return any(getattr(contact, name) != value for name, value in target.items())


def _boss_id(by_email, account_id: int, boss: str) -> int | None:
    target = by_email.get((account_id, boss)) if boss else None
    return target.pk if target is not None else None


def _count_changes(planned, existing, file_emails, result) -> None:
    """New, changed and unchanged rows, read before writing (the preview's numbers)."""
    by_email = {(k[0], k[2]): c for k, c in existing.items() if k[1] == "email"}
    for account, contact, fields, boss in planned:
        if contact is None:
            result.created += 1
            continue
        boss_id = _boss_id(by_email, account.pk, boss)
        # A boss that only the file brings is a change of boss.
        if (boss and boss_id is None) or _differs(contact, _target(contact, fields, boss_id)):
            result.updated += 1
        else:
            result.unchanged += 1


def _write_contacts(planned, existing, result, actor, progress=None) -> set[int]:
    """New contacts in bulk, changed ones set-based under their row locks, unchanged ones left alone;
    one history row per contact written and one event per account whose contacts changed."""
    with transaction.atomic():
        when = timezone.now()
        total = len(planned)
        new_rows = [(account, fields, boss) for account, contact, fields, boss in planned if contact is None]
        # The index holds keys, not accounts: the permission is checked on the accounts themselves.
        accounts = _accounts({a.pk for a, _c, _f, _b in planned})
        for pk in {a.pk for a, _f, _b in new_rows}:
            services.permission_require(actor=actor, perm="accounts.change_account", obj=accounts[pk])
        created = [Contact(account_id=account.pk, **fields) for account, fields, _b in new_rows]
        Contact.objects.bulk_create(created, batch_size=1000)
        # The rows as they are now, locked: an edit saved since the file was read is kept, and one
        # opened before the import is refused as stale.
        by_email = {(k[0], k[2]): c for k, c in existing.items() if k[1] == "email"}
        by_email.update(((c.account_id, c.email.lower()), c) for c in created if c.email)
        candidates = [c.pk for _a, c, _f, _b in planned if c is not None]
        current: dict[int, Contact] = {}
        for part in writing.chunks(candidates):
            current.update(Contact.objects.select_for_update().in_bulk(part))
        by_email.update(((c.account_id, c.email.lower()), c) for c in current.values() if c.email)
        changed = []
        for account, contact, fields, boss in planned:
            if contact is None:
                continue
            locked = current[contact.pk]
            target = _target(locked, fields, _boss_id(by_email, account.pk, boss))
            if _differs(locked, target):
                services.permission_require(actor=actor, perm="accounts.change_account", obj=accounts[account.pk])
                for name, value in target.items():
                    setattr(locked, name, value)
                versioning.bump(locked)
                changed.append(locked)
        if progress is not None:
            progress(len(created), total)
        bosses = []
        for contact, (account, _fields, boss) in zip(created, new_rows, strict=True):
            boss_id = _boss_id(by_email, account.pk, boss)
            if boss_id is not None and boss_id != contact.pk:
                contact.reports_to_id = boss_id
                bosses.append(contact)
        writing.update_rows(Contact, changed, [*CONTACT_IMPORT_FIELDS, "reports_to", "version"])
        writing.update_rows(Contact, bosses, ["reports_to"])
        writing.history_copy(Contact, [c.pk for c in created], history_type="+", actor=actor, when=when)
        writing.history_copy(Contact, [c.pk for c in changed], history_type="~", actor=actor, when=when)
        Activity.objects.bulk_create([
            Activity(account_id=account_id, kind=ActivityKind.ACCOUNT, subkind="import", actor=actor,
                     **event_fields(msg.CONTACTS_IMPORTED))
            for account_id in sorted({c.account_id for c in [*created, *changed]})])
        result.created, result.updated = len(created), len(changed)
        result.unchanged = total - result.created - result.updated
        if progress is not None:
            progress(total, total)
    return set()


def _accounts(ids) -> dict[int, Account]:
    out: dict[int, Account] = {}
    for part in writing.chunks(sorted(ids)):
        out.update(Account.objects.in_bulk(part))
    return out


# The columns a contacts import writes.
CONTACT_IMPORT_FIELDS = ["name", "email", "phone", "position", "notes", "influence", "attitude", "decision_role",
                         "owner", "last_contact_date"]
