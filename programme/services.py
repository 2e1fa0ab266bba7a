"""Writes of the programme review. The programme lead runs the review; every write checks it here,
whoever calls. A decision to admit or remove an account is the accounts app's tier decision
(`accounts.services.tier_decide`), with its cap, its refusals and its record."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Account, Tier
from kam import versioning
from kam.errors import Forbidden, Invalid, clean

from . import kpis, selectors
from .models import (
    Decision,
    Direction,
    ProgrammeReview,
    ReviewChange,
    ReviewProposal,
    ReviewSettings,
    ReviewStatus,
)

REVIEW_FIELDS = ("held_on", "notes", "targets")
SETTINGS_FIELDS = ("cadence_months",)


def lead_require(actor: User | None) -> None:
    if actor is None or not actor.has_perm("programme.manage_review"):
        raise Forbidden(_("Only the programme lead runs the programme review."))


def _open_require(review: ProgrammeReview) -> None:
    if review.is_closed:
        raise Invalid(_("This review is closed: its figures and decisions are kept as they were."))


@transaction.atomic
def review_settings_update(*, actor: User, expected_version, data: dict) -> ReviewSettings:
    lead_require(actor)
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not review settings")
    settings = versioning.claim(ReviewSettings.objects.all(), ReviewSettings.current().pk, expected_version,
                                SETTINGS_FIELDS)
    for name, value in data.items():
        setattr(settings, name, value)
    clean(settings)
    versioning.bump(settings)
    settings._history_user = actor
    settings.save()
    return settings


def clean_targets(targets: dict) -> dict[str, str]:
    """The lead's targets as the review stores them: registered KPIs only, numbers as text, blanks out."""
    out: dict[str, str] = {}
    errors: dict[str | None, list[str]] = {}
    for code, raw in (targets or {}).items():
        if code not in kpis.KPIS:
            raise ValueError(f"{code} is not a programme KPI")
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            errors[f"target_{code}"] = [_("Enter a number.")]
            continue
        if not value.is_finite():
            errors[f"target_{code}"] = [_("Enter a number.")]
            continue
        out[code] = str(value)
    if errors:
        raise Invalid(errors=errors)
    return out


@transaction.atomic
def review_create(*, actor: User, period_start: datetime.date | None = None) -> ProgrammeReview:
    """A draft review of the period holding `period_start` (default: the next period to review), with the
    previous review's targets to start from."""
    lead_require(actor)
    cadence = ReviewSettings.current().cadence_months
    if period_start is None:
        start, end = selectors.next_period()
    else:
        start, end = selectors.period_containing(period_start, cadence)
    if ProgrammeReview.objects.filter(period_start__lte=end, period_end__gte=start).exists():
        raise Invalid(errors={"period_start": [_("That period already has a review.")]})
    previous = ProgrammeReview.objects.filter(period_start__lt=start).order_by("-period_start").first()
    review = ProgrammeReview(period_start=start, period_end=end, created_by=actor,
                             targets=dict(previous.targets) if previous else {})
    clean(review)
    review._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise Invalid(errors={"period_start": [_("That period already has a review.")]}) from exc
    return review


@transaction.atomic
def review_update(*, actor: User, review: ProgrammeReview, expected_version, data: dict) -> ProgrammeReview:
    """The lead's targets, the day the review was held and its notes; refused once the review is closed."""
    lead_require(actor)
    unknown = set(data) - set(REVIEW_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not review fields")
    review = versioning.claim(ProgrammeReview.objects.all(), review.pk, expected_version, REVIEW_FIELDS)
    _open_require(review)
    if "targets" in data:
        data = {**data, "targets": clean_targets(data["targets"])}
    for name, value in data.items():
        setattr(review, name, value)
    clean(review)
    versioning.bump(review)
    review._history_user = actor  # type: ignore[attr-defined]
    review.save()
    return review


@transaction.atomic
def review_hold(*, actor: User, review: ProgrammeReview, held_on: datetime.date | None = None) -> ProgrammeReview:
    """The review meeting took place: its figures stay live until it is closed."""
    lead_require(actor)
    review = versioning.claim(ProgrammeReview.objects.all(), review.pk, versioning.CURRENT, REVIEW_FIELDS)
    if review.status != ReviewStatus.DRAFT:
        raise Invalid(_("Only a draft review can be marked as held."))
    review.status = ReviewStatus.HELD
    review.held_on = review.held_on or held_on or timezone.localdate()
    versioning.bump(review)
    review._history_user = actor  # type: ignore[attr-defined]
    review.save()
    return review


@transaction.atomic
def review_close(*, actor: User, review: ProgrammeReview) -> ProgrammeReview:
    """Freeze the actuals into the review as they are now, so that this period stays comparable with
    the next ones whatever the data does afterwards. Proposals still undecided are refused: the
    review's decisions are part of its record."""
    lead_require(actor)
    review = versioning.claim(ProgrammeReview.objects.all(), review.pk, versioning.CURRENT, REVIEW_FIELDS)
    _open_require(review)
    if ReviewProposal.objects.filter(review=review, decision=Decision.PROPOSED).exists():
        raise Invalid(_("Decide every proposal (accept or reject it) before closing the review."))
    actuals = kpis.compute_all(kpis.ReviewPeriod(review.period_start, review.period_end))
    review.actuals = {code: a.frozen() for code, a in actuals.items()}
    review.status = ReviewStatus.CLOSED
    review.held_on = review.held_on or timezone.localdate()
    review.closed_at, review.closed_by = timezone.now(), actor
    versioning.bump(review)
    review._history_user = actor  # type: ignore[attr-defined]
    review.save()
    return review


@transaction.atomic
def proposal_create(*, actor: User, review: ProgrammeReview, account: Account, to_tier: str,
                    reason: str) -> ReviewProposal:
    """Propose that `account` enter the programme (to key) or leave it (from key to another tier), with
    its tier evidence frozen as it stands."""
    lead_require(actor)
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _open_require(review)
    account = Account.objects.get(pk=account.pk)
    if to_tier not in Tier.values:
        raise Invalid(errors={"to_tier": [_("Choose a tier.")]})
    if account.archived_at is not None:
        raise Invalid(errors={"account": [_("The account is archived.")]})
    if to_tier == Tier.KEY and account.tier != Tier.KEY:
        direction = Direction.ENTER
    elif account.tier == Tier.KEY and to_tier != Tier.KEY:
        direction = Direction.LEAVE
    else:
        raise Invalid(errors={"to_tier": [_(
            "A proposal moves an account into the programme (to key account) or out of it (from key account).")]})
    if not reason.strip():
        raise Invalid(errors={"reason": [_("Say why.")]})
    if ReviewProposal.objects.filter(review=review, account=account).exists():
        raise Invalid(errors={"account": [_("This account is already proposed in this review.")]})
    proposal = ReviewProposal(review=review, account=account, direction=direction, to_tier=to_tier,
                              reason=reason.strip(), evidence=selectors.proposal_evidence(account),
                              proposed_by=actor)
    clean(proposal)
    proposal._history_user = actor  # type: ignore[attr-defined]
    proposal.save()
    return proposal


@transaction.atomic
def proposal_decide(*, actor: User, proposal: ReviewProposal, accept: bool, note: str = "",
                    kam: User | None = None, sponsor: User | None = None, cap_override: bool = False,
                    override_reason: str = "") -> ReviewProposal:
    """Record the review's decision. Accepting applies it as a tier decision of the accounts app, in the
    same transaction: its refusals (the cap without an override, a key account without KAM or sponsor,
    a tier changed meanwhile) refuse the decision too, with the same messages on the same fields."""
    lead_require(actor)
    proposal = ReviewProposal.objects.select_for_update().select_related("review", "account").get(pk=proposal.pk)
    _open_require(proposal.review)
    if proposal.decision != Decision.PROPOSED:
        raise Invalid(_("This proposal has already been decided."))
    if accept:
        reason = _("Programme review %(period)s: %(reason)s") % {"period": str(proposal.review),
                                                                 "reason": proposal.reason}
        if note.strip():
            reason = f"{reason} {note.strip()}"
        proposal.tier_decision = account_services.tier_decide(
            actor=actor, account=proposal.account, to_tier=proposal.to_tier, reason=reason,
            expected_tier=proposal.evidence.get("tier") or None, cap_override=cap_override,
            override_reason=override_reason, kam=kam, sponsor=sponsor)
        proposal.decision = Decision.ACCEPTED
    else:
        if not note.strip():
            raise Invalid(errors={"note": [_("Say why the proposal is rejected.")]})
        proposal.decision = Decision.REJECTED
    proposal.decision_note = note.strip()
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal._history_user = actor  # type: ignore[attr-defined]
    proposal.save()
    return proposal


@transaction.atomic
def change_add(*, actor: User, review: ProgrammeReview, text: str) -> ReviewChange:
    """One more thing the programme will change after this review."""
    lead_require(actor)
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _open_require(review)
    change = ReviewChange(review=review, text=text.strip(), created_by=actor)
    clean(change)
    change.save()
    return change
