"""Reads of the programme review: the periods, each review's KPIs against its targets (live while open,
frozen once closed), the candidates for a proposal and the comparison across periods."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Account, Quadrant, RelationshipStage, Tier
from kam import datastamps
from metrics.selectors import add_months

from . import kpis
from .models import ProgrammeReview, ReviewChange, ReviewProposal, ReviewSettings

COMPARED_REVIEWS = 8
CANDIDATES_SHOWN = 50


def period_containing(day: datetime.date, cadence_months: int) -> tuple[datetime.date, datetime.date]:
    """The review period holding `day`: periods of `cadence_months` months counted from January (a
    quarter: Jan–Mar, Apr–Jun, ...)."""
    month0 = (day.month - 1) // cadence_months * cadence_months
    start = datetime.date(day.year, month0 + 1, 1)
    return start, add_months(start, cadence_months) - datetime.timedelta(days=1)


def next_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The period a new review is for: the current one, or the one after the latest review if that is
    already reviewed."""
    today = today or timezone.localdate()
    cadence = ReviewSettings.current().cadence_months
    start, end = period_containing(today, cadence)
    latest = ProgrammeReview.objects.order_by("-period_start").values_list("period_end", flat=True).first()
    if latest is not None and latest >= start:
        start, end = period_containing(latest + datetime.timedelta(days=1), cadence)
    return start, end


def reviews() -> QuerySet[ProgrammeReview]:
    return ProgrammeReview.objects.select_related("created_by", "closed_by").order_by("-period_start", "-pk")


def review_get(pk) -> ProgrammeReview:
    """Every review is the whole programme's: who may read one may read all (the views' role rule)."""
    return get_object_or_404(reviews(), pk=pk)


def proposal_get(pk) -> ReviewProposal:
    return get_object_or_404(ReviewProposal.objects.select_related("review", "account", "account__kam",
                                                                   "account__sponsor"), pk=pk)


def review_actuals(review: ProgrammeReview) -> dict[str, kpis.Actual]:
    """Frozen figures for a closed review; live ones otherwise, cached until a table they read changes
    (kam.datastamps) and for the day (the period's split between key and the rest uses today)."""
    if review.is_closed:
        return {code: kpis.Actual.thawed(review.actuals.get(code)) for code in kpis.KPIS}
    frozen = datastamps.cached(
        "programme-review-actuals",
        lambda: {code: a.frozen() for code, a in kpis.compute_all(kpis.ReviewPeriod(review.period_start,
                                                                                   review.period_end)).items()},
        vary=(review.period_start, review.period_end, timezone.localdate(), tuple(kpis.KPIS)))
    return {code: kpis.Actual.thawed(frozen.get(code)) for code in kpis.KPIS}


def target_of(review: ProgrammeReview, code: str) -> Decimal | None:
    raw = (review.targets or {}).get(code)
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def kpi_rows(review: ProgrammeReview) -> list[dict]:
    """One row per registered KPI: the KPI, the key accounts' actual, the rest's, the reference, the
    target and whether it is met."""
    actuals = review_actuals(review)
    rows = []
    for kpi in kpis.kpis():
        actual = actuals.get(kpi.code, kpis.Actual(None))
        target = target_of(review, kpi.code)
        rows.append({"kpi": kpi, "actual": actual, "target": target, "met": kpi.met(actual.value, target)})
    return rows


def review_detail(review: ProgrammeReview) -> dict:
    proposals = list(ReviewProposal.objects.filter(review=review)
                     .select_related("account", "decided_by", "proposed_by", "tier_decision"))
    changes = list(ReviewChange.objects.filter(review=review).select_related("created_by"))
    return {"review": review, "rows": kpi_rows(review), "proposals": proposals, "changes": changes,
            "size": account_selectors.programme_size()}


def evidence_rows(evidence: dict) -> list[tuple[str, str]]:
    """The frozen evidence of a proposal as (label, value) pairs, in the tier page's terms."""
    def label(choices, code):
        try:
            return str(choices(code).label) if code else "—"
        except ValueError:
            return code

    mismatch = evidence.get("mismatch")
    return [
        (_("Tier"), label(Tier, evidence.get("tier"))),
        (_("Attractiveness"), evidence.get("attractiveness") or "—"),
        (_("Relative strength"), evidence.get("strength") or "—"),
        (_("Quadrant"), label(Quadrant, evidence.get("quadrant"))),
        (_("Pareto class"), evidence.get("pareto_class") or "—"),
        (_("12-month revenue"), evidence.get("revenue_12m") or "—"),
        (_("Relationship stage"), label(RelationshipStage, evidence.get("relationship_stage"))),
        (_("Health"), "—" if evidence.get("health_score") is None else str(evidence["health_score"])),
        (_("Disagrees with the tier"), str(account_selectors.MISMATCH_LABELS.get(mismatch, "—")) if mismatch else "—"),
    ]


def proposal_evidence(account: Account) -> dict:
    """The accounts app's tier evidence, with the tier and the first disagreement rule that applies."""
    mismatch = (account_selectors.tier_mismatches(Account.objects.filter(pk=account.pk))
                .values_list("mismatch", flat=True).first())
    return {**account_selectors.tier_evidence(account), "tier": account.tier, "mismatch": mismatch or ""}


def proposal_candidates() -> QuerySet[Account]:
    """Accounts a review may propose: those whose evidence disagrees with their tier first (the
    accounts app's rule), then every key and development account."""
    return (Account.objects.filter(archived_at__isnull=True, tier__in=(Tier.KEY, Tier.DEVELOPMENT))
            | account_selectors.tier_mismatches(Account.objects.all()).order_by()).distinct().order_by("name", "pk")


def disagreements() -> list[Account]:
    return list(account_selectors.tier_mismatches()[:CANDIDATES_SHOWN])


def comparison(limit: int = COMPARED_REVIEWS) -> dict:
    """The latest `limit` reviews oldest first, and per KPI each one's actual and target side by side."""
    shown = list(reversed(list(reviews()[:limit])))
    per_review = {r.pk: {row["kpi"].code: row for row in kpi_rows(r)} for r in shown}
    rows = [{"kpi": kpi, "cells": [per_review[r.pk][kpi.code] for r in shown]} for kpi in kpis.kpis()]
    return {"reviews": shown, "rows": rows}


def latest_review() -> ProgrammeReview | None:
    return reviews().first()


def programme_size() -> dict:
    return account_selectors.programme_size()
