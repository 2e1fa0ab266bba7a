"""Recompute after financials are imported, in the background (the import's page must not wait)."""

import logging

log = logging.getLogger(__name__)


def on_financials_imported(sender, **kwargs):
    from kam.tasks import enqueue

    from .tasks import recompute_metrics

    # Asked for in the current transaction if there is one (after the import's commit, there is none).
    enqueue(recompute_metrics, trigger="import")


def connect():
    try:
        from accounts.signals import financials_imported
    except ImportError:
        log.debug("accounts.signals.financials_imported not available; recompute runs nightly only")
        return
    financials_imported.connect(on_financials_imported, dispatch_uid="metrics.recompute_after_import")
