"""Observed retention: the latest estimates, as the programme dashboard shows them."""

from django.db.models import Exists, OuterRef

from accounts.models import Industry, Tier

from ..models import RecomputeRun, RetentionEstimate


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
