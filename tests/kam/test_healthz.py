"""/healthz against the real database and a real (or really unreachable) broker."""

import pytest
from django.urls import reverse

from tests.kam.test_celery import DEAD_BROKER, TEST_BROKER, celery_on, needs_redis

pytestmark = pytest.mark.django_db


@needs_redis
def test_200_when_database_and_broker_answer(client):
    with celery_on(TEST_BROKER):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    # The apps' lines (kam/health.py): nothing waits in the outbox, no metrics computed yet.
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "outbox": "ok",
                               "metrics": "never computed"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_503_when_the_broker_is_unreachable(client):
    with celery_on(DEAD_BROKER):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error", "outbox": "ok",
                               "metrics": "never computed"}


def test_in_process_tasks_count_as_a_working_broker(client):
    # The embedded default (no Redis): tasks run in the web process, so there is nothing to be down.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "in-process"


def test_needs_no_login_and_only_answers_get(client):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_503_when_the_database_is_unreachable(client, settings):
    from django.db import connection

    # A real connection attempt to a port where no database listens.
    if connection.vendor == "sqlite":
        pytest.skip("Django keeps an in-memory SQLite test database open: it cannot be made unreachable")
    settings_dict = connection.settings_dict
    saved = (settings_dict.get("HOST"), settings_dict.get("PORT"), settings_dict.get("NAME"))
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "1"
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"], settings_dict["NAME"] = saved
    assert response.status_code == 503
    assert response.json()["database"] == "error"
