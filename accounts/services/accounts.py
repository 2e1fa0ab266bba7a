"""The account registry: recording, editing and archiving accounts, their relationship stage and tier."""
import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Change, Conflict, Invalid, clean
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.roles import KAM, SPONSOR, has_role
from kam.validators import require_not_in_future

from .. import messages as msg
from .. import selectors
from ..models import (
    Account,
    ActivityKind,
    RelationshipStage,
    RelationshipStageChange,
    Tier,
    TierDecision,
)
from .base import (
    ACCOUNT_ROWS_LOCK,
    KEY_CAP_LOCK,
    _account_link,
    _lock,
    _save_unique,
    activity_record,
    advisory_lock,
    permission_require,
)
from .financials import revenue_recompute

# --- Registry --------------------------------------------------------------------------------------
ACCOUNT_EDITABLE_FIELDS = ("name", "tax_id", "customer_number", "industry", "country", "region", "parent", "status",
                           "kam", "sponsor")
PEOPLE_FIELDS = ("kam", "sponsor")


def _tax_id_taken() -> str:
    return _("Another account already has this tax id.")


def _customer_number_taken() -> str:
    return _("Another account already has this customer number.")


def _check_tax_id(account: Account) -> None:
    # Asked here for the message on its field; a save racing past this check is caught at the insert.
    if account.tax_id and Account.objects.filter(tax_id=account.tax_id).exclude(pk=account.pk).exists():
        raise Invalid(errors={"tax_id": [_tax_id_taken()]})
    if account.customer_number and Account.objects.filter(
            customer_number=account.customer_number).exclude(pk=account.pk).exists():
        raise Invalid(errors={"customer_number": [_customer_number_taken()]})


def _save_account(account: Account) -> None:
    try:
        _save_unique(account, "account_tax_id_unique", "tax_id", _tax_id_taken())
    except IntegrityError as exc:
        if "account_customer_number_unique" not in str(exc):
            raise
        raise Invalid(errors={"customer_number": [_customer_number_taken()]}) from exc


def check_parent(account: Account, parent) -> None:
    # A group is a tree: an account may not sit below itself or one of its own subsidiaries.
    seen = set()
    node = parent
    while node is not None:
        if node.pk == account.pk or node.pk in seen:
            raise Invalid(errors={"parent": [_("An account cannot belong to its own group below itself.")]})
        seen.add(node.pk)
        node = node.parent


def _check_fields(fields) -> None:
    unknown = set(fields) - set(ACCOUNT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not edited here")


@transaction.atomic
def account_create(*, actor: User, name: str, stage: str = RelationshipStage.EXPLORATORY, **fields) -> Account:
    """Record an account. Only the lead chooses its KAM and sponsor; a KAM who records an account is its
    KAM until the lead decides otherwise."""
    permission_require(actor=actor, perm="accounts.add_account")
    _check_fields(fields)
    if not actor.has_perm("accounts.assign_people"):
        if fields.get("kam") not in (None, actor) or fields.get("sponsor") is not None:
            permission_require(actor=actor, perm="accounts.assign_people")
        fields["kam"] = actor
    account = Account(name=name, relationship_stage=stage, **fields)
    _check_tax_id(account)
    clean(account)
    account._history_user = actor
    _save_account(account)
    RelationshipStageChange.objects.create(account=account, from_stage="", to_stage=stage, changed_by=actor)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="created", actor=actor,
                    message=msg.ACCOUNT_CREATED, link=_account_link(account))
    return account


@transaction.atomic
def account_update(*, actor: User, account: Account, expected_version, **fields) -> Account:
    """Apply an edit made on version `expected_version`; refused with `Conflict` (saying what changed) if
    someone saved in between. Changing the KAM or the sponsor is the lead's."""
    _check_fields(fields)
    locked = _lock(Account.objects.all(), account.pk)
    permission_require(actor=actor, perm="accounts.change_account", obj=locked)
    if any(name in fields and getattr(fields[name], "pk", fields[name]) != getattr(locked, f"{name}_id")
           for name in PEOPLE_FIELDS):
        permission_require(actor=actor, perm="accounts.assign_people", obj=locked)
    versioning.check(locked, expected_version, ACCOUNT_EDITABLE_FIELDS)
    if "parent" in fields:
        check_parent(locked, fields["parent"])
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_tax_id(locked)
    clean(locked)
    versioning.bump(locked)
    locked._history_user = actor
    _save_account(locked)
    activity_record(account=locked, kind=ActivityKind.ACCOUNT, subkind="updated", actor=actor,
                    message=msg.ACCOUNT_UPDATED, link=_account_link(locked))
    return locked


def account_archive(*, actor: User, account: Account) -> Account:
    return _account_set_archived(actor=actor, account=account, archived=True)


def account_unarchive(*, actor: User, account: Account) -> Account:
    return _account_set_archived(actor=actor, account=account, archived=False)


@transaction.atomic
def _account_set_archived(*, actor: User, account: Account, archived: bool) -> Account:
    """Archive or restore; a no-op when the account is already there. Archived accounts leave the
    Pareto ranking, so revenue classes are recomputed in the same transaction."""
    permission_require(actor=actor, perm="accounts.change_account", obj=account)
    advisory_lock(ACCOUNT_ROWS_LOCK)
    account = _lock(Account.objects.all(), account.pk)
    if (account.archived_at is not None) == archived:
        return account
    account.archived_at = timezone.now() if archived else None
    versioning.bump(account)
    account._history_user = actor
    account.save()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="archived" if archived else "unarchived",
                    actor=actor, link=_account_link(account),
                    message=msg.ACCOUNT_ARCHIVED if archived else msg.ACCOUNT_UNARCHIVED)
    revenue_recompute()
    return account


@transaction.atomic
def stage_change(*, actor: User, account: Account, to_stage: str, changed_on: datetime.date | None = None,
                 note: str = "") -> RelationshipStageChange:
    """Record that the relationship reached `to_stage` on `changed_on` (default today). A change dated
    before the latest recorded one is inserted in date order: it starts from the stage in force that
    day, and the change after it now starts from `to_stage`; the account's stage stays the latest's.
    A change that would make the history contradict itself (the same stage twice in a row, or a date
    before the history begins) is refused."""
    account = _lock(Account.objects.all(), account.pk)
    permission_require(actor=actor, perm="accounts.change_account", obj=account)
    if to_stage not in RelationshipStage.values:
        raise Invalid(errors={"to_stage": [_("Choose a stage.")]})
    changed_on = changed_on or timezone.localdate()
    require_not_in_future("changed_on", changed_on, _("A stage change cannot be dated in the future."))
    rows = list(account.stage_changes.order_by("changed_on", "pk"))
    before = [r for r in rows if r.changed_on <= changed_on]
    following = next((r for r in rows if r.changed_on > changed_on), None)
    if rows and not before:
        raise Invalid(errors={"changed_on": [_(
            "The stage history starts on %(date)s, when the account was recorded: a change cannot be dated "
            "earlier.") % {"date": date_format(rows[0].changed_on, "SHORT_DATE_FORMAT")}]})
    in_force = before[-1].to_stage if before else account.relationship_stage
    if to_stage == in_force:
        raise Invalid(errors={"to_stage": [
            _("The relationship was already at that stage on that date.") if following
            else _("The relationship is already at that stage.")]})
    if following is not None and following.to_stage == to_stage:
        raise Invalid(errors={"to_stage": [_(
            "On %(date)s the relationship moved to %(stage)s: to say it got there earlier, record the stage "
            "it was at before that instead.") % {
                "date": date_format(following.changed_on, "SHORT_DATE_FORMAT"),
                "stage": RelationshipStage(to_stage).label}]})
    change = RelationshipStageChange.objects.create(account=account, from_stage=in_force, to_stage=to_stage,
                                                    changed_on=changed_on, changed_by=actor, note=note)
    if following is not None:
        following.from_stage = to_stage
        following.save(update_fields=["from_stage"])
    else:
        account.relationship_stage = to_stage
        versioning.bump(account)
        account._history_user = actor
        account.save(update_fields=["relationship_stage", "version", "updated_at"])
    parts: list[tuple[str, dict]] = [(msg.STAGE_CHANGED, {"from": change.from_stage, "to": change.to_stage})]
    if following is not None:
        parts.append((msg.SINCE, {"date": changed_on}))
    activity_record(account=account, kind=ActivityKind.STAGE_CHANGE, subkind=to_stage, actor=actor,
                    message=msg.LINE, params={"parts": parts}, link=_account_link(account))
    return change


# --- Tier decisions --------------------------------------------------------------------------------
def _check_key_people(account: Account, kam: User | None, sponsor: User | None) -> None:
    """A key account is run by a KAM with an executive sponsor beside them: promotion names both."""
    errors: dict[str | None, list[str]] = {}
    if kam is None:
        errors["kam"] = [_("A key account needs its key account manager.")]
    elif not has_role(kam, KAM):
        errors["kam"] = [_("%(person)s is not a key account manager.") % {"person": person_label(kam)}]
    if sponsor is None:
        errors["sponsor"] = [_("A key account needs an executive sponsor.")]
    elif not has_role(sponsor, SPONSOR):
        errors["sponsor"] = [_("%(person)s is not an executive sponsor.") % {"person": person_label(sponsor)}]
    if errors:
        raise Invalid(errors=errors)


@transaction.atomic
def tier_decide(*, actor: User, account: Account, to_tier: str, reason: str, expected_tier: str | None = None,
                cap_override: bool = False, override_reason: str = "", kam: User | None = None,
                sponsor: User | None = None) -> TierDecision:
    """Move the account to `to_tier`, with the reason and the evidence as it stands. Promotion to key
    account names its KAM and executive sponsor (`kam`, `sponsor`), set in the same transaction."""
    permission_require(actor=actor, perm="accounts.decide_tier", obj=account)
    if to_tier == Tier.KEY:
        # Promotions wait for each other before counting: two racing for the last free place would
        # otherwise both see it free and exceed the cap with no override recorded. Taken before the
        # account row, like every lock here.
        advisory_lock(KEY_CAP_LOCK)
    account = _lock(Account.objects.all(), account.pk)
    if expected_tier is not None and account.tier != expected_tier:
        raise Conflict(_("The tier was changed by someone else meanwhile; it is now %(tier)s.") % {
            "tier": account.get_tier_display()}, current=account,
            changes=[Change("tier", str(Account._meta.get_field("tier").verbose_name), account.get_tier_display())])
    if to_tier not in Tier.values:
        raise Invalid(errors={"to_tier": [_("Choose a tier.")]})
    if to_tier == account.tier:
        raise Invalid(errors={"to_tier": [_("The account is already in that tier.")]})
    if not reason.strip():
        raise Invalid(errors={"reason": [_("Give the reason for the decision.")]})
    if account.archived_at is not None:
        raise Invalid(_("Restore the account from the archive before deciding its tier."))
    over_cap = False
    if to_tier == Tier.KEY:
        _check_key_people(account, kam, sponsor)
        assert kam is not None and sponsor is not None  # refused by the check otherwise
        if (kam.pk, sponsor.pk) != (account.kam_id, account.sponsor_id):
            permission_require(actor=actor, perm="accounts.assign_people", obj=account)
        cap = ProgrammeSettings.current().key_account_cap
        if selectors.key_account_count(exclude_pk=account.pk) >= cap:
            over_cap = True
            if not cap_override or not override_reason.strip():
                raise Invalid(errors={"cap_override": [_(
                    "The programme already has %(n)s key accounts (cap %(cap)s). To admit this one anyway, "
                    "tick the override and say why.") % {
                        "n": selectors.key_account_count(exclude_pk=account.pk), "cap": cap}]})
    decision = TierDecision.objects.create(
        account=account, from_tier=account.tier, to_tier=to_tier, decided_by=actor, reason=reason.strip(),
        evidence=selectors.tier_evidence(account), cap_override=over_cap,
        override_reason=override_reason.strip() if over_cap else "")
    account.tier = to_tier
    if to_tier == Tier.KEY:
        account.kam, account.sponsor = kam, sponsor
    versioning.bump(account)
    account._history_user = actor
    account.save(update_fields=["tier", "kam", "sponsor", "version", "updated_at"])
    activity_record(account=account, kind=ActivityKind.TIER_DECISION, subkind=to_tier, actor=actor,
                    message=msg.TIER_DECIDED,
                    params={"from": decision.from_tier, "to": to_tier, "reason": decision.reason},
                    link=reverse("accounts:tier", args=[account.pk]))
    return decision
