"""Pointing the Celery app at a real broker for one test, and back again."""

from contextlib import contextmanager

from django.conf import settings


def redis_server(url: str | None = None) -> str:
    """scheme://host:port of REDIS_URL (the database number is the test's to choose)."""
    url = url or settings.REDIS_URL or "redis://127.0.0.1:6379"
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def forget_celery_connections(app):
    """Drop the app's cached pools and result backend so the next use reads the new URLs."""
    # Not closed: kombu keeps pools in a registry keyed by URL and would hand the closed one back.
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@contextmanager
def celery_using(broker: str, results: str | None = None, **conf):
    """Tasks published to `broker` (not run in-process) while inside; `conf` sets more options."""
    from kam.celery import app

    changes = {"broker_url": broker, "task_always_eager": False, **conf}
    if results is not None:
        changes["result_backend"] = results
    saved = {key: app.conf[key] for key in changes}
    app.conf.update(changes)
    forget_celery_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        forget_celery_connections(app)
