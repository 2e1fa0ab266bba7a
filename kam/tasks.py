import logging

from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)

# Broker errors surface as different exception types depending on where the connection fails.
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, TimeoutError)


def enqueue(task, *args, **kwargs):
    """Publish a task without letting a broker outage break the web request.

    If the broker is down the failure is logged and None is returned; the periodic sweeps
    (beat) pick the work up later, so nothing is lost — only delayed.
    """
    try:
        # Web code never waits for the result. Without ignore_result the Redis result backend
        # subscribes to the task's result channel at publish time, and when Redis is down that
        # subscription retries for ~20 s and then raises RuntimeError, failing the request.
        return task.apply_async(args, kwargs, ignore_result=True)
    except BROKER_ERRORS as exc:
        log.warning("Broker unavailable, %s deferred to the next sweep: %s", task.name, exc)
        return None


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="kam.tasks.send_notification_emails")
def send_notification_emails(self, notification_ids=None):
    from .services import notification_emails_deliver

    return notification_emails_deliver(notification_ids=notification_ids)


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="kam.tasks.prune_submitted_forms")
def prune_submitted_forms(self):
    from .idempotency import submitted_forms_prune

    return submitted_forms_prune()
