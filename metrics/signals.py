"""Recompute after the data behind the figures changes, in the background (the page that changed it
must not wait): financials imported or entered, and tier decisions (metrics.scheduling)."""

import logging

log = logging.getLogger(__name__)


def on_financials_imported(sender, **kwargs):
    from .scheduling import recompute_schedule

    # Asked for in the current transaction if there is one (after the import's commit, there is none).
    recompute_schedule(trigger="import")


def on_tier_decided(sender, instance, created, raw=False, **kwargs):
    from .scheduling import recompute_schedule

    # A decision is a record, written once: only its creation moves the figures (the snapshot's tier,
    # and the tier's observed retention).
    if created and not raw:
        recompute_schedule(trigger="tier")


def connect():
    from django.db.models.signals import post_save

    from accounts.models import TierDecision

    try:
        from accounts.signals import financials_imported
    except ImportError:
        log.debug("accounts.signals.financials_imported not available; recompute runs nightly only")
    else:
        financials_imported.connect(on_financials_imported, dispatch_uid="metrics.recompute_after_import")
    post_save.connect(on_tier_decided, sender=TierDecision, dispatch_uid="metrics.recompute_after_tier")
