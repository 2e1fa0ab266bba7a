"""The Bootstrap colour ("tone") of every status a page shows as a badge: one map per kind of status, so
that a status has the same colour on every page. Templates use `{{ value|tone:"kind" }}` (kam_tags), which
gives the badge's classes; Python uses `badge_class`."""

TONES: dict[str, dict[str, str]] = {
    "tier": {"key": "primary", "development": "info", "standard": "secondary"},
    "quadrant": {"strategic": "success", "star": "warning", "status": "info", "streamline": "secondary"},
    "health": {"good": "success", "watch": "warning", "poor": "danger"},
    "severity": {"critical": "danger", "high": "warning"},
    "sla": {"met": "success", "running": "secondary", "overdue": "danger", "breached": "warning",
            "due_soon": "warning"},
    "commitment": {"done": "success", "at_risk": "warning", "missed": "danger"},
    "plan": {"agreed": "success", "committed": "primary", "in_review": "warning", "closed": "secondary"},
    "import": {"done": "success", "failed": "danger", "running": "primary", "queued": "info",
               "previewed": "warning", "uploaded": "light border"},
    "charter": {"met": "success", "missed": "danger"},
    "activity": {"incident_breached": "danger", "incident_opened": "warning", "sponsor_visit": "info"},
    "capacity": {"over": "danger", "at": "warning", "under": "success"},
    "course": {"done": "success", "overdue": "danger", "due_soon": "warning"},
    "agreement": {"negotiation": "info", "signed": "primary", "active": "success", "expiring": "warning",
                  "renewed": "light border", "ended": "secondary"},
}
# Each tier's colour on the charts that draw accounts (the portfolio matrix on its page and on the
# programme dashboard): the badge tones' colours, translucent so that overlapping bubbles show.
TIER_CHART_COLOURS = {"key": "rgba(13,110,253,0.6)", "development": "rgba(13,202,240,0.6)",
                      "standard": "rgba(108,117,125,0.5)"}
# What a value without a tone of its own looks like, per kind (the rest: "secondary").
FALLBACK = {"tier": "light", "quadrant": "light", "severity": "light border", "plan": "light border"}


def tone(kind: str, value) -> str:
    """The tone of `value` among `kind`'s statuses ("success", "warning", ..., "light border")."""
    return TONES[kind].get(str(value), FALLBACK.get(kind, "secondary"))


def badge_class(kind: str, value) -> str:
    """The classes of a badge showing `value`: "text-bg-<tone>" (plus "border" on light ones)."""
    return "text-bg-" + tone(kind, value)
