import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kam import versioning
from kam.errors import Change, Conflict, Forbidden, Invalid, clean
from kam.models import Department, ProgrammeSettings
from kam.people import person_label
from kam.roles import KAM, SPONSOR, has_role
from kam.validators import require_not_in_future

from . import personal_data, scoring, selectors
from .models import (
    Account,
    AccountTeamMember,
    Activity,
    ActivityKind,
    Assessment,
    AssessmentScore,
    Contact,
    ErasureRecord,
    FinancialRecord,
    Quadrant,
    RelationshipStage,
    RelationshipStageChange,
    SelectionCriterion,
    Tier,
    TierDecision,
)

ACTION_REFUSED = {
    "accounts.add_account": gettext_lazy("Only key account managers and the programme lead record new accounts."),
    "accounts.change_account": gettext_lazy("Only the account's KAM, a KAM on its team or the programme lead may "
                                     "change this account."),
    "accounts.assign_people": gettext_lazy("The programme lead assigns each account's KAM and executive sponsor: "
                                    "ask the programme lead."),
    "accounts.manage_team": gettext_lazy("Only the account's KAM and the programme lead manage its team."),
    "accounts.assess_account": gettext_lazy("Only the programme lead and the executive sponsors assess accounts."),
    "accounts.decide_tier": gettext_lazy("Only the programme lead decides an account's tier."),
    "accounts.manage_programme": gettext_lazy("Only the programme lead changes the selection criteria and the "
                                       "programme settings."),
    "accounts.change_financials": gettext_lazy("Financial figures come from finance: the programme lead or Finance "
                                        "on the account's team enters them."),
    "accounts.import_data": gettext_lazy("Only the programme lead imports data."),
    "accounts.handle_personal_data": gettext_lazy("Only the programme lead exports or erases a person's data."),
}


def permission_require(*, actor: User | None, perm: str, obj=None) -> None:
    """Refuse with `Forbidden` unless `actor` holds `perm` (on `obj`): every write of this app asks here,
    whichever view, import or job calls it."""
    if actor is None or not actor.has_perm(perm, obj):
        raise Forbidden(str(ACTION_REFUSED.get(perm, gettext_lazy("You may not do this."))))


def _lock(queryset, pk):
    """The row, locked for the rest of the transaction (permission and version checks come after, on
    the row as it is now)."""
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def advisory_lock(key: int) -> None:
    """A transaction-level lock on `key` (PostgreSQL); SQLite already runs one write transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# Every transaction that updates account rows across the table (the revenue and Pareto recompute, the
# quadrant and score recomputes) takes this lock before any row lock of its own: two of them, or one and
# an edit that locked a row first, would otherwise lock rows in different orders and deadlock.
ACCOUNT_ROWS_LOCK = 7_306_002
# Promotions to key account count the key accounts under this lock (see tier_decide).
KEY_CAP_LOCK = 7_306_003


@transaction.atomic
def activity_record(*, account: Account, kind: str, summary: str, actor=None, occurred_at=None,
                    link: str = "", department=None, subkind: str = "", commercial: bool = False) -> Activity:
    """Add one event to the account's stream, in the caller's transaction: the event exists exactly
    when the change it describes does."""
    fields = dict(account=account, kind=kind, summary=summary[:300], actor=actor, link=link[:300],
                  department=department, subkind=subkind, commercial=commercial)
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    return Activity.objects.create(**fields)


def _account_link(account) -> str:
    return reverse("accounts:detail", args=[account.pk])


def _save_unique(instance, constraint: str, field: str, message: str) -> None:
    """Save; a unique constraint that another transaction won meanwhile (the form checked before that
    commit) becomes the field's error instead of a server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        if constraint not in str(exc):
            raise
        raise Invalid(errors={field: [message]}) from exc


# --- Registry --------------------------------------------------------------------------------------
ACCOUNT_EDITABLE_FIELDS = ("name", "tax_id", "industry", "country", "region", "parent", "status", "kam", "sponsor")
PEOPLE_FIELDS = ("kam", "sponsor")


def _tax_id_taken() -> str:
    return _("Another account already has this tax id.")


def _check_tax_id(account: Account) -> None:
    # Asked here for the message on its field; a save racing past this check is caught at the insert.
    if account.tax_id and Account.objects.filter(tax_id=account.tax_id).exclude(pk=account.pk).exists():
        raise Invalid(errors={"tax_id": [_tax_id_taken()]})


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
    _save_unique(account, "account_tax_id_unique", "tax_id", _tax_id_taken())
    RelationshipStageChange.objects.create(account=account, from_stage="", to_stage=stage, changed_by=actor)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="created", actor=actor,
                    summary=_("Account created"), link=_account_link(account))
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
    _save_unique(locked, "account_tax_id_unique", "tax_id", _tax_id_taken())
    activity_record(account=locked, kind=ActivityKind.ACCOUNT, subkind="updated", actor=actor,
                    summary=_("Account details edited"), link=_account_link(locked))
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
                    summary=_("Account archived") if archived else _("Account restored from the archive"))
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
    summary = _("Relationship stage: %(from)s → %(to)s") % {
        "from": change.get_from_stage_display(), "to": change.get_to_stage_display()}
    if following is not None:
        summary += " · " + _("since %(date)s") % {"date": date_format(changed_on, "SHORT_DATE_FORMAT")}
    activity_record(account=account, kind=ActivityKind.STAGE_CHANGE, subkind=to_stage, actor=actor,
                    summary=summary, link=_account_link(account))
    return change


# --- Team ------------------------------------------------------------------------------------------
TEAM_MEMBER_FIELDS = ("department", "role")


@transaction.atomic
def team_member_add(*, actor: User, account: Account, user: User, department: Department,
                    role: str = "") -> AccountTeamMember:
    """Put a person on the account's team. Someone already on it keeps their place: their department or
    role is changed with `team_member_update`, from the version the editor saw."""
    permission_require(actor=actor, perm="accounts.manage_team", obj=account)
    taken = _("%(person)s is already on the team: change their role from the team list.") % {
        "person": person_label(user)}
    if AccountTeamMember.objects.filter(account=account, user=user).exists():
        raise Invalid(errors={"user": [taken]})
    member = AccountTeamMember(account=account, user=user, department=department, role=role)
    member._history_user = actor
    _save_unique(member, "team_member_once", "user", taken)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor, department=department,
                    summary=_("%(person)s joined the account team (%(dept)s)") % {
                        "person": person_label(user), "dept": department},
                    link=_account_link(account))
    return member


def _team_member_claim(*, actor: User, member: AccountTeamMember, expected_version) -> AccountTeamMember:
    try:
        locked = _lock(AccountTeamMember.objects.select_related("account", "user"), member.pk)
    except AccountTeamMember.DoesNotExist:
        permission_require(actor=actor, perm="accounts.manage_team", obj=member.account)
        raise Conflict(_("%(person)s was taken off the team meanwhile; nothing was saved.") % {
            "person": person_label(member.user)}) from None
    permission_require(actor=actor, perm="accounts.manage_team", obj=locked.account)
    versioning.check(locked, expected_version, TEAM_MEMBER_FIELDS)
    return locked


@transaction.atomic
def team_member_update(*, actor: User, member: AccountTeamMember, expected_version, department: Department,
                       role: str = "") -> AccountTeamMember:
    member = _team_member_claim(actor=actor, member=member, expected_version=expected_version)
    member.department = department
    member.role = role
    versioning.bump(member)
    member._history_user = actor
    member.save()
    activity_record(account=member.account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor,
                    department=department,
                    summary=_("%(person)s's role on the team changed") % {"person": person_label(member.user)},
                    link=_account_link(member.account))
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: AccountTeamMember, expected_version) -> None:
    """Take a person off the team; refused if their place was edited since the page was shown, so a
    removal never discards a change the remover did not see."""
    member = _team_member_claim(actor=actor, member=member, expected_version=expected_version)
    account = member.account
    name = person_label(member.user)
    member._history_user = actor
    member.delete()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor,
                    summary=_("%(person)s left the account team") % {"person": name}, link=_account_link(account))


# --- Contacts --------------------------------------------------------------------------------------
CONTACT_FIELDS = ("name", "position", "email", "phone", "reports_to", "influence", "attitude", "decision_role",
                  "owner", "last_contact_date", "notes")


def _check_reports_to(contact: Contact, boss) -> None:
    if boss is None:
        return
    if boss.account_id != contact.account_id:
        raise Invalid(errors={"reports_to": [_("That person is not one of this client's people.")]})
    node, seen = boss, set()
    while node is not None and contact.pk:
        if node.pk == contact.pk or node.pk in seen:
            raise Invalid(errors={"reports_to": [_("That would make the org chart go round in a circle.")]})
        seen.add(node.pk)
        node = node.reports_to


@transaction.atomic
def contact_save(*, actor: User, account: Account, data: dict, contact: Contact | None = None,
                 expected_version=None) -> Contact:
    """Add a contact (`contact` None) or edit one from the version the editor saw; an edit made on a
    stale copy is refused with `Conflict`, saying what the other person changed."""
    permission_require(actor=actor, perm="accounts.change_account", obj=account)
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not edited here")
    if contact is None:
        contact = Contact(account=account)
    else:
        contact = _lock(Contact.objects.filter(account=account), contact.pk)
        versioning.check(contact, expected_version, CONTACT_FIELDS)
        versioning.bump(contact)
    for name, value in data.items():
        setattr(contact, name, value)
    _check_reports_to(contact, contact.reports_to)
    clean(contact)
    contact._history_user = actor
    contact.save()
    return contact


@transaction.atomic
def contact_mark_gone(*, actor: User, contact: Contact, left_at: datetime.date,
                      successor: Contact | None = None, successor_name: str = "") -> Contact | None:
    """The person leaves; the position stays. The successor (an existing contact or a new one) takes the
    position, the place in the org chart and the people who reported to the one who left."""
    contact = _lock(Contact.objects.select_related("account"), contact.pk)
    permission_require(actor=actor, perm="accounts.change_account", obj=contact.account)
    if contact.left_at is not None:
        raise Invalid(_("This contact is already marked as gone."))
    require_not_in_future("left_at", left_at)
    if successor is not None and (successor.pk == contact.pk or successor.account_id != contact.account_id):
        raise Invalid(errors={"successor": [_("The successor must be another contact of the same account.")]})
    if successor is None and successor_name.strip():
        successor = Contact(account=contact.account, name=successor_name.strip()[:160],
                            position=contact.position, reports_to=contact.reports_to,
                            influence=contact.influence, decision_role=contact.decision_role, owner=contact.owner)
    elif successor is not None:
        successor = _lock(Contact.objects.all(), successor.pk)
        successor.position = contact.position or successor.position
        if successor.reports_to_id in (None, contact.pk):
            successor.reports_to = contact.reports_to
        successor.decision_role = contact.decision_role
        versioning.bump(successor)
    if successor is not None:
        successor._history_user = actor
        successor.save()
        # Their manager changed: an edit opened before this is now stale.
        Contact.objects.filter(reports_to=contact).exclude(pk=successor.pk).update(
            reports_to=successor, version=F("version") + 1)
    contact.left_at = left_at
    contact.successor = successor
    versioning.bump(contact)
    contact._history_user = actor
    contact.save()
    summary = (_("%(name)s left the company; %(successor)s takes the position") % {
        "name": contact.name, "successor": successor.name} if successor
        else _("%(name)s left the company") % {"name": contact.name})
    activity_record(account=contact.account, kind=ActivityKind.ACCOUNT, subkind="contact_gone", actor=actor,
                    summary=summary, link=reverse("accounts:contacts", args=[contact.account_id]))
    return successor


# --- Personal data ---------------------------------------------------------------------------------
def _anonymous(person: personal_data.Person) -> dict:
    """What identifies a contact, as the erasure leaves it. Influence, attitude and decision role stay:
    without a name or a position they describe a place in the account's org chart, not a person."""
    return {"name": person.marker, "email": "", "phone": "", "position": "", "notes": "", "last_contact_date": None}


@transaction.atomic
def contact_erase(*, actor: User, contact: Contact, reason: str) -> ErasureRecord:
    """Erase a client contact's personal data (the right to erasure), by the programme lead, with a
    reason. The contact row stays, anonymised and marked gone, so that what points at it still points
    somewhere; its history, the account's events and records naming them, notifications, and every
    app's rows (accounts.personal_data sources: plans agreed, share links with their views and comments,
    touchpoints, feedback...) are scrubbed of their names and addresses. The erasure log keeps who,
    when, why and how many rows, and the contact's id only."""
    from kam.models import Notification

    contact = _lock(Contact.objects.select_related("account"), contact.pk)
    permission_require(actor=actor, perm="accounts.handle_personal_data", obj=contact.account)
    if contact.is_erased:
        raise Invalid(_("This contact's personal data has already been erased."))
    if not reason.strip():
        raise Invalid(errors={"reason": [_("Say why the data is erased (without naming the person).")]})
    person = personal_data.Person.of(contact)
    account = contact.account
    anonymous = _anonymous(person)
    scrub = personal_data.scrub
    scrubbed = {
        "contact_history": scrub(person, [Contact.history.filter(id=contact.pk)], (), search=False,
                                 replace=anonymous),
        "activities": scrub(person, [Activity.objects.filter(account=account)], ["summary"]),
        "account_texts": (
            scrub(person, personal_data.with_history(Contact.objects.filter(account=account).exclude(pk=contact.pk),
                                                     {"account_id": account.pk}), ["notes"])
            + scrub(person, personal_data.with_history(RelationshipStageChange.objects.filter(account=account),
                                                       {"account_id": account.pk}), ["note"])
            + scrub(person, [TierDecision.objects.filter(account=account)], ["reason"])),
        "notifications": scrub(person, [Notification.objects.all()], ["title", "body"]),
    }
    for source in personal_data.sources():
        scrubbed.update(source.erase(person))
    for name, value in anonymous.items():
        setattr(contact, name, value)
    contact.erased_at = timezone.now()
    contact.left_at = contact.left_at or timezone.localdate()
    versioning.bump(contact)
    contact._history_user = actor
    contact._change_reason = "personal data erased"
    contact.save()
    record = ErasureRecord.objects.create(contact=contact, account=account, erased_by=actor,
                                          reason=person.scrub(reason.strip()), scrubbed=scrubbed)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="contact_erased", actor=actor,
                    summary=_("A contact's personal data was erased (%(who)s)") % {"who": person.marker},
                    link=reverse("accounts:contacts", args=[account.pk]))
    return record


# --- Selection criteria and assessments -------------------------------------------------------------
def _latest_per_assessor(assessments) -> list[Assessment]:
    latest: dict[int, Assessment] = {}
    for a in sorted(assessments, key=lambda a: (a.assessed_on, a.pk), reverse=True):
        latest.setdefault(a.assessor_id, a)
    return list(latest.values())


def account_scores_recompute(*, account: Account, specs=None, programme=None) -> Account:
    """Write the account's attractiveness, strength and quadrant from each assessor's latest assessment."""
    specs = selectors.criteria_specs() if specs is None else specs
    programme = programme or ProgrammeSettings.current()
    latest = _latest_per_assessor(Assessment.objects.filter(account=account).prefetch_related("scores"))
    attr, strength = scoring.combined_scores(
        [{s.criterion_id: s.score for s in a.scores.all()} for a in latest], specs)
    account.attractiveness = attr
    account.strength = strength
    account.quadrant = scoring.quadrant(attr, strength, attractiveness_threshold=programme.attractiveness_threshold,
                                        strength_threshold=programme.strength_threshold)
    Account.objects.filter(pk=account.pk).update(attractiveness=attr, strength=strength, quadrant=account.quadrant)
    return account


@transaction.atomic
def assessment_create(*, actor: User, account: Account, scores: dict, assessed_on: datetime.date | None = None,
                      note: str = "") -> Assessment:
    """The actor's assessment of the account. `scores`: {criterion: (score, note)}; criteria left out were
    not judged by this assessor."""
    permission_require(actor=actor, perm="accounts.assess_account", obj=account)
    if not scores:
        raise Invalid(_("Score at least one criterion."))
    for criterion, (score, _note) in scores.items():
        if not 1 <= int(score) <= criterion.scale_max:
            raise Invalid(_("%(criterion)s: the score must be between 1 and %(max)s.") % {
                "criterion": criterion.label, "max": criterion.scale_max})
    assessed_on = assessed_on or timezone.localdate()
    require_not_in_future("assessed_on", assessed_on)
    specs = selectors.criteria_specs()
    attr, strength = scoring.assessment_scores({c.pk: int(s) for c, (s, _n) in scores.items()}, specs)
    assessment = Assessment.objects.create(account=account, assessor=actor, assessed_on=assessed_on, note=note,
                                           attractiveness=attr, strength=strength)
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, criterion=c, score=int(s), note=n or "") for c, (s, n) in scores.items())
    before = account.quadrant
    account_scores_recompute(account=account, specs=specs)
    summary = _("Assessed by %(who)s: attractiveness %(a)s, strength %(s)s") % {
        "who": person_label(actor),
        "a": "–" if account.attractiveness is None else f"{account.attractiveness:.0f}",
        "s": "–" if account.strength is None else f"{account.strength:.0f}"}
    if account.quadrant and account.quadrant != before:
        summary += " · " + str(Quadrant(account.quadrant).label)
    activity_record(account=account, kind=ActivityKind.ASSESSMENT, actor=actor, summary=summary,
                    link=_account_link(account))
    return assessment


@transaction.atomic
def scores_recompute_all() -> int:
    """After a weight or scale change every assessed account's scores are recomputed (the per-assessment
    figures too, so the spread shown stays consistent). Cost: one pass over assessed accounts."""
    advisory_lock(ACCOUNT_ROWS_LOCK)
    specs = selectors.criteria_specs()
    programme = ProgrammeSettings.current()
    assessments = Assessment.objects.prefetch_related("scores").order_by("account_id")
    by_account: dict[int, list] = {}
    for a in assessments:
        by_account.setdefault(a.account_id, []).append(a)
    changed_assessments = []
    changed_accounts = []
    for account_id, items in by_account.items():
        for a in items:
            a.attractiveness, a.strength = scoring.assessment_scores(
                {s.criterion_id: s.score for s in a.scores.all()}, specs)
            changed_assessments.append(a)
        latest = _latest_per_assessor(items)
        attr, strength = scoring.combined_scores([{s.criterion_id: s.score for s in a.scores.all()}
                                                  for a in latest], specs)
        changed_accounts.append(Account(
            pk=account_id, attractiveness=attr, strength=strength,
            quadrant=scoring.quadrant(attr, strength, attractiveness_threshold=programme.attractiveness_threshold,
                                      strength_threshold=programme.strength_threshold)))
    Assessment.objects.bulk_update(changed_assessments, ["attractiveness", "strength"], batch_size=500)
    Account.objects.bulk_update(changed_accounts, ["attractiveness", "strength", "quadrant"], batch_size=500)
    return len(changed_accounts)


@transaction.atomic
def quadrants_recompute() -> int:
    """Re-derive every quadrant from the stored scores after the programme's thresholds changed (run by
    `metrics.services.programme_settings_update` in the same transaction): one UPDATE of the rows whose
    quadrant moves, by the same rule as `scoring.quadrant`."""
    advisory_lock(ACCOUNT_ROWS_LOCK)
    programme = ProgrammeSettings.current()
    at, st = programme.attractiveness_threshold, programme.strength_threshold
    quadrant = Case(
        When(Q(attractiveness__isnull=True) | Q(strength__isnull=True), then=Value("")),
        When(attractiveness__gte=at, strength__gte=st, then=Value(Quadrant.STRATEGIC)),
        When(attractiveness__gte=at, then=Value(Quadrant.STAR)),
        When(strength__gte=st, then=Value(Quadrant.STATUS)),
        default=Value(Quadrant.STREAMLINE), output_field=CharField())
    return Account.objects.alias(new_quadrant=quadrant).exclude(quadrant=F("new_quadrant")).update(quadrant=quadrant)


CRITERION_FIELDS = ("name", "description", "axis", "weight", "scale_max", "active", "order")


@transaction.atomic
def criterion_save(*, actor: User, data: dict, criterion: SelectionCriterion | None = None,
                   expected_version=None) -> SelectionCriterion:
    """Add a criterion (`criterion` None) or edit one from the version the editor saw, and rescore the
    portfolio with it (its history keeps every weight it had)."""
    permission_require(actor=actor, perm="accounts.manage_programme")
    unknown = set(data) - set(CRITERION_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not edited here")
    if criterion is None:
        criterion = SelectionCriterion(**data)
        from .selectors import unique_criterion_code

        criterion.code = unique_criterion_code(criterion.name)
    else:
        criterion = _lock(SelectionCriterion.objects.all(), criterion.pk)
        versioning.check(criterion, expected_version, CRITERION_FIELDS)
        versioning.bump(criterion)
        for name, value in data.items():
            setattr(criterion, name, value)
    clean(criterion)
    criterion._history_user = actor
    # The code is made from the name; someone saving a criterion of the same name meanwhile took it.
    _save_unique(criterion, "code", "name",
                 _("A criterion with this name was saved a moment ago: choose another name or edit that one."))
    scores_recompute_all()
    return criterion


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
                    summary=_("Tier: %(from)s → %(to)s. %(reason)s") % {
                        "from": Tier(decision.from_tier).label, "to": Tier(to_tier).label, "reason": decision.reason},
                    link=reverse("accounts:tier", args=[account.pk]))
    return decision


# --- Financials and Pareto -------------------------------------------------------------------------
REVENUE_RECOMPUTE_SQL = """
WITH rev AS (
    SELECT a.id, COALESCE(SUM(f.revenue), 0) AS revenue
    FROM accounts_account a
    LEFT JOIN accounts_financialrecord f ON f.account_id = a.id AND f.month >= %s AND f.month < %s
    WHERE a.archived_at IS NULL
    GROUP BY a.id
), ranked AS (
    SELECT id, revenue,
           SUM(CASE WHEN revenue > 0 THEN revenue ELSE 0 END) OVER () AS total,
           -- Running total through the account's peers, minus the peers: what lies strictly above.
           -- (A frame with EXCLUDE GROUP says the same but is recomputed row by row: quadratic in the
           -- size of a peer group, and every new account with no revenue yet joins the same group.)
           SUM(CASE WHEN revenue > 0 THEN revenue ELSE 0 END) OVER (ORDER BY revenue DESC)
           - SUM(CASE WHEN revenue > 0 THEN revenue ELSE 0 END) OVER (PARTITION BY revenue) AS above
    FROM rev
), classed AS (
    SELECT id, revenue, CASE
        WHEN revenue <= 0 OR total <= 0 THEN 'C'
        WHEN above < %s * total THEN 'A'
        WHEN above < %s * total THEN 'B'
        ELSE 'C' END AS pareto_class
    FROM ranked
)
UPDATE accounts_account SET revenue_12m = classed.revenue, pareto_class = classed.pareto_class
FROM classed
WHERE accounts_account.id = classed.id
  -- Only the rows whose figures move: one month of one account rewrites that account (and those whose
  -- class it shifts), not the whole table, and takes no lock on the rest.
  AND (accounts_account.revenue_12m IS DISTINCT FROM classed.revenue
       OR accounts_account.pareto_class IS DISTINCT FROM classed.pareto_class)
"""


@transaction.atomic
def revenue_recompute(today: datetime.date | None = None) -> int:
    """Write every active account's trailing-12-month revenue and its Pareto class; the number of
    account rows that changed (the others are not written).

    The rule is `accounts.scoring.pareto_classes` (share of revenue strictly above the account: < 80 % A,
    < 95 % B, else C; ties share a class; zero revenue is C), done with window functions: the running
    total through the account's peers minus the peers' own sum is what every account above it makes.
    Archived accounts leave the ranking (their class is blank). Takes ACCOUNT_ROWS_LOCK first: callers
    that lock an account row of their own take it before that row."""
    advisory_lock(ACCOUNT_ROWS_LOCK)
    start, end = selectors.trailing_window(today)
    with connection.cursor() as cursor:
        cursor.execute(REVENUE_RECOMPUTE_SQL, [start, end, scoring.PARETO_A_SHARE, scoring.PARETO_B_SHARE])
        changed = cursor.rowcount
    return changed + Account.objects.filter(archived_at__isnull=False).exclude(pareto_class="").update(pareto_class="")


FINANCIAL_FIGURES = ("revenue", "cost_of_goods", "cost_to_serve")


@transaction.atomic
def financial_records_save(*, actor: User,
                           figures: dict[tuple[int, datetime.date], dict[str, Decimal]]) -> tuple[int, int]:
    """Enter or correct months of figures, {(account id, month): {"revenue": …, "cost_of_goods": …,
    "cost_to_serve": …}}, and recompute revenue and Pareto classes; (created, updated). The one way
    figures are written, by the form and by the import alike."""
    accounts = Account.objects.in_bulk({account_id for account_id, _month in figures})
    if len(accounts) != len({account_id for account_id, _month in figures}):
        raise Invalid(_("No account matches."))
    for account in accounts.values():
        permission_require(actor=actor, perm="accounts.change_financials", obj=account)
    advisory_lock(ACCOUNT_ROWS_LOCK)
    existing = {(f.account_id, f.month): f
                for f in FinancialRecord.objects.select_for_update().filter(account_id__in=accounts)}
    new, changed = [], []
    for (account_id, month), numbers in figures.items():
        month = month.replace(day=1)
        require_not_in_future("month", month, _("Financials cannot be entered for a future month."))
        if any(numbers.get(name, 0) < 0 for name in FINANCIAL_FIGURES):
            raise Invalid(_("Financial figures cannot be negative."))
        record = existing.get((account_id, month))
        if record is None:
            new.append(FinancialRecord(account_id=account_id, month=month, **numbers))
        else:
            for name, value in numbers.items():
                setattr(record, name, value)
            changed.append(record)
    if new:
        bulk_create_with_history(new, FinancialRecord, batch_size=1000, default_user=actor)
    if changed:
        bulk_update_with_history(changed, FinancialRecord, list(FINANCIAL_FIGURES), batch_size=1000,
                                 default_user=actor)
    revenue_recompute()
    return len(new), len(changed)


@transaction.atomic
def financial_record_save(*, actor: User, account: Account, month: datetime.date, revenue: Decimal,
                          cost_of_goods: Decimal, cost_to_serve: Decimal) -> FinancialRecord:
    """One month of one account, entered or corrected by hand."""
    month = month.replace(day=1)
    financial_records_save(actor=actor, figures={(account.pk, month): {
        "revenue": revenue, "cost_of_goods": cost_of_goods, "cost_to_serve": cost_to_serve}})
    from .signals import financials_imported

    transaction.on_commit(lambda: financials_imported.send(sender=FinancialRecord, account_ids=[account.pk]))
    return FinancialRecord.objects.get(account=account, month=month)
