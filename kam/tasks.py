import logging

from celery import current_app, shared_task
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as KombuOperationalError

log = logging.getLogger(__name__)

# Broker errors surface as different exception types depending on where the connection fails.
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, TimeoutError)


def enqueue(task, *args, **kwargs):
    """Ask for `task(*args, **kwargs)` to run in the background once the current transaction commits
    (at once outside a transaction; never if it rolls back). Arguments must be JSON.

    With a broker (production) the request is a row of the transactional outbox (kam.models.OutboxTask)
    written in the caller's transaction: the web request never talks to the broker, so a broker that is
    down or hung costs nothing but delay, and the work is not lost. A worker runs it within seconds
    (kam.tasks.outbox_dispatch, scheduled by beat). Returns the row.

    On the embedded default (no broker, tasks in-process) the task runs in this process on commit, as
    it always has; returns None.
    """
    if current_app.conf.task_always_eager:
        transaction.on_commit(lambda: task.apply_async(args, kwargs))
        return None
    from .services import outbox_task_add

    return outbox_task_add(task=task.name, args=args, kwargs=kwargs)


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


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60,
             max_retries=3, name="kam.tasks.outbox_dispatch")
def outbox_dispatch(self):
    """Beat, every few seconds: run the background work the web asked for (see enqueue)."""
    from .services import outbox_dispatch as dispatch

    return dispatch()


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=3, name="kam.tasks.outbox_purge")
def outbox_purge(self):
    """Nightly (beat): forget background work done long ago."""
    from .services import outbox_purge as purge

    return purge()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="kam.tasks.send_password_reset_emails")
def send_password_reset_emails(self, email, language):
    from .services import password_reset_emails_send

    return password_reset_emails_send(email=email, language=language)
