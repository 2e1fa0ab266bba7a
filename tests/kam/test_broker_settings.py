"""Every wait on Redis is bounded, and a killed worker's task comes back in minutes, not Redis' hour."""

from django.conf import settings

from kam.celery import app


def test_broker_result_store_and_cache_have_socket_timeouts():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert 0 < options["socket_connect_timeout"] <= 5 and 0 < options["socket_timeout"] <= 10
    assert 0 < settings.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT <= 5 and 0 < settings.CELERY_REDIS_SOCKET_TIMEOUT <= 10
    assert app.conf.redis_socket_timeout == settings.CELERY_REDIS_SOCKET_TIMEOUT
    if settings.REDIS_URL:
        cache_options = settings.CACHES["default"]["OPTIONS"]
        assert cache_options["socket_timeout"] <= 2 and cache_options["socket_connect_timeout"] <= 2


def test_visibility_timeout_fits_the_tasks():
    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility
    # A task waiting for its retry countdown is held unacknowledged by a worker: were the countdown longer
    # than the visibility timeout, Redis would deliver it again meanwhile (a duplicate run).
    longest_countdown = max(getattr(t, "retry_backoff_max", 0) or 0 for t in app.tasks.values())
    assert visibility >= longest_countdown + 5 * 60  # and five minutes for the run itself
    assert visibility < 60 * 60  # Redis' default, which left a killed worker's task stranded for an hour
    # The outbox's own lease follows the same reasoning for work asked for by the web.
    assert settings.KAM_OUTBOX_LEASE_SECONDS >= 5 * 60
