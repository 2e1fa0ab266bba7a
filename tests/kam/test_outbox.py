"""The outbox (kam.tasks.enqueue, kam.services.outbox_dispatch): background work asked for in the
web's transaction and run by a worker, with retries, a record of failures and recovery from a worker
that died holding a row. The dispatch is called here as the worker calls it."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kam import selectors, services
from kam.celery import ping
from kam.models import Notification, OutboxTask
from kam.services import notification_send, outbox_dispatch
from kam.tasks import enqueue
from tests.celery_helpers import celery_using
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_mode():
    """Production's mode (tasks for a worker, not in-process); the broker is never contacted."""
    with celery_using(DEAD_BROKER) as app:
        yield app


def _due_now(row):
    OutboxTask.objects.filter(pk=row.pk).update(run_after=timezone.now())


def test_dispatch_runs_what_was_asked_oldest_first_and_once(broker_mode):
    ana = UserFactory(username="ana")
    first = notification_send(recipients=[ana], event_key="a", title="Primero")
    second = notification_send(recipients=[ana], event_key="b", title="Segundo")
    assert mail.outbox == []
    assert OutboxTask.objects.filter(done_at__isnull=True).count() == 2
    assert outbox_dispatch() == {"done": 2, "failed": 0}
    assert [m.subject for m in mail.outbox] == ["Primero", "Segundo"]
    assert outbox_dispatch() == {"done": 0, "failed": 0}
    assert len(mail.outbox) == 2
    assert {n.pk for n in first + second} == set(Notification.objects.filter(emailed_at__isnull=False)
                                                 .values_list("pk", flat=True))


def test_a_failing_task_is_retried_later_and_given_up_after_the_last_attempt(broker_mode, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    notification_send(recipients=[UserFactory(username="ana")], event_key="a", title="Aviso")
    row = OutboxTask.objects.get()
    before = timezone.now()
    assert outbox_dispatch() == {"done": 0, "failed": 1}
    row.refresh_from_db()
    assert row.attempts == 1 and row.done_at is None and row.failed_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert row.run_after >= before + datetime.timedelta(seconds=30)  # not hammered: later
    assert outbox_dispatch() == {"done": 0, "failed": 0}
    for _ in range(services.OUTBOX_MAX_ATTEMPTS - 1):
        _due_now(row)
        outbox_dispatch()
    row.refresh_from_db()
    assert row.attempts == services.OUTBOX_MAX_ATTEMPTS
    assert row.failed_at is not None and "ConnectionRefusedError" in row.last_error
    _due_now(row)
    assert outbox_dispatch() == {"done": 0, "failed": 0}  # given up: left for the administrator


def test_a_row_held_by_a_worker_that_died_is_run_once_its_lease_is_over(broker_mode):
    request = enqueue(ping)
    # A worker claimed it and was killed before finishing: attempts counted, lease still running.
    OutboxTask.objects.filter(pk=request.pk).update(attempts=1,
                                                    claimed_until=timezone.now() + datetime.timedelta(minutes=5))
    assert outbox_dispatch() == {"done": 0, "failed": 0}
    OutboxTask.objects.filter(pk=request.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert outbox_dispatch() == {"done": 1, "failed": 0}
    request.refresh_from_db()
    assert request.done_at is not None and request.attempts == 2 and request.claimed_until is None


def test_in_process_mode_runs_on_commit_and_writes_no_row(django_capture_on_commit_callbacks):
    ana = UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[ana], event_key="a", title="Aviso")
    assert [m.subject for m in mail.outbox] == ["Aviso"]
    assert not OutboxTask.objects.exists()


def test_healthz_reports_work_waiting_too_long(broker_mode, client):
    request = enqueue(ping)
    assert client.get("/healthz").json()["outbox"] == "ok"
    OutboxTask.objects.filter(pk=request.pk).update(
        run_after=timezone.now() - selectors.OUTBOX_LATE_AFTER - datetime.timedelta(seconds=1))
    assert client.get("/healthz").json()["outbox"].startswith("1 waiting since ")


def test_rows_done_long_ago_are_purged_and_the_rest_kept(broker_mode):
    old_done, recent_done, pending, given_up = (enqueue(ping) for _ in range(4))
    long_ago = timezone.now() - services.OUTBOX_KEEP_DONE - datetime.timedelta(days=1)
    OutboxTask.objects.filter(pk=old_done.pk).update(done_at=long_ago)
    OutboxTask.objects.filter(pk=recent_done.pk).update(done_at=timezone.now())
    OutboxTask.objects.filter(pk=given_up.pk).update(failed_at=long_ago)
    OutboxTask.objects.filter(pk=pending.pk).update(created_at=long_ago)
    assert services.outbox_purge() == 1
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent_done.pk, pending.pk, given_up.pk}
