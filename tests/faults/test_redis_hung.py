"""Redis hung (reachable, not answering: SIGSTOP): pages, saves and /healthz still answer within a
second or two, nothing is saved twice, and the work asked for meanwhile (the KAM's e-mail) waits in the
outbox and is done once Redis answers again.

Before the outbox, a save that published a task blocked on the broker with no socket timeout until
gunicorn killed the worker (a 500 after the data was committed, so users retried and made duplicates),
and with every worker blocked the whole site stopped answering.

Runs against a private redis-server that the test pauses; the shared one is never touched.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse

from kam.models import Notification, OutboxTask
from tests.celery_helpers import celery_using
from tests.conftest import client_for
from tests.faults.conftest import cache_settings
from tests.faults.test_redis_down import _render_all, _submit, _url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Redis answers on the loopback in well under a millisecond; a page may pay one cache timeout (1 s).
PAGE_SECONDS = 2.0
SUMMARY = "Llamada de seguimiento con compras"


def _timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def test_pages_saves_and_healthz_answer_while_redis_hangs_and_the_outbox_drains_after(world, private_redis,
                                                                                     settings):
    if not apps.is_installed("touchpoints") or _url("touchpoints:touchpoint_new") is None:
        pytest.skip("touchpoints not installed")
    Touchpoint = apps.get_model("touchpoints", "Touchpoint")
    ServiceIncident = apps.get_model("touchpoints", "ServiceIncident")
    mail.outbox.clear()  # the world's own notices were e-mailed while it was built
    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    account = world.account
    with celery_using(f"{private_redis.url}/0", f"{private_redis.url}/2") as app:
        assert _render_all(world, max_seconds=30) >= 1  # warm, with Redis answering
        incidents_before = set(ServiceIncident.objects.values_list("pk", flat=True))
        notices_before = set(Notification.objects.values_list("pk", flat=True))

        private_redis.pause()
        try:
            assert _render_all(world, max_seconds=PAGE_SECONDS) >= 1

            response, seconds = _timed(lambda: _submit(
                client_for(world.kam), f"{reverse('touchpoints:touchpoint_new')}?account={account.pk}"))
            assert response.status_code == 302, response.content.decode()[:2000]
            assert seconds < 2 * PAGE_SECONDS  # the form's page and its post
            response, seconds = _timed(lambda: _submit(
                client_for(world.operator), f"{reverse('touchpoints:incident_new')}?account={account.pk}"))
            assert response.status_code == 302, response.content.decode()[:2000]
            assert seconds < 2 * PAGE_SECONDS

            # The load balancer's probe answers too, and says what is wrong.
            response, seconds = _timed(lambda: Client().get(reverse("healthz")))
            assert seconds < 4  # its broker probe waits 2 s at most
            assert response.status_code == 503
            assert response.json()["database"] == "ok" and response.json()["broker"] == "error"

            # Saved once each; the KAM's notice is there in the app, its e-mail waits in the outbox.
            assert Touchpoint.objects.filter(account=account, summary=SUMMARY).count() == 1
            assert ServiceIncident.objects.exclude(pk__in=incidents_before).filter(account=account).count() == 1
            notice = Notification.objects.exclude(pk__in=notices_before).get(recipient=world.kam)
            assert notice.emailed_at is None and mail.outbox == []
            assert OutboxTask.objects.filter(done_at__isnull=True).exists()
        finally:
            private_redis.resume()

        # Redis answers again: beat's next dispatch tick, run by a real worker, drains the outbox.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            outcome = app.send_task("kam.tasks.outbox_dispatch").get(timeout=30)
        assert outcome["failed"] == 0 and outcome["done"] >= 1
    assert not OutboxTask.objects.filter(done_at__isnull=True).exists()
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert [m.subject for m in mail.outbox].count(notice.title) == 1
    assert Touchpoint.objects.filter(account=account, summary=SUMMARY).count() == 1
    assert ServiceIncident.objects.exclude(pk__in=incidents_before).filter(account=account).count() == 1
