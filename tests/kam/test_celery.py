"""Tasks through a real worker on a real Redis broker, and what happens when the broker is away.

The broker and result store use databases 13 and 14 of REDIS_URL's server (127.0.0.1:6379 by default),
so a development worker on the usual databases cannot take these tests' tasks.
"""

import logging
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from kam.celery import app, ping
from kam.models import Notification
from kam.services import notification_send
from kam.tasks import enqueue, send_notification_emails
from tests.celery_helpers import celery_using, redis_server
from tests.factories import UserFactory

REDIS_HOST = redis_server()
TEST_BROKER = f"{REDIS_HOST}/13"
TEST_RESULTS = f"{REDIS_HOST}/14"
# Nothing listens on port 1: connections are refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


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
    # Outside a test transaction: the commit hook publishes the e-mail task to the broker.
    (notification,) = notification_send(recipients=[user], event_key="incident:7:opened",
                                        title="Nueva incidencia en Aceros del Norte", link="/incidents/7/")
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the e-mail"
    assert mail.outbox[0].subject == "Nueva incidencia en Aceros del Norte"
    assert mail.outbox[0].to == ["ana@example.com"]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_enqueue_logs_and_returns_none_when_the_broker_is_down(caplog):
    with celery_on(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="kam.tasks"):
        started = time.monotonic()
        assert enqueue(ping) is None
        elapsed = time.monotonic() - started
    assert "Broker unavailable" in caplog.text
    assert "kam.tasks.ping" in caplog.text
    # A web request must not hang on a dead broker.
    assert elapsed < 10


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_notification_raised_while_the_broker_is_down_is_emailed_by_the_sweep(caplog):
    user = UserFactory(username="ana")
    with celery_on(DEAD_BROKER), caplog.at_level(logging.WARNING, logger="kam.tasks"):
        notification_send(recipients=[user], event_key="plan:3:review-due", title="Revisión del plan pendiente")
    # The notice is there in-app; the e-mail is only postponed.
    assert Notification.objects.filter(recipient=user, emailed_at__isnull=True).count() == 1
    assert mail.outbox == []
    assert "Broker unavailable" in caplog.text

    # Beat fires the sweep every minute; once the broker is back the worker delivers what was pending.
    sweep = settings.CELERY_BEAT_SCHEDULE["notification-emails-sweep"]
    assert sweep["task"] == send_notification_emails.name
    import redis

    redis.Redis.from_url(TEST_BROKER).flushdb()
    with celery_on(TEST_BROKER):
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = app.send_task(sweep["task"])
            assert result.get(timeout=15) == 1
    assert [m.subject for m in mail.outbox] == ["Revisión del plan pendiente"]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
