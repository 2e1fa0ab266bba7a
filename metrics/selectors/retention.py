"""Observed retention: the counts the recompute estimates it from, and the latest estimates shown."""

import datetime

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import Industry, Tier

from ..models import RecomputeRun, RetentionEstimate

# Per account, its revenue in the year before last and in the last year; then, per tier and industry,
# how many bought in the first and how many of those bought again. One pass over two years of monthly
# rows (the same rows the recompute's own aggregate reads, so they are in the cache).
# Archived accounts count: a customer archived after it stopped buying is a customer lost, and leaving
# it out would flatter the rate.
RETENTION_COUNTS_SQL = """
WITH bought AS (
    SELECT f.account_id,
           SUM(CASE WHEN f.month < %s THEN f.revenue ELSE 0 END) AS before,
           SUM(CASE WHEN f.month >= %s THEN f.revenue ELSE 0 END) AS since
    FROM accounts_financialrecord f
    WHERE f.month >= %s AND f.month < %s
    GROUP BY f.account_id
)
SELECT a.tier, a.industry, COUNT(*), SUM(CASE WHEN b.since > 0 THEN 1 ELSE 0 END)
FROM bought b JOIN accounts_account a ON a.id = b.account_id
WHERE b.before > 0
GROUP BY a.tier, a.industry
"""


def retention_counts(*, start_24: datetime.date, start_12: datetime.date,
                     month0: datetime.date) -> list[tuple[str, str, int, int]]:
    """(tier, industry, accounts with revenue in [start_24, start_12), of them with revenue in
    [start_12, month0)), one row per pair: one aggregate query whatever the number of accounts."""
    with connection.cursor() as cursor:
        cursor.execute(RETENTION_COUNTS_SQL, [start_12, start_12, start_24, month0])
        return [(tier, industry, int(sample), int(retained or 0)) for tier, industry, sample, retained in cursor]


def retention_latest() -> dict:
    """The estimates of the latest recompute that made them: {"run": run or None, "rows": [...]}, each
    row {segment, label, sample, retained, rate, used}, overall first, then by tier and by industry.
    Two queries."""
    run = (RecomputeRun.objects.exclude(status=RecomputeRun.Status.FAILED)
           .filter(Exists(RetentionEstimate.objects.filter(run=OuterRef("pk"))))
           .order_by("-finished_at", "-pk").first())
    estimates = list(run.retention_estimates.all()) if run else []
    order: dict[str, int] = {RetentionEstimate.Segment.OVERALL: 0, RetentionEstimate.Segment.TIER: 1,
                             RetentionEstimate.Segment.INDUSTRY: 2}
    estimates.sort(key=lambda e: (order.get(e.segment, 3), e.value))
    labels: dict[str, dict] = {RetentionEstimate.Segment.TIER: dict(Tier.choices),
                               RetentionEstimate.Segment.INDUSTRY: dict(Industry.choices)}
    rows = [{"segment": e.get_segment_display(), "label": labels.get(e.segment, {}).get(e.value, e.value),
             "sample": e.sample, "retained": e.retained, "rate": e.rate, "used": e.used} for e in estimates]
    return {"run": run, "rows": rows}
