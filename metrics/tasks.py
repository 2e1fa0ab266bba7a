from celery import shared_task
from django.db import OperationalError

from kam.tasks import BROKER_ERRORS


@shared_task(bind=True, autoretry_for=(*BROKER_ERRORS, OperationalError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="metrics.tasks.recompute_metrics")
def recompute_metrics(self, day=None, trigger="beat"):
    """Nightly (beat) and after every financials import. Idempotent: a rerun for the same day upserts
    the same snapshots, so a retry after a lost worker does no harm."""
    import datetime

    from .services import recompute_metrics as run

    parsed = datetime.date.fromisoformat(day) if day else None
    result = run(day=parsed, trigger=trigger)
    return {"day": result.day.isoformat(), "accounts": result.accounts, "seconds": round(result.seconds, 2)}
