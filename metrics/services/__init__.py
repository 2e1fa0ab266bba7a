"""Metrics writes. The recompute: set-based aggregation over whole tables, then one bulk upsert.

Cost: one aggregate query per source table (financials, incidents, touchpoints, sponsor visits,
commitments) plus one query over accounts with correlated subqueries for the latest plan and feedback,
then the formulas applied to the ~N already-aggregated account rows, one upsert of N snapshots and one
UPDATE of the account rows. Nothing iterates over touchpoint or incident rows in Python.
"""

from .aggregates import MONEY, SNAPSHOT_FIELDS, ZERO_MONEY, Window
from .programme import NOT_IN_FIGURES, RATES, SETTINGS_FIELDS, THRESHOLDS, programme_settings_update, rate_message
from .recompute import RECOMPUTE_LOCK, RecomputeResult, recompute_metrics, recompute_request, retention_estimates_save
from .snapshots import AccountFailure, accounts_write_latest, snapshot_fit, snapshots_compute, snapshots_save

__all__ = [
    "MONEY", "NOT_IN_FIGURES", "RATES", "RECOMPUTE_LOCK", "SETTINGS_FIELDS", "SNAPSHOT_FIELDS", "THRESHOLDS",
    "ZERO_MONEY", "AccountFailure", "RecomputeResult", "Window", "accounts_write_latest", "programme_settings_update",
    "rate_message", "recompute_metrics", "recompute_request", "retention_estimates_save", "snapshot_fit",
    "snapshots_compute", "snapshots_save",
]
