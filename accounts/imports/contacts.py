"""The contacts import."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from kam import versioning
from kam.text import single_line
from kam.validators import free_text_length, sane_date, visible_text

from .. import services
from ..models import Activity, ActivityKind, Attitude, Contact, DecisionRole, Influence
from .reading import AccountIndex, _check, _choice, _common_row_errors, _resolve_account
from .values import Conventions, ValueRefused, allowed_values, choice_lookup, date_format_hint, parse_date


def _plan_contacts(rows, result, conventions: Conventions | None = None):
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
