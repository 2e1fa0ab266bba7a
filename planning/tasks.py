from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5,
             name="planning.tasks.send_plan_reminders")
def send_plan_reminders(self):
    """Daily: reviews due, stale plans, commitments due soon or missed. Idempotent through the
    notifications' event keys, so a retry or a second run notifies nobody twice."""
    from .services import plan_reminders_send

    return plan_reminders_send()


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=3, name="planning.tasks.purge_share_views")
def purge_share_views(self):
    """Nightly (beat): share-link views older than the retention period are forgotten."""
    from .services import share_views_purge

    return share_views_purge()
