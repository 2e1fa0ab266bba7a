"""The accounts import, and the CSV export of the account list in the same columns."""


from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kam.errors import Invalid
from kam.exports import neutralise
from kam.roles import KAM, SPONSOR
from kam.text import single_line
from kam.validators import visible_text

from .. import services
from ..models import (
    Account,
    AccountStatus,
    Activity,
    ActivityKind,
    Industry,
    RelationshipStage,
    RelationshipStageChange,
)
from .reading import (
    AccountIndex,
    ImportAborted,
    RowError,
    _check,
    _choice,
    _choice_codes,
    _common_row_errors,
    _users_by_email,
)


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



EDITABLE_BY_IMPORT = ["name", "tax_id", "country", "industry", "region", "status", "kam", "sponsor",
                      "relationship_stage", "version"]



# --- Export ----------------------------------------------------------------------------------------
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
