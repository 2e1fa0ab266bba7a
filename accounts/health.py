"""Health bands over an account's health score (0–100, written by the metrics recompute): one rule for the
account list's filter and the dashboards' badges."""

from django.db.models import Q

GOOD_FROM = 70
WATCH_FROM = 40


def health_band(score: int | None) -> str:
    """ "good" (GOOD_FROM and up), "watch" (WATCH_FROM and up), "poor", or "" without a score."""
    if score is None:
        return ""
    if score >= GOOD_FROM:
        return "good"
    if score >= WATCH_FROM:
        return "watch"
    return "poor"


def health_band_q(band: str, field: str = "health_score") -> Q | None:
    """The accounts in `band` ("good", "watch", "poor", "unknown") as a filter; None for any other."""
    return {
        "good": Q(**{f"{field}__gte": GOOD_FROM}),
        "watch": Q(**{f"{field}__gte": WATCH_FROM, f"{field}__lt": GOOD_FROM}),
        "poor": Q(**{f"{field}__lt": WATCH_FROM}),
        "unknown": Q(**{f"{field}__isnull": True}),
    }.get(band)
