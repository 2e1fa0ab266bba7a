"""Reads for the dashboards and the account panel, by concern; every name is importable from here."""

from .account import account_metrics
from .brief import account_brief, stale_contact_days, vision_paragraph
from .common import (
    COMPONENTS,
    FORMULAS,
    GAPS_SHOWN,
    METRICS_STALE_AFTER,
    TREND_DAYS,
    Freshness,
    add_months,
    key_account_gaps,
    latest_run,
    latest_snapshot_day,
    metrics_freshness,
    trend,
)
from .kam import KAM_CHART_ACCOUNTS, KAM_INCIDENTS, kam_dashboard
from .my_work import SECTION_ROWS, my_work
from .programme import (
    DISAGREEMENTS,
    HEALTH_BINS,
    PROGRAMME_TIER_CHANGES,
    programme_dashboard,
    programme_settings_history,
)
from .sponsor import HISTORY_WEEKS, SPONSOR_CHART_ACCOUNTS, SponsorHistory, history_days, sponsor_dashboard

__all__ = [
    "COMPONENTS", "DISAGREEMENTS", "FORMULAS", "Freshness", "GAPS_SHOWN", "HEALTH_BINS", "HISTORY_WEEKS",
    "KAM_CHART_ACCOUNTS", "KAM_INCIDENTS", "METRICS_STALE_AFTER", "PROGRAMME_TIER_CHANGES",
    "SECTION_ROWS", "SPONSOR_CHART_ACCOUNTS", "SponsorHistory", "TREND_DAYS", "account_brief",
    "account_metrics", "add_months", "history_days", "kam_dashboard", "key_account_gaps", "latest_run",
    "latest_snapshot_day", "metrics_freshness", "my_work", "programme_dashboard", "programme_settings_history",
    "sponsor_dashboard", "stale_contact_days", "trend", "vision_paragraph",
]
