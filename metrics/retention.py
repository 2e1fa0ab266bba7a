"""Yearly retention observed in the customer base, and which retention each account's CLV uses.

Plain functions, like `metrics.formulas`: the recompute feeds them each account's revenue of the two
years, from the aggregate it already makes of the financials (one pass over two years of monthly rows).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

OVERALL, TIER, INDUSTRY = "overall", "tier", "industry"
# Where an account's CLV retention came from (AccountSnapshot.clv_retention_source).
SOURCE_INDUSTRY, SOURCE_TIER, SOURCE_OVERALL = INDUSTRY, TIER, OVERALL
SOURCE_FIXED = "fixed"  # the lead chose the programme's fixed rate
SOURCE_FALLBACK = "fallback"  # observed retention asked for, but no segment had a large enough sample
RATE_PLACES = Decimal("0.0001")


def retention_rate(retained: int, sample: int) -> Decimal | None:
    """Observed yearly retention r = retained / sample, to four decimals (half up), where `sample` is the
    number of accounts with revenue > 0 in the previous 12 complete months (months −24 … −13) and
    `retained` how many of them also have revenue > 0 in the last 12 complete months (−12 … −1).

    This is the period-on-period retention rate of a cohort, r = customers of period t still active in
    period t + 1 ÷ customers active in period t: the "retention rate" r of Gupta & Lehmann, "Customers as
    assets", J. Interactive Marketing 17(1), 2003 (and Gupta, Lehmann & Stuart 2004, who estimate it from
    the customers a firm keeps from one year to the next); Fader & Hardie, "How (not) to project customer
    retention", J. Interactive Marketing 21(1), 2007, define the same ratio for a cohort. Buying is
    not a contract, so "still a customer" is read as "bought again within the next year" (the
    repeat-purchase form of the ratio, as in Berger & Nasr, "Customer lifetime value: marketing models
    and applications", J. Interactive Marketing 12(1), 1998). One pair of years, not a fitted curve: the
    rate the CLV formula m·r/(1 + d − r) takes as constant.

    The rate is rounded to four decimals because that is what is stored and shown, and the CLV is
    computed with the rate shown. None for an empty sample."""
    if sample <= 0:
        return None
    if not 0 <= retained <= sample:
        raise ValueError("retained must be between 0 and the sample")
    return (Decimal(retained) / Decimal(sample)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Estimate:
    segment: str  # OVERALL, TIER or INDUSTRY
    value: str  # the tier's or industry's code; "" overall
    sample: int
    retained: int

    @property
    def rate(self) -> Decimal | None:
        return retention_rate(self.retained, self.sample)


def counts_from_years(accounts: Iterable[tuple[str, str, Decimal | None, Decimal | None]]
                      ) -> list[tuple[str, str, int, int]]:
    """(tier, industry, sample, retained) per pair from each account's (tier, industry, revenue of the year
    before last, revenue of the last year): in the sample when the first is > 0, retained when the
    second is too (the definitions of `retention_rate`)."""
    counts: dict[tuple[str, str], list[int]] = {}
    for tier, industry, before, since in accounts:
        if before is None or before <= 0:
            continue
        pair = counts.setdefault((tier, industry), [0, 0])
        pair[0] += 1
        pair[1] += since is not None and since > 0
    return [(tier, industry, n, kept) for (tier, industry), (n, kept) in counts.items()]


def estimates_from_counts(counts: Iterable[tuple[str, str, int, int]]) -> list[Estimate]:
    """Overall, per-tier and per-industry estimates from (tier, industry, sample, retained) counts, one
    per pair of tier and industry. Segments without any account in the sample are left out."""
    sums: dict[tuple[str, str], list[int]] = {}
    for tier, industry, sample, retained in counts:
        for key in ((OVERALL, ""), (TIER, tier), (INDUSTRY, industry)):
            total = sums.setdefault(key, [0, 0])
            total[0] += int(sample)
            total[1] += int(retained)
    order = {OVERALL: 0, TIER: 1, INDUSTRY: 2}
    return [Estimate(segment, value, sample, retained)
            for (segment, value), (sample, retained) in sorted(sums.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
            if sample > 0]


@dataclass(frozen=True)
class RetentionChoice:
    rate: Decimal
    source: str  # SOURCE_*
    sample: int | None  # the observed sample behind the rate; None for the setting


def choose_retention(tier: str, industry: str, estimates: Mapping[tuple[str, str], Estimate], *,
                     observed: bool, min_sample: int, fixed_rate, discount) -> RetentionChoice:
    """The retention an account's CLV uses: the observed rate of the most specific segment whose sample
    reaches `min_sample` (its industry, else its tier, else the whole base), or the programme's fixed
    rate when the lead chose it (`observed` False) or no segment is large enough.

    An observed rate that the CLV formula cannot take (r ≥ 1 + d: everyone retained and no discount)
    is passed over like a small sample. Programme rule; the segments follow the issue's order, most
    specific first, because an industry's buying cycle is the closest peer group a B2B account has."""
    fixed = Decimal(fixed_rate)
    if not observed:
        return RetentionChoice(fixed, SOURCE_FIXED, None)
    limit = 1 + Decimal(discount)
    for key in ((INDUSTRY, industry), (TIER, tier), (OVERALL, "")):
        estimate = estimates.get(key)
        if estimate is None or estimate.sample < min_sample:
            continue
        rate = estimate.rate
        if rate is not None and rate < limit:
            return RetentionChoice(rate, key[0], estimate.sample)
    return RetentionChoice(fixed, SOURCE_FALLBACK, None)
