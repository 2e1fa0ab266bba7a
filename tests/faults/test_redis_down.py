"""Redis stopped: pages still render, logging a touchpoint and opening an incident still save, and the
work that needed the broker (the KAM's e-mail) is done by the sweep once Redis is back.

Runs against a private redis-server that the test kills; the shared one is never touched.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps
from django.core import mail
from django.urls import NoReverseMatch, reverse

from bench.htmlforms import fill_valid, parse_forms
from kam.models import Notification
from tests.celery_helpers import celery_using
from tests.conftest import client_for
from tests.faults.conftest import cache_settings

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# (persona, URL name, needs the account's pk)
PAGES = [
    ("kam", "metrics:dashboard_kam", False),
    ("sponsor", "metrics:dashboard_sponsor", False),
    ("lead", "metrics:dashboard_program", False),
    ("kam", "accounts:list", False),
    ("kam", "accounts:detail", True),
    ("kam", "accounts:contacts", True),
    ("kam", "touchpoints:timeline", True),
    ("lead", "accounts:portfolio", False),
    ("lead", "accounts:pareto", False),
    ("operator", "touchpoints:incident_list", False),
    ("kam", "touchpoints:touchpoint_new", False),
    ("kam", "kam:notifications", False),
]


def _url(name, pk=None):
    try:
        return reverse(name, kwargs={"pk": pk} if pk else None)
    except NoReverseMatch:
        return None


def _render_all(world, max_seconds):
    rendered = 0
    for persona, name, with_pk in PAGES:
        url = _url(name, world.account.pk if with_pk else None)
        if url is None:
            continue
        started = time.monotonic()
        response = client_for(getattr(world, persona)).get(url)
        elapsed = time.monotonic() - started
        assert response.status_code == 200, f"{name} as {persona}: HTTP {response.status_code}"
        assert elapsed < max_seconds, f"{name} took {elapsed:.1f} s"
        rendered += 1
    return rendered


def _submit(client, url, **overrides):
    page = client.get(url)
    assert page.status_code == 200, url
    forms = [f for f in parse_forms(page.content.decode()) if f.method == "post" and f.field("csrfmiddlewaretoken")]
    form = max(forms, key=lambda f: len(f.fields))
    data = fill_valid(form, text="Llamada de seguimiento con compras")
    data.update({k: [str(v)] for k, v in overrides.items()})
    return client.post(form.action or url, data)


def test_pages_render_and_logging_saves_while_redis_is_down(world, private_redis, settings):
    mail.outbox.clear()  # the world's own notices were e-mailed while it was built
    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    broker, results = f"{private_redis.url}/0", f"{private_redis.url}/2"
    with celery_using(broker, results) as app:
        # Warm the caches while Redis is up, then take it away without warning.
        assert _render_all(world, max_seconds=30) >= 1
        private_redis.stop()

        assert _render_all(world, max_seconds=10) >= 1

        if not apps.is_installed("touchpoints") or _url("touchpoints:touchpoint_new") is None:
            pytest.skip("touchpoints not installed")
        Touchpoint = apps.get_model("touchpoints", "Touchpoint")
        ServiceIncident = apps.get_model("touchpoints", "ServiceIncident")

        account = world.account
        response = _submit(client_for(world.kam), f"{reverse('touchpoints:touchpoint_new')}?account={account.pk}")
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Touchpoint.objects.filter(account=account, summary="Llamada de seguimiento con compras").count() == 1

        incidents_before = set(ServiceIncident.objects.values_list("pk", flat=True))
        notices_before = set(Notification.objects.values_list("pk", flat=True))
        response = _submit(client_for(world.operator), f"{reverse('touchpoints:incident_new')}?account={account.pk}")
        assert response.status_code == 302, response.content.decode()[:2000]
        assert ServiceIncident.objects.exclude(pk__in=incidents_before).filter(account=account).count() == 1
        # The KAM's notice is there in the app at once; only its e-mail waits for the broker.
        notice = Notification.objects.exclude(pk__in=notices_before).get(recipient=world.kam)
        assert notice.emailed_at is None
        assert mail.outbox == []

        # Redis is back: the beat's e-mail sweep, run by a real worker, delivers what was deferred.
        private_redis.start()
        sweep = settings.CELERY_BEAT_SCHEDULE["notification-emails-sweep"]["task"]
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = app.send_task(sweep)
            assert result.get(timeout=30) >= 1
        notice.refresh_from_db()
        assert notice.emailed_at is not None
        assert [world.kam.email] in [m.to for m in mail.outbox]
        assert notice.title in [m.subject for m in mail.outbox]


def test_sign_in_still_works_while_redis_is_down(private_redis, settings, client):
    """The throttle's counter lives in Redis; without it sign-in must still work (the limiter opens)."""
    from tests.factories import UserFactory

    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    user = UserFactory(username="ana.redis")
    private_redis.stop()
    response = client.post(reverse("login"), {"username": "ana.redis", "password": "wrong"})
    assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "ana.redis", "password": "pw-test-12345"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert settings.CACHES["default"]["BACKEND"] == "kam.cache.FailSoftRedisCache"


def test_password_reset_is_looked_up_and_sent_by_the_worker_also_after_redis_was_down(private_redis, settings,
                                                                                      client):
    """The web request only records the job (its time does not depend on the address having an
    account); with the broker down it waits in the outbox and is sent once the worker can run it."""
    from kam.models import OutboxTask
    from kam.services import outbox_dispatch
    from tests.factories import UserFactory

    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    UserFactory(username="ana.reset", email="ana.reset@proveedor.example")
    with celery_using(f"{private_redis.url}/0", f"{private_redis.url}/2") as app:
        response = client.post(reverse("password_reset"), {"email": "ana.reset@proveedor.example"})
        assert response.status_code == 302
        assert mail.outbox == []  # recorded, not sent by the web request
        assert OutboxTask.objects.filter(task="kam.tasks.send_password_reset_emails").count() == 1
        # A real worker, asked by beat's dispatch job, runs it.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            app.send_task("kam.tasks.outbox_dispatch").get(timeout=30)
        assert [m.to for m in mail.outbox] == [["ana.reset@proveedor.example"]]

        private_redis.stop()
        started = time.monotonic()
        response = client.post(reverse("password_reset"), {"email": "ana.reset@proveedor.example"})
        assert response.status_code == 302
        assert time.monotonic() - started < 10
        assert len(mail.outbox) == 1  # waits: nothing is lost, nothing is sent while the worker cannot run
        private_redis.start()
        outbox_dispatch()  # what the worker's next dispatch does once Redis is back
        assert len(mail.outbox) == 2
