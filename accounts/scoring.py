"""Key-account selection arithmetic, as pure functions (no database) so that each rule can be checked
against hand-computed examples.

The method (directional-policy / portfolio matrix, as used in KAM practice after McDonald & Rogers):

1. Each criterion is scored on its own scale, 1 (worst) to `scale_max` (best), by each assessor, looking
   three years ahead. A score is normalised to 0–100: ``(score - 1) / (scale_max - 1) * 100``, so the
   bottom of any scale is 0 and the top is 100 whatever the scale's length.
2. Several assessors: only each assessor's *latest* assessment counts. Per criterion, the normalised
   scores of those assessors who scored it are averaged (an assessor who skipped a criterion does not
   pull it down to zero).
3. An axis score (attractiveness, or our relative strength) is the weighted mean of its criteria's
   averaged scores: ``sum(w_i * s_i) / sum(w_i)`` over the criteria that have a score and a weight
   above 0. A weight of 0 removes a criterion from the result without deleting its scores. With no
   scored, weighted criterion the axis has no score (``None``), which is different from a score of 0.
   Because the mean is linear, averaging per criterion and then weighting equals weighting each
   assessor and then averaging, whenever every assessor scored every criterion.
4. The spread between assessors is ``max - min`` of the assessors' own axis scores: a large spread
   means management does not agree about the account and should talk before deciding its tier.
5. Quadrant, from the programme's thresholds (default 50/50): attractiveness at or above its
   threshold is "high", and strength likewise:
   Strategic (high, high), Star (high attractiveness, low strength), Status (low, high),
   Streamline (low, low). An account without both scores has no quadrant.
"""

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")

STRATEGIC, STAR, STATUS, STREAMLINE = "strategic", "star", "status", "streamline"


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    axis: str
    weight: Decimal
    scale_max: int


def normalise(score: int | Decimal, scale_max: int) -> Decimal:
    """A score on a 1..scale_max scale as 0–100 (values outside the scale are clamped)."""
    if scale_max < 2:
        raise ValueError("a scale needs at least two points")
    score = min(max(Decimal(score), Decimal(1)), Decimal(scale_max))
    return (score - 1) / Decimal(scale_max - 1) * HUNDRED


def average_scores(assessments: Iterable[Mapping[int, int]], criteria: Mapping[int, CriterionSpec]) -> dict:
    """Per criterion, the mean normalised score over the assessments that scored it."""
    sums: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    for scores in assessments:
        for criterion_id, score in scores.items():
            spec = criteria.get(criterion_id)
            if spec is None or score is None:
                continue
            sums[criterion_id] = sums.get(criterion_id, Decimal(0)) + normalise(score, spec.scale_max)
            counts[criterion_id] = counts.get(criterion_id, 0) + 1
    return {cid: sums[cid] / counts[cid] for cid in sums}


def axis_score(normalised: Mapping[int, Decimal], criteria: Mapping[int, CriterionSpec], axis: str) -> Decimal | None:
    """Weighted mean (0–100, two decimals) of one axis' criteria that have a score and a weight > 0."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for criterion_id, value in normalised.items():
        spec = criteria.get(criterion_id)
        if spec is None or spec.axis != axis or spec.weight <= 0:
            continue
        total_weight += spec.weight
        total += spec.weight * value
    if total_weight == 0:
        return None
    return (total / total_weight).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def assessment_scores(scores: Mapping[int, int], criteria: Mapping[int, CriterionSpec]) -> tuple:
    """(attractiveness, strength) of one assessor's assessment."""
    normalised = average_scores([scores], criteria)
    return axis_score(normalised, criteria, "attractiveness"), axis_score(normalised, criteria, "strength")


def combined_scores(latest_per_assessor: Iterable[Mapping[int, int]], criteria: Mapping[int, CriterionSpec]) -> tuple:
    """(attractiveness, strength) of an account from each assessor's latest scores."""
    normalised = average_scores(list(latest_per_assessor), criteria)
    return axis_score(normalised, criteria, "attractiveness"), axis_score(normalised, criteria, "strength")


def spread(values: Iterable[Decimal | None]) -> Decimal | None:
    """Disagreement between assessors on one axis: max - min of their scores (None below two scores)."""
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return None
    return max(present) - min(present)


def quadrant(attractiveness: Decimal | None, strength: Decimal | None, *, attractiveness_threshold: Decimal,
             strength_threshold: Decimal) -> str:
    """The portfolio quadrant, or "" when either score is missing. A score equal to its threshold
    counts as high."""
    if attractiveness is None or strength is None:
        return ""
    high_attr = attractiveness >= attractiveness_threshold
    high_str = strength >= strength_threshold
    if high_attr and high_str:
        return STRATEGIC
    if high_attr:
        return STAR
    if high_str:
        return STATUS
    return STREAMLINE


# Pareto (ABC) classes. The SQL in accounts.services.revenue_recompute applies this rule to the account
# rows in the database (a test compares both); the metrics recompute applies it to a snapshot's day.
PARETO_A_SHARE = Decimal("0.80")
PARETO_B_SHARE = Decimal("0.95")


def pareto_classes(revenues: Mapping[int, Decimal]) -> dict[int, str]:
    """ABC class per account from its 12-month revenue.

    Accounts are ranked by revenue, highest first. An account's class is decided by the share of total
    revenue made by the accounts strictly *above* it: below 80 % → A, below 95 % → B, else C. So the
    account that crosses the 80 % line is still A (the first 80 % of revenue needs it), and accounts
    with equal revenue (ties) always get the same class. Revenue of zero or less is always C, and when
    nobody has revenue every account is C. One sorted pass, a group of ties at a time.
    """
    positive = {k: max(Decimal(v), Decimal(0)) for k, v in revenues.items()}
    total = sum(positive.values(), Decimal(0))
    ranked = sorted(positive.items(), key=lambda kv: kv[1], reverse=True)
    result: dict[int, str] = {}
    above = Decimal(0)
    for revenue, group in itertools.groupby(ranked, key=lambda kv: kv[1]):
        ids = [account_id for account_id, _revenue in group]
        if revenue <= 0 or total <= 0:
            cls = "C"
        elif above < PARETO_A_SHARE * total:
            cls = "A"
        elif above < PARETO_B_SHARE * total:
            cls = "B"
        else:
            cls = "C"
        result.update(dict.fromkeys(ids, cls))
        above += revenue * len(ids)
    return result
