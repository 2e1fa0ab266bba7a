"""Demo data for the programme review: the last two quarters reviewed and closed (targets, frozen figures,
one proposal decided in each, what the programme changed) and the current quarter's review in draft,
with one account proposed to enter the programme waiting for the lead's decision.

The story: two quarters ago the programme admitted a strong account (the accepted proposal is that
account's real promotion) and decided to name a sponsor for every key account; last quarter it kept a
key account that disagrees with its tier for one more quarter under a recovery plan. Idempotent: a period
already reviewed is left alone."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Account, Tier, TierDecision
from kam.roles import LEAD

from . import kpis, services
from .models import Decision, Direction, ProgrammeReview, ReviewChange, ReviewProposal, ReviewStatus
from .selectors import period_containing, proposal_evidence

TARGETS = [
    {"plan_coverage": "80", "plan_agreed": "60", "commitments_ours": "85", "commitments_client": "70",
     "sponsor_visits": "75", "satisfaction": "7.5", "mutuality": "-1.5", "tier_disagreements": "6"},
    {"plan_coverage": "85", "plan_agreed": "65", "commitments_ours": "90", "commitments_client": "75",
     "sponsor_visits": "80", "satisfaction": "7.5", "mutuality": "-1", "tier_disagreements": "4"},
    {"plan_coverage": "90", "plan_agreed": "70", "commitments_ours": "90", "commitments_client": "80",
     "sponsor_visits": "85", "satisfaction": "8", "mutuality": "-1", "tier_disagreements": "3"},
]
CHANGES = [
    ["Cada cuenta clave tendrá un patrocinador ejecutivo con visita trimestral.",
     "Los planes se acordarán con el cliente antes de la revisión trimestral."],
    ["Plan de recuperación de margen para las cuentas clave que pierden dinero.",
     "Revisión mensual de los compromisos del cliente con su responsable de compras."],
]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def seed(ctx) -> None:
    leads = ctx.by_role(LEAD)
    if not leads or not Account.objects.filter(tier=Tier.KEY).exists():
        return  # no demo programme to review
    lead = leads[0]
    current_start, _end = period_containing(ctx.today, 3)
    periods: list = []
    start = current_start
    for _i in range(2):
        start, end = period_containing(start - datetime.timedelta(days=1), 3)
        periods.insert(0, (start, end))
    with transaction.atomic():
        for i, (start, end) in enumerate(periods):
            _closed_review(lead, start, end, TARGETS[i], CHANGES[i], i)
        _current_draft(lead, current_start)


def _closed_review(lead, start, end, targets, changes, index) -> None:
    if ProgrammeReview.objects.filter(period_start=start).exists():
        return
    held = end + datetime.timedelta(days=10)
    actuals = kpis.compute_all(kpis.ReviewPeriod(start, end))
    review = ProgrammeReview.objects.create(
        period_start=start, period_end=end, status=ReviewStatus.CLOSED, held_on=held,
        targets={**targets, "key_accounts": str(lead_cap())},
        actuals={code: a.frozen() for code, a in actuals.items()}, created_by=lead, closed_by=lead,
        closed_at=_at(held), notes="Revisión trimestral del programa con el comité de dirección.")
    ReviewChange.objects.bulk_create(ReviewChange(review=review, text=t, created_by=lead) for t in changes)
    if index == 0:
        _accepted_promotion(review, lead, start, end)
    else:
        _kept_for_a_quarter(review, lead)


def lead_cap() -> int:
    return account_selectors.programme_size()["cap"]


def _accepted_promotion(review, lead, start, end) -> None:
    """The quarter's real promotion to key, recorded as the review's accepted proposal."""
    linked = ReviewProposal.objects.filter(tier_decision__isnull=False).values("tier_decision")
    decision = (TierDecision.objects.filter(to_tier=Tier.KEY, decided_at__lte=_at(end + datetime.timedelta(days=30)))
                .exclude(pk__in=linked).select_related("account").order_by("-decided_at", "-pk").first())
    if decision is None:
        return
    ReviewProposal.objects.create(
        review=review, account=decision.account, direction=Direction.ENTER, to_tier=Tier.KEY,
        reason="Clase A, cuadrante estratégico y el cliente dispuesto a un plan conjunto.",
        evidence={**decision.evidence, "tier": decision.from_tier, "mismatch": "strategic_not_key"},
        decision=Decision.ACCEPTED, decision_note="Se admite dentro del tope.", decided_by=lead,
        decided_at=decision.decided_at, tier_decision=decision, proposed_by=lead)


def _kept_for_a_quarter(review, lead) -> None:
    """A key account whose evidence disagrees with its tier, kept one more quarter (rejected exit)."""
    account = (account_selectors.tier_mismatches(Account.objects.all()).filter(tier=Tier.KEY)
               .exclude(pk__in=ReviewProposal.objects.values("account")).first())
    if account is None:
        return
    ReviewProposal.objects.create(
        review=review, account=account, direction=Direction.LEAVE, to_tier=Tier.DEVELOPMENT,
        reason="Su evidencia no concuerda con el nivel de cuenta clave.", evidence=proposal_evidence(account),
        decision=Decision.REJECTED, decided_by=lead, decided_at=_at(review.held_on), proposed_by=lead,
        decision_note="Se mantiene un trimestre más con un plan de recuperación de margen; se revisará en la "
                      "próxima revisión.")


def _current_draft(lead, start) -> None:
    if ProgrammeReview.objects.filter(period_start=start).exists():
        return
    review = services.review_create(actor=lead, period_start=start)
    services.review_update(actor=lead, review=review, expected_version=review.version,
                           data={"targets": {**TARGETS[2], "key_accounts": str(lead_cap())}})
    candidate = (account_selectors.tier_mismatches(Account.objects.all()).exclude(tier=Tier.KEY)
                 .exclude(pk__in=ReviewProposal.objects.values("account")).first())
    if candidate is not None:
        services.proposal_create(actor=lead, review=review, account=candidate, to_tier=Tier.KEY,
                                 reason="Cuadrante estratégico fuera del programa: proponemos admitirla.")
