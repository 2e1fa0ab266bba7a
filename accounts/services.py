import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.models import ProgrammeSettings

from . import scoring
from .models import (
    Account,
    AccountTeamMember,
    Activity,
    ActivityKind,
    Assessment,
    AssessmentScore,
    Contact,
    FinancialRecord,
    Quadrant,
    RelationshipStage,
    RelationshipStageChange,
    SelectionCriterion,
    Tier,
    TierDecision,
)


class ServiceError(Exception):
    """A rule of the domain refused the change; the message is meant for the user."""


class ConcurrentEditError(ServiceError):
    pass


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


# --- Registry --------------------------------------------------------------------------------------
ACCOUNT_EDITABLE_FIELDS = ("name", "tax_id", "industry", "country", "region", "parent", "status", "kam", "sponsor")


def _check_parent(account: Account, parent) -> None:
    # A group is a tree: an account may not sit below itself or one of its own subsidiaries.
    seen = set()
    node = parent
    while node is not None:
        if node.pk == account.pk or node.pk in seen:
            raise ServiceError(_("An account cannot belong to its own group below itself."))
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def account_create(*, actor, name: str, stage: str = RelationshipStage.EXPLORATORY, **fields) -> Account:
    account = Account(name=name, relationship_stage=stage, **fields)
    account.save()
    RelationshipStageChange.objects.create(account=account, from_stage="", to_stage=stage, changed_by=actor)
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="created", actor=actor,
                    summary=_("Account created"), link=_account_link(account))
    return account


@transaction.atomic
def account_update(*, account: Account, actor, expected_version: int, **fields) -> Account:
    """Apply an edit made on version `expected_version`; refused if someone saved in between."""
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(_("Someone else changed this account while you were editing it. "
                                    "Your changes were not saved: review the current values and try again."))
    if "parent" in fields:
        _check_parent(locked, fields["parent"])
    for name, value in fields.items():
        if name not in ACCOUNT_EDITABLE_FIELDS:
            raise ValueError(f"{name} is not edited here")
        setattr(locked, name, value)
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    activity_record(account=locked, kind=ActivityKind.ACCOUNT, subkind="updated", actor=actor,
                    summary=_("Account details edited"), link=_account_link(locked))
    return locked


def account_archive(*, account: Account, actor) -> Account:
    return _account_set_archived(account=account, actor=actor, archived=True)


def account_unarchive(*, account: Account, actor) -> Account:
    return _account_set_archived(account=account, actor=actor, archived=False)


@transaction.atomic
def _account_set_archived(*, account: Account, actor, archived: bool) -> Account:
    """Archive or restore; a no-op when the account is already there. Archived accounts leave the
    Pareto ranking, so revenue classes are recomputed in the same transaction."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if (account.archived_at is not None) == archived:
        return account
    account.archived_at = timezone.now() if archived else None
    account.version = F("version") + 1
    account.save()
    account.refresh_from_db()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="archived" if archived else "unarchived",
                    actor=actor, link=_account_link(account),
                    summary=_("Account archived") if archived else _("Account restored from the archive"))
    revenue_recompute()
    return account


@transaction.atomic
def stage_change(*, account: Account, actor, to_stage: str, changed_on: datetime.date | None = None,
                 note: str = "") -> RelationshipStageChange:
    account = Account.objects.select_for_update().get(pk=account.pk)
    if to_stage == account.relationship_stage:
        raise ServiceError(_("The relationship is already at that stage."))
    changed_on = changed_on or timezone.localdate()
    if changed_on > timezone.localdate():
        raise ServiceError(_("A stage change cannot be dated in the future."))
    change = RelationshipStageChange.objects.create(account=account, from_stage=account.relationship_stage,
                                                    to_stage=to_stage, changed_on=changed_on, changed_by=actor,
                                                    note=note)
    account.relationship_stage = to_stage
    account.version = F("version") + 1
    account.save(update_fields=["relationship_stage", "version", "updated_at"])
    activity_record(account=account, kind=ActivityKind.STAGE_CHANGE, subkind=to_stage, actor=actor,
                    summary=_("Relationship stage: %(from)s → %(to)s") % {
                        "from": change.get_from_stage_display(), "to": change.get_to_stage_display()},
                    link=_account_link(account))
    return change


# --- Team ------------------------------------------------------------------------------------------
@transaction.atomic
def team_member_add(*, account: Account, actor, user, department, role: str = "") -> AccountTeamMember:
    member, created = AccountTeamMember.objects.get_or_create(
        account=account, user=user, defaults={"department": department, "role": role})
    if not created:
        member.department = department
        member.role = role
        member.save()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor, department=department,
                    summary=_("%(person)s joined the account team (%(dept)s)") % {
                        "person": user.get_full_name() or user.username, "dept": department}
                    if created else _("%(person)s's role on the team changed") % {
                        "person": user.get_full_name() or user.username},
                    link=_account_link(account))
    return member


@transaction.atomic
def team_member_remove(*, member: AccountTeamMember, actor) -> None:
    account = member.account
    name = member.user.get_full_name() or member.user.username
    member.delete()
    activity_record(account=account, kind=ActivityKind.ACCOUNT, subkind="team", actor=actor,
                    summary=_("%(person)s left the account team") % {"person": name}, link=_account_link(account))


# --- Contacts --------------------------------------------------------------------------------------
def _claim_version(model, obj, expected_version: int | None, message: str) -> None:
    """Lock the row and refuse the save if it changed since the form was opened (`expected_version`;
    None for callers that edit the current row, like imports)."""
    if obj.pk is None:
        return
    current = model.objects.select_for_update().values_list("version", flat=True).get(pk=obj.pk)
    if expected_version is not None and current != expected_version:
        raise ConcurrentEditError(message)
    obj.version = current + 1


@transaction.atomic
def contact_save(*, contact: Contact, actor, expected_version: int | None = None) -> Contact:
    """Create or edit a contact; an edit made on a stale copy is refused."""
    _claim_version(Contact, contact, expected_version,
                   _("Someone else changed this contact while you were editing it. Your changes were not saved: "
                     "review the current values and try again."))
    contact._history_user = actor
    contact.save()
    return contact


@transaction.atomic
def contact_mark_gone(*, contact: Contact, actor, left_at: datetime.date, successor: Contact | None = None,
                      successor_name: str = "") -> Contact | None:
    """The person leaves; the position stays. The successor (an existing contact or a new one) takes the
    position, the place in the org chart and the people who reported to the one who left."""
    if contact.left_at is not None:
        raise ServiceError(_("This contact is already marked as gone."))
    if successor is not None and (successor.pk == contact.pk or successor.account_id != contact.account_id):
        raise ServiceError(_("The successor must be another contact of the same account."))
    if successor is None and successor_name.strip():
        successor = Contact.objects.create(account=contact.account, name=successor_name.strip(),
                                           position=contact.position, reports_to=contact.reports_to,
                                           influence=contact.influence, decision_role=contact.decision_role,
                                           owner=contact.owner)
    elif successor is not None:
        successor.position = contact.position or successor.position
        if successor.reports_to_id in (None, contact.pk):
            successor.reports_to = contact.reports_to
        successor.decision_role = contact.decision_role
        successor.version += 1
        successor.save()
    if successor is not None:
        Contact.objects.filter(reports_to=contact).exclude(pk=successor.pk).update(reports_to=successor)
    contact.left_at = left_at
    contact.successor = successor
    contact.version += 1
    contact.save()
    summary = (_("%(name)s left the company; %(successor)s takes the position") % {
        "name": contact.name, "successor": successor.name} if successor
        else _("%(name)s left the company") % {"name": contact.name})
    activity_record(account=contact.account, kind=ActivityKind.ACCOUNT, subkind="contact_gone", actor=actor,
                    summary=summary, link=reverse("accounts:contacts", args=[contact.account_id]))
    return successor


# --- Selection criteria and assessments -------------------------------------------------------------
def criteria_specs(criteria=None) -> dict[int, scoring.CriterionSpec]:
    if criteria is None:
        criteria = SelectionCriterion.objects.filter(active=True)
    return {c.pk: scoring.CriterionSpec(c.pk, c.axis, c.weight, c.scale_max) for c in criteria if c.active}


def _latest_per_assessor(assessments) -> list[Assessment]:
    latest = {}
    for a in sorted(assessments, key=lambda a: (a.assessed_on, a.pk), reverse=True):
        latest.setdefault(a.assessor_id, a)
    return list(latest.values())


def account_scores_recompute(*, account: Account, specs=None, programme=None) -> Account:
    """Write the account's attractiveness, strength and quadrant from each assessor's latest assessment."""
    specs = criteria_specs() if specs is None else specs
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
def assessment_create(*, account: Account, assessor, scores: dict, assessed_on: datetime.date | None = None,
                      note: str = "") -> Assessment:
    """`scores`: {criterion: (score, note)}; criteria left out were not judged by this assessor."""
    if not scores:
        raise ServiceError(_("Score at least one criterion."))
    for criterion, (score, _note) in scores.items():
        if not 1 <= int(score) <= criterion.scale_max:
            raise ServiceError(_("%(criterion)s: the score must be between 1 and %(max)s.") % {
                "criterion": criterion.label, "max": criterion.scale_max})
    specs = criteria_specs()
    attr, strength = scoring.assessment_scores({c.pk: int(s) for c, (s, _n) in scores.items()}, specs)
    assessment = Assessment.objects.create(account=account, assessor=assessor,
                                           assessed_on=assessed_on or timezone.localdate(), note=note,
                                           attractiveness=attr, strength=strength)
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, criterion=c, score=int(s), note=n or "") for c, (s, n) in scores.items())
    before = account.quadrant
    account_scores_recompute(account=account, specs=specs)
    summary = _("Assessed by %(who)s: attractiveness %(a)s, strength %(s)s") % {
        "who": assessor.get_full_name() or assessor.username,
        "a": "–" if account.attractiveness is None else f"{account.attractiveness:.0f}",
        "s": "–" if account.strength is None else f"{account.strength:.0f}"}
    if account.quadrant and account.quadrant != before:
        summary += " · " + str(Quadrant(account.quadrant).label)
    activity_record(account=account, kind=ActivityKind.ASSESSMENT, actor=assessor, summary=summary,
                    link=_account_link(account))
    return assessment


def scores_recompute_all() -> int:
    """After a weight or scale change every assessed account's scores are recomputed (the per-assessment
    figures too, so the spread shown stays consistent). Cost: one pass over assessed accounts."""
    specs = criteria_specs()
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
    with transaction.atomic():
        Assessment.objects.bulk_update(changed_assessments, ["attractiveness", "strength"], batch_size=500)
        Account.objects.bulk_update(changed_accounts, ["attractiveness", "strength", "quadrant"], batch_size=500)
    return len(changed_accounts)


def quadrants_recompute() -> int:
    """Re-derive every quadrant from the stored scores after the programme's thresholds changed:
    one UPDATE, the same rule as `scoring.quadrant`."""
    programme = ProgrammeSettings.current()
    at, st = programme.attractiveness_threshold, programme.strength_threshold
    return Account.objects.update(quadrant=Case(
        When(Q(attractiveness__isnull=True) | Q(strength__isnull=True), then=Value("")),
        When(attractiveness__gte=at, strength__gte=st, then=Value(Quadrant.STRATEGIC)),
        When(attractiveness__gte=at, then=Value(Quadrant.STAR)),
        When(strength__gte=st, then=Value(Quadrant.STATUS)),
        default=Value(Quadrant.STREAMLINE)))


@transaction.atomic
def criterion_save(*, criterion: SelectionCriterion, actor, expected_version: int | None = None) -> SelectionCriterion:
    """Save a criterion (its history keeps every weight it had) and rescore the portfolio with it."""
    _claim_version(SelectionCriterion, criterion, expected_version,
                   _("Someone else changed this criterion while you were editing it. Your changes were not "
                     "saved: review the current values and try again."))
    criterion._history_user = actor
    criterion.save()
    scores_recompute_all()
    return criterion


# --- Tier decisions --------------------------------------------------------------------------------
def tier_evidence(account: Account) -> dict:
    """The facts a tier decision stands on, frozen into the decision as they are now."""
    def num(v):
        return None if v is None else str(v)
    return {
        "attractiveness": num(account.attractiveness),
        "strength": num(account.strength),
        "quadrant": account.quadrant,
        "pareto_class": account.pareto_class,
        "revenue_12m": num(account.revenue_12m),
        "relationship_stage": account.relationship_stage,
        "health_score": account.health_score,
    }


def key_account_count(exclude_pk=None) -> int:
    qs = Account.objects.active().key()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


@transaction.atomic
def tier_decide(*, account: Account, actor, to_tier: str, reason: str, expected_tier: str | None = None,
                cap_override: bool = False, override_reason: str = "") -> TierDecision:
    account = Account.objects.select_for_update().get(pk=account.pk)
    if expected_tier is not None and account.tier != expected_tier:
        raise ConcurrentEditError(_("The tier was changed by someone else meanwhile; it is now %(tier)s.") % {
            "tier": account.get_tier_display()})
    if to_tier not in Tier.values:
        raise ServiceError(_("Choose a tier."))
    if to_tier == account.tier:
        raise ServiceError(_("The account is already in that tier."))
    if not reason.strip():
        raise ServiceError(_("Give the reason for the decision."))
    if account.archived_at is not None:
        raise ServiceError(_("Restore the account from the archive before deciding its tier."))
    over_cap = False
    if to_tier == Tier.KEY:
        cap = ProgrammeSettings.current().key_account_cap
        # Lock-free count is enough here: the row lock above serialises decisions on this account, and
        # the cap is a management guard rail rather than an invariant.
        if key_account_count(exclude_pk=account.pk) >= cap:
            over_cap = True
            if not cap_override or not override_reason.strip():
                raise ServiceError(_("The programme already has %(n)s key accounts (cap %(cap)s). To admit "
                                     "this one anyway, tick the override and say why.") % {
                                         "n": key_account_count(exclude_pk=account.pk), "cap": cap})
    decision = TierDecision.objects.create(
        account=account, from_tier=account.tier, to_tier=to_tier, decided_by=actor, reason=reason.strip(),
        evidence=tier_evidence(account), cap_override=over_cap,
        override_reason=override_reason.strip() if over_cap else "")
    account.tier = to_tier
    account.version = F("version") + 1
    account.save(update_fields=["tier", "version", "updated_at"])
    activity_record(account=account, kind=ActivityKind.TIER_DECISION, subkind=to_tier, actor=actor,
                    summary=_("Tier: %(from)s → %(to)s. %(reason)s") % {
                        "from": Tier(decision.from_tier).label, "to": Tier(to_tier).label, "reason": decision.reason},
                    link=reverse("accounts:tier", args=[account.pk]))
    return decision


# --- Financials and Pareto -------------------------------------------------------------------------
def trailing_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve complete months: [first day 12 months before this month, first day of this month).
    The running month is left out because its figures are partial until the ERP closes it."""
    today = today or timezone.localdate()
    end = today.replace(day=1)
    start = end.replace(year=end.year - 1)
    return start, end


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
)
UPDATE accounts_account SET
    revenue_12m = ranked.revenue,
    pareto_class = CASE
        WHEN ranked.revenue <= 0 OR ranked.total <= 0 THEN 'C'
        WHEN ranked.above < %s * ranked.total THEN 'A'
        WHEN ranked.above < %s * ranked.total THEN 'B'
        ELSE 'C' END
FROM ranked
WHERE accounts_account.id = ranked.id
"""


@transaction.atomic
def revenue_recompute(today: datetime.date | None = None) -> None:
    """Write every active account's trailing-12-month revenue and its Pareto class in two statements.

    The rule is `accounts.scoring.pareto_classes` (share of revenue strictly above the account: < 80 % A,
    < 95 % B, else C; ties share a class; zero revenue is C), done with window functions: the running
    total through the account's peers minus the peers' own sum is what every account above it makes.
    Archived accounts leave the ranking (their class is blank)."""
    start, end = trailing_window(today)
    with connection.cursor() as cursor:
        cursor.execute(REVENUE_RECOMPUTE_SQL, [start, end, scoring.PARETO_A_SHARE, scoring.PARETO_B_SHARE])
    Account.objects.filter(archived_at__isnull=False).exclude(pareto_class="").update(pareto_class="")


@transaction.atomic
def financial_record_save(*, account: Account, actor, month: datetime.date, revenue: Decimal,
                          cost_of_goods: Decimal, cost_to_serve: Decimal) -> FinancialRecord:
    month = month.replace(day=1)
    record, _created = FinancialRecord.objects.update_or_create(
        account=account, month=month,
        defaults={"revenue": revenue, "cost_of_goods": cost_of_goods, "cost_to_serve": cost_to_serve})
    revenue_recompute()
    from .signals import financials_imported

    transaction.on_commit(lambda: financials_imported.send(sender=FinancialRecord, account_ids=[account.pk]))
    return record
