"""The programme's metrics as plain functions: no database, no Django, so each can be checked by hand.

Money is `Decimal` throughout (rounded to cents only where stored); rates are `Decimal` fractions.
Every function names its source; the services feed them already-aggregated figures.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from touchpoints.formulas import mutuality_gap

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def contribution(revenue, cost_of_goods, cost_to_serve) -> Decimal:
    """Customer contribution = revenue − cost of goods − cost to serve.

    Source: activity-based customer profitability (Kaplan & Cooper, *Cost & Effect*, 1998; Kaplan &
    Narayanan, "Measuring and managing customer profitability", 2001). May be negative: an account
    that costs more to serve than it earns is exactly what the measure must reveal.
    """
    return Decimal(revenue) - Decimal(cost_of_goods) - Decimal(cost_to_serve)


def cost_to_serve(recorded, incident_costs, touchpoint_costs) -> Decimal:
    """Complete cost to serve: what finance recorded (logistics, credit, admin) plus the costs the
    platform itself sees — service incidents and touchpoints (visits, travel, events).
    Source: Kaplan & Narayanan 2001 (cost-to-serve drivers)."""
    return Decimal(recorded) + Decimal(incident_costs) + Decimal(touchpoint_costs)


def trailing_sum(monthly: dict, months: Sequence) -> Decimal:
    """Trailing total of a monthly series over `months` (e.g. the 12 complete months before today);
    a month with no record counts as zero. Source: standard trailing-twelve-months (TTM) reporting."""
    return sum((Decimal(monthly.get(m, ZERO)) for m in months), ZERO)


def yoy_growth(current, previous) -> Decimal | None:
    """Year-on-year growth (current − previous) / previous, as a fraction.

    None when the previous period had no positive revenue: growth from nothing is undefined, and a
    ratio against a negative base would flip its sign.
    """
    previous = Decimal(previous)
    if previous <= 0:
        return None
    return (Decimal(current) - previous) / previous


def validate_clv_rates(retention, discount) -> None:
    """r and d must keep the geometric series convergent: 0 ≤ r < 1 + d and d > −1.

    Raises ValueError otherwise (the settings form refuses such values before they reach here)."""
    r, d = Decimal(retention), Decimal(discount)
    if d <= -1:
        raise ValueError("discount rate must be greater than -1")
    if r < 0 or r >= 1 + d:
        raise ValueError("retention must satisfy 0 <= r < 1 + d")


def clv(margin, retention, discount) -> Decimal:
    """Customer lifetime value, infinite horizon, current period excluded:

        CLV = m · r / (1 + d − r)

    m = yearly margin (trailing-12-month contribution), r = yearly retention, d = yearly discount
    rate. Source: Gupta & Lehmann, "Customers as assets", J. Interactive Marketing 17(1), 2003;
    Gupta, Lehmann & Stuart, "Valuing customers", J. Marketing Research 41(1), 2004; Gupta &
    Lehmann, *Managing Customers as Investments*, 2005. It is the limit of `clv_finite` as H → ∞.

    A negative margin gives a negative CLV on purpose: the account is expected to destroy value.
    """
    validate_clv_rates(retention, discount)
    m, r, d = Decimal(margin), Decimal(retention), Decimal(discount)
    return m * r / (ONE + d - r)


def clv_finite(margin, retention, discount, horizon: int) -> Decimal:
    """Finite-horizon CLV = Σₜ₌₁..H m · rᵗ / (1 + d)ᵗ (same source as `clv`); converges to `clv`
    as H grows because r / (1 + d) < 1."""
    validate_clv_rates(retention, discount)
    m, r, d = Decimal(margin), Decimal(retention), Decimal(discount)
    ratio = r / (ONE + d)
    total, term = ZERO, ONE
    for _ in range(horizon):
        term *= ratio
        total += term
    return m * total


def retention_for_health(health, at_0, at_100) -> Decimal:
    """Risk-adjusted retention: r moves linearly with the health score between two bounds,
    r(h) = r₀ + (r₁₀₀ − r₀) · h / 100. After Ryals & Knox, "Measuring and managing customer
    relationship risk in business markets", Industrial Marketing Management 36(6), 2007: relationship
    risk lowers the expected retention and so the value of the account.

    Health is clamped to 0–100. Without a health score (None) there is no evidence to adjust by, so
    the caller uses the programme's base retention instead.
    """
    h = min(max(Decimal(health), ZERO), HUNDRED)
    lo, hi = Decimal(at_0), Decimal(at_100)
    return lo + (hi - lo) * h / HUNDRED


def clv_risk_adjusted(margin, health, discount, at_0, at_100, base_retention) -> tuple[Decimal, Decimal]:
    """Risk-adjusted CLV (Gupta & Lehmann's formula with Ryals & Knox's health-dependent r).

    Returns (clv, r used). With no health score, r is the programme's base retention."""
    r = Decimal(base_retention) if health is None else retention_for_health(health, at_0, at_100)
    return clv(margin, r, discount), r


@dataclass(frozen=True)
class Component:
    key: str
    score: int | None  # 0–100, None = no data
    weight: Decimal


def health(components: Iterable[Component]) -> int | None:
    """Health 0–100 = Σ wᵢ · sᵢ / Σ wᵢ over the components that have data.

    A component without data (no plan yet, no feedback ever received...) is left out and the
    remaining weights renormalised, rather than counted as 0 (which would punish accounts for what
    was never measured) or 100 (which would flatter them). None when no component has data or the
    weights of those that do sum to zero. Weighted-scorecard approach as in customer health scoring
    (e.g. Ryals 2005, *Making Customer Relationship Management Work*, on explainable risk indicators).
    """
    num, den = ZERO, ZERO
    for c in components:
        if c.score is None:
            continue
        w = Decimal(c.weight)
        num += w * Decimal(c.score)
        den += w
    if den <= 0:
        return None
    return int((num / den).quantize(ONE, rounding=ROUND_HALF_UP))


def clamp_score(value) -> int:
    return int(min(max(Decimal(value), ZERO), HUNDRED).quantize(ONE, rounding=ROUND_HALF_UP))


# --- Health components (each 0–100; None = no data) -------------------------------------------------
ENGAGEMENT_TOUCHPOINTS_TARGET = 12  # about one a week over 90 days
ENGAGEMENT_DEPARTMENTS_TARGET = 4  # the whole organisation, not only sales


def engagement_score(touchpoints_90d: int, departments_90d: int) -> int:
    """Engagement: 60 points for contact frequency (12+ touchpoints in 90 days = full marks) and
    40 for breadth (4+ of our departments in contact). KAM is a whole-organisation relationship
    (McDonald, Millman & Rogers 1997: the 'diamond' rather than the 'bow-tie'), so breadth counts.
    No touchpoints is a real measurement (0), not missing data."""
    freq = min(Decimal(touchpoints_90d) / ENGAGEMENT_TOUCHPOINTS_TARGET, ONE)
    breadth = min(Decimal(departments_90d) / ENGAGEMENT_DEPARTMENTS_TARGET, ONE)
    return clamp_score(60 * freq + 40 * breadth)


def service_score(open_incidents: int, breaches_90d: int, breaches_91_180d: int) -> int:
    """Service: 100 minus 10 per open incident, 15 per SLA breach in the last 90 days and 5 per breach
    91–180 days ago (older failures weigh less), floored at 0. One bad experience harms the
    relationship, so breaches weigh more than incidents being worked."""
    return clamp_score(HUNDRED - 10 * open_incidents - 15 * breaches_90d - 5 * breaches_91_180d)


PLAN_STATUS_POINTS = {"agreed": 100, "committed": 60, "in_review": 30, "draft": 15}


def plan_score(status: str | None, completeness, commitments_due: int, commitments_kept: int,
               is_key: bool) -> int | None:
    """Plan: 40 % the current plan's status (agreed by the client = 100; a plan the client has not
    agreed is 'internal consumption'), 30 % its CVC completeness (0–100), 30 % the share of
    commitments due in the last year delivered on time. With no commitments due yet the other two
    parts are renormalised. No current plan: 0 for a key account (it should have one), no data for
    others."""
    if status is None:
        return 0 if is_key else None
    parts = [(Decimal("0.4"), Decimal(PLAN_STATUS_POINTS.get(status, 0))),
             (Decimal("0.3"), Decimal(completeness or 0))]
    if commitments_due:
        parts.append((Decimal("0.3"), HUNDRED * commitments_kept / commitments_due))
    total_w = sum(w for w, _ in parts)
    return clamp_score(sum(w * s for w, s in parts) / total_w)


def sponsor_score(has_sponsor: bool, days_since_visit: int | None, cadence_days: int) -> int | None:
    """Sponsor: 100 when the sponsor visited within the cadence, falling linearly to 0 at twice the
    cadence; 0 when a sponsor was named but never visited; no data when the account has no sponsor."""
    if not has_sponsor:
        return None
    if days_since_visit is None:
        return 0
    cadence = max(int(cadence_days), 1)
    if days_since_visit <= cadence:
        return 100
    return clamp_score(HUNDRED * (2 * cadence - days_since_visit) / cadence)


def satisfaction_score(feedback_score, our_rating) -> int | None:
    """Satisfaction: the client's latest score (0–10) × 10, minus 5 points per point of the mutuality
    gap, |our rating − theirs| (`touchpoints.formulas.mutuality_gap`; Ryals & McDonald, *Key Account
    Plans*, 2008: a relationship we rate higher than the client does is at risk; one the client rates
    higher is under-served). The client's latest score is their latest `ClientFeedback`, whether
    recorded by our people or answered by the client in the survey (each answer is one). No feedback:
    no data. E.g. client 6, us 9: 60 − 5 × 3 = 45."""
    if feedback_score is None:
        return None
    score = Decimal(feedback_score) * 10
    gap = mutuality_gap(feedback_score, our_rating)
    if gap is not None:
        score -= 5 * abs(gap)
    return clamp_score(score)


# --- Health: what counts as measured, the commercial trajectory, the plan's grace period ---------------
COMMERCIAL_RECENCY_FREE_MONTHS = 3  # a quarter without an order is ordinary purchasing rhythm
COMMERCIAL_RECENCY_PENALTY = 10  # points per month beyond that: a year without orders reaches 0


def trend_points(current, previous) -> Decimal:
    """One 12-month figure against the previous 12, on 0–100: 50 + 100 · (current − previous) ÷
    |previous|, clamped (flat = 50, −50 % or worse = 0, +50 % or better = 100). Dividing by |previous|
    keeps the sign right for a loss that shrinks (−100 → −50 is an improvement). With a previous figure
    of zero: 100 when the current one is positive, 50 when it is zero, 0 when negative."""
    cur, prev = Decimal(current), Decimal(previous)
    if prev == 0:
        return HUNDRED if cur > 0 else Decimal(50) if cur == 0 else ZERO
    return min(max(50 + HUNDRED * (cur - prev) / abs(prev), ZERO), HUNDRED)


def commercial_score(revenue_12m, revenue_prev_12m, contribution_12m, contribution_prev_12m,
                     months_since_purchase: int | None, has_financials: bool) -> int | None:
    """Commercial trajectory, 0–100: half the revenue trend, half the contribution trend (each
    `trend_points`, 12 complete months against the previous 12), minus 10 points per month since the
    last month with revenue beyond the first three; never bought at all = 0. Not measured (None) without
    any monthly financial record in the 24 months: nothing is known of the account's trade.

    Source: programme rule after the recency and monetary-trend indicators of customer-base analysis
    (Hughes, *Strategic Database Marketing*, 1994, RFM; Fader, Hardie & Lee, "RFM and CLV", J. Marketing
    Research 42(4), 2005: recency is the strongest single sign that a customer is still alive); growth
    as in `yoy_growth`, contribution as in `contribution`.
    """
    if not has_financials:
        return None
    if months_since_purchase is None:
        return 0
    base = (trend_points(revenue_12m, revenue_prev_12m) + trend_points(contribution_12m, contribution_prev_12m)) / 2
    late = max(int(months_since_purchase) - COMMERCIAL_RECENCY_FREE_MONTHS, 0)
    return clamp_score(base - COMMERCIAL_RECENCY_PENALTY * late)


def months_between(earlier, later) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s month (same month = 0)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


SERVICE_WINDOW_DAYS = 180  # the oldest breaches `service_score` counts


def engagement_measured(touchpoints_90d: int, departments_90d: int, *, has_plan: bool,
                        touchpoints_ever: bool) -> int | None:
    """Engagement (`engagement_score`) where it is a measurement: once any touchpoint has been recorded
    for the account or it has a plan (its team works it on the platform). Then no touchpoints in 90
    days is a real 0. Before that nobody has recorded contact with it here at all (an imported customer,
    even one already given a KAM), and a 0 would score what was never recorded (programme rule)."""
    if not (has_plan or touchpoints_ever):
        return None
    return engagement_score(touchpoints_90d, departments_90d)


def service_measured(open_incidents: int, breaches_90d: int, breaches_91_180d: int, *, incidents_ever: bool,
                     recorded_over_window: bool) -> int | None:
    """Service (`service_score`) where it is a measurement: once any incident has been recorded for the
    account, or its relationship has been recorded on the platform (a touchpoint) for at least the
    SERVICE_WINDOW_DAYS the score looks back over, so an incident in that window would have been
    recorded too. Otherwise "no incidents" only means nobody records them, and a 100 would flatter every
    imported customer (programme rule)."""
    if not (incidents_ever or recorded_over_window):
        return None
    return service_score(open_incidents, breaches_90d, breaches_91_180d)


def plan_in_grace(is_key: bool, days_as_key: int | None, grace_days: int) -> bool:
    """A key account promoted fewer than `grace_days` ago is not yet expected to have an agreed plan
    (agreeing one with the client takes weeks). `days_as_key` None = no promotion on record: no grace."""
    return is_key and days_as_key is not None and days_as_key < int(grace_days)


def plan_score_with_grace(status: str | None, completeness, commitments_due: int, commitments_kept: int,
                          is_key: bool, *, next_status: str | None = None, next_completeness=None,
                          days_as_key: int | None = None, grace_days: int = 0) -> int | None:
    """The plan component (`plan_score`) with two programme rules:

    - a plan the client agreed for the next period counts as agreed: it is scored instead of the
      current plan when the current one is missing or not agreed (a plan agreed in November for the
      year ahead is planning ahead, not a missing plan);
    - during the grace period after promotion to key (`plan_in_grace`), a plan not yet agreed is not
      measured (None) rather than scored against the account; an agreed plan counts as ever.
    """
    if next_status == "agreed" and status != "agreed":
        status, completeness = next_status, next_completeness
    if status != "agreed" and plan_in_grace(is_key, days_as_key, grace_days):
        return None
    return plan_score(status, completeness, commitments_due, commitments_kept, is_key)


def health_from(scores: dict, weights: dict) -> int | None:
    """`health` over named scores and weights (the same keys): what the panel recomputes from a
    snapshot's recorded weights, so the health shown is reproducible from what is shown beside it."""
    return health(Component(k, scores.get(k), Decimal(weights.get(k) or 0)) for k in weights)


def clv_health_effect(clv_base, clv_adjusted) -> tuple[Decimal, Decimal | None]:
    """How much the account's health moves its lifetime value: (adjusted − base, that difference as a
    fraction of |base|, None when base is 0). Positive: the health evidence raises the expected
    retention above the programme's base and so the value (Ryals & Knox 2007); negative: it lowers it."""
    delta = Decimal(clv_adjusted) - Decimal(clv_base)
    base = Decimal(clv_base)
    return delta, (None if base == 0 else delta / abs(base))


def whale_curve(contributions: Iterable) -> list[tuple[Decimal, Decimal]]:
    """Cumulative contribution of accounts ranked from most to least profitable, as points
    (% of accounts, % of total contribution). Source: Kaplan & Cooper 1998 ("whale curve": the most
    profitable accounts often earn 150–300 % of the total, the unprofitable tail gives it back).

    Normalised by the total contribution when positive; when the total is zero or negative, by the
    sum of the positive contributions (so the curve still reads). Empty when nothing is positive.
    """
    values = sorted((Decimal(c) for c in contributions), reverse=True)
    if not values:
        return []
    total = sum(values, ZERO)
    base = total if total > 0 else sum((v for v in values if v > 0), ZERO)
    return _cumulative_shares(values, base)


def pareto_curve(revenues: Iterable) -> list[tuple[Decimal, Decimal]]:
    """Cumulative revenue share of accounts ranked by revenue (Lorenz / Pareto 80-20 curve), as
    (% of accounts, % of revenue). Empty when total revenue is not positive."""
    values = sorted((max(Decimal(v), ZERO) for v in revenues), reverse=True)
    total = sum(values, ZERO)
    return _cumulative_shares(values, total)


def _cumulative_shares(ranked: list[Decimal], base: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(% of accounts, % of `base`) after each account of `ranked`, in order; empty unless `base` > 0."""
    if not ranked or base <= 0:
        return []
    points, running = [], ZERO
    for i, v in enumerate(ranked, start=1):
        running += v
        points.append((HUNDRED * i / len(ranked), HUNDRED * running / base))
    return points


def downsample(points: list, limit: int = 200) -> list:
    """At most `limit` evenly spaced points, always keeping the last (charts of 2,000 accounts)."""
    if len(points) <= limit:
        return points
    step = len(points) / limit
    picked = [points[int(i * step)] for i in range(limit)]
    if picked[-1] is not points[-1]:
        picked.append(points[-1])
    return picked
