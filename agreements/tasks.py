from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="agreements.tasks.send_renewal_alerts")
def send_renewal_alerts(self):
    """Daily (beat): agreements reaching their notice date become expiring and their KAM and sponsor are
    told. Idempotent: a retry or a second run moves and notifies nothing more."""
    from .services import agreement_renewal_alerts_send

    return agreement_renewal_alerts_send()
