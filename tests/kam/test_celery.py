"""Tasks through a real worker on a real Redis broker, and what happens when the broker is away.

The broker and result store use databases 13 and 14 of REDIS_URL's server (127.0.0.1:6379 by default),
so a development worker on the usual databases cannot take these tests' tasks.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from kam.celery import app, ping
from kam.models import Notification, OutboxTask
from kam.services import notification_send
from kam.tasks import enqueue, send_notification_emails
from tests.celery_helpers import celery_using, redis_server
from tests.factories import UserFactory

REDIS_HOST = redis_server()
TEST_BROKER = f"{REDIS_HOST}/13"
TEST_RESULTS = f"{REDIS_HOST}/14"
# Nothing listens on port 1: connections are refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"
OUTBOX_DISPATCH = "kam.tasks.outbox_dispatch"


def celery_on(broker, results=TEST_RESULTS):
    return celery_using(broker, results)


def _redis_available():
    import redis

    try:
        return redis.Redis.from_url(TEST_BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_available() and not settings.REDIS_URL, reason="Redis is not running on 127.0.0.1:6379"
)


@pytest.fixture
def worker():
    import redis

    redis.Redis.from_url(TEST_BROKER).flushdb()
    redis.Redis.from_url(TEST_RESULTS).flushdb()
    with celery_on(TEST_BROKER):
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w


def _wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_consumes_a_task_from_redis(worker):
    result = ping.delay()
    assert result.get(timeout=15) == "pong"
    # The worker, not this process, ran it: the result came back through the Redis result store.
    assert result.backend.__class__.__name__ == "RedisBackend"


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_the_notification_email_goes_out_through_the_worker(worker):
    user = UserFactory(username="ana")
    # Outside a test transaction: the request for the e-mail is committed with the notice, in the outbox.
    (notification,) = notification_send(recipients=[user], event_key="incident:7:opened",
                                        title="Nueva incidencia en Aceros del Norte", link="/incidents/7/")
    request = OutboxTask.objects.get()
    assert (request.task, request.args) == (send_notification_emails.name, [[notification.pk]])
    # Beat's dispatch tick, run by the worker, runs it.
    assert app.send_task(OUTBOX_DISPATCH).get(timeout=15) == {"done": 1, "failed": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Nueva incidencia en Aceros del Norte"
    assert mail.outbox[0].to == ["ana@example.com"]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    request.refresh_from_db()
    assert request.done_at is not None and request.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_never_touches_the_broker():
    with celery_on(DEAD_BROKER):
        started = time.monotonic()
        request = enqueue(ping)
        elapsed = time.monotonic() - started
    assert request == OutboxTask.objects.get(task="kam.tasks.ping", done_at__isnull=True)
    # A web request never waits on the broker, whatever state it is in.
    assert elapsed < 0.5


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_transaction_that_rolls_back_asks_for_nothing():
    from django.db import transaction

    with celery_on(DEAD_BROKER), pytest.raises(RuntimeError), transaction.atomic():
        enqueue(ping)
        raise RuntimeError("the save failed")
    assert not OutboxTask.objects.exists()


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_notification_raised_while_the_broker_is_down_is_emailed_once_it_is_back():
    user = UserFactory(username="ana")
    with celery_on(DEAD_BROKER):
        notification_send(recipients=[user], event_key="plan:3:review-due", title="Revisión del plan pendiente")
    # The notice is there in-app; the e-mail is asked for in the outbox.
    assert Notification.objects.filter(recipient=user, emailed_at__isnull=True).count() == 1
    assert OutboxTask.objects.filter(done_at__isnull=True).count() == 1
    assert mail.outbox == []

    # Beat fires the dispatch every few seconds; once the broker is back the worker delivers.
    dispatch = settings.CELERY_BEAT_SCHEDULE["outbox-dispatch"]
    assert dispatch["task"] == OUTBOX_DISPATCH
    import redis

    redis.Redis.from_url(TEST_BROKER).flushdb()
    with celery_on(TEST_BROKER):
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = app.send_task(dispatch["task"])
            assert result.get(timeout=15) == {"done": 1, "failed": 0}
    assert [m.subject for m in mail.outbox] == ["Revisión del plan pendiente"]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert not OutboxTask.objects.filter(done_at__isnull=True).exists()
