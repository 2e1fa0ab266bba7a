import datetime
import logging
import threading

from celery import current_app, shared_task
from django.conf import settings
from django.db import OperationalError, connection, transaction
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


def enqueue_long(task, *args):
    """Like `enqueue`, for work of minutes (an import): the request that asks for it must return at once.

    With a broker the outbox row asks `kam.tasks.publish` to hand the task to its own queue
    (CELERY_TASK_ROUTES), so a long task does not hold up the outbox's other work. On the embedded default
    it runs in a thread of this process once the transaction commits, so `make run` shows the same pages
    as production; KAM_BACKGROUND_THREADS=False runs it in line instead (tests that need the work done
    when the request returns)."""
    if not current_app.conf.task_always_eager:
        return enqueue(publish, task.name, list(args))
    if getattr(settings, "KAM_BACKGROUND_THREADS", True):
        transaction.on_commit(lambda: _start_thread(task, args))
    else:
        transaction.on_commit(lambda: task.apply(args))
    return None


_threads: set[threading.Thread] = set()


def _start_thread(task, args) -> threading.Thread:
    def run():
        try:
            task.apply(args)
        finally:
            # The thread's own connection; left open it would hold SQLite's lock or a PostgreSQL slot.
            connection.close()
            _threads.discard(thread)

    thread = threading.Thread(target=run, name=f"kam-{task.name}", daemon=True)
    _threads.add(thread)
    thread.start()
    return thread


def background_threads_join(timeout: float = 60.0) -> None:
    """Wait for the work started in threads of this process (tests, and a clean stop)."""
    for thread in list(_threads):
        thread.join(timeout)


@shared_task(bind=True, autoretry_for=BROKER_ERRORS, retry_backoff=True, retry_backoff_max=60, max_retries=5,
             name="kam.tasks.publish")
def publish(self, name, args):
    """Run by the outbox: hand task `name` to the broker, on the queue its route names. Publishing twice
    is harmless: the long tasks claim their work before doing it."""
    current_app.send_task(name, args=args)
class _OnCommitOnce:
    """One in-process run of a task per transaction, however often the transaction asks for it."""

    __slots__ = ("task", "kwargs")

    def __init__(self, task, kwargs):
        self.task, self.kwargs = task, kwargs

    def __call__(self):
        self.task.apply_async((), self.kwargs)


def enqueue_once(task, *, delay: datetime.timedelta, max_wait: datetime.timedelta, combine=None, **kwargs):
    """Like `enqueue`, for work that is the same however often it is asked for (a recompute of
    everything): requests made while one is pending join it, debounced by `delay` and run at most
    `max_wait` after the first (kam.services.outbox_task_coalesce). Returns the pending row.

    On the embedded default the task runs once when the current transaction commits, with the first
    request's arguments combined with the later ones; returns None."""
    if current_app.conf.task_always_eager:
        conn = transaction.get_connection()
        pending = next((f for _sids, f, _robust in conn.run_on_commit
                        if isinstance(f, _OnCommitOnce) and f.task.name == task.name), None)
        if pending is None:
            transaction.on_commit(_OnCommitOnce(task, dict(kwargs)))
        elif combine is not None:
            pending.kwargs = combine(pending.kwargs, dict(kwargs))
        return None
    from .services import outbox_task_coalesce

    return outbox_task_coalesce(task=task.name, kwargs=kwargs, delay=delay, max_wait=max_wait, combine=combine)


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
