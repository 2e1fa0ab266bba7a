"""Selection criteria, assessments, and the scores and quadrants derived from them."""
import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kam import versioning
from kam.errors import Invalid, clean
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.validators import require_not_in_future

from .. import messages as msg
from .. import scoring, selectors
from ..models import (
    Account,
    ActivityKind,
    Assessment,
    AssessmentScore,
    Quadrant,
    SelectionCriterion,
)
from .base import (
    ACCOUNT_ROWS_LOCK,
    _account_link,
    _lock,
    _save_unique,
    activity_record,
    advisory_lock,
    permission_require,
)


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
    parts = [(msg.ASSESSED, {
        "who": person_label(actor),
        "a": "–" if account.attractiveness is None else f"{account.attractiveness:.0f}",
        "s": "–" if account.strength is None else f"{account.strength:.0f}"})]
    if account.quadrant and account.quadrant != before:
        parts.append((msg.QUADRANT, {"quadrant": account.quadrant}))
    activity_record(account=account, kind=ActivityKind.ASSESSMENT, actor=actor, message=msg.LINE,
                    params={"parts": parts}, link=_account_link(account))
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
        from ..selectors import unique_criterion_code

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
