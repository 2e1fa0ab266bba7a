"""PostgreSQL restarted or failed over under a running site: every pooled connection is dead at once.
Without a health check each dead connection is handed to one request, which fails with a 500; with it
the pool notices on checkout and opens a fresh one.

Production configuration, really served: gunicorn with DEBUG off and Django's psycopg pool on (the test
settings turn the pool off, so an in-process client would prove nothing), against the test database.
"The restart" is pg_terminate_backend on every backend the app holds, which is what the pool sees
after a restart or a failover: connections that look open and fail on first use.
"""

import time

import pytest
from django.db import connection
from django.test import Client as DjangoClient

from bench.server import Client, gunicorn
from tests.factories import UserFactory
from tests.faults.conftest import admin_connection, database_url, production_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

APP_NAME = "kam-fault-pool"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the pool is PostgreSQL's)")


def _backends(admin):
    return [pid for (pid,) in admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                            [APP_NAME]).fetchall()]


def _requests(client, n):
    """n requests that each need the database: the signed-in home page (session and user read) and
    /healthz (SELECT 1) in turn. Returns the unexpected answers."""
    wrong = []
    for i in range(n):
        path, expected = ("/", 302) if i % 2 else ("/healthz", 200)
        status, _headers, body = client.request("GET", path)
        if status != expected:
            wrong.append((path, status, body[:200]))
    return wrong


def test_requests_after_every_pooled_connection_was_killed_all_succeed():
    user = UserFactory(username="pool.check")
    browser = DjangoClient()
    browser.force_login(user)  # the session row is committed: the server reads it from the database
    env = production_env(DATABASE_URL=database_url(APP_NAME), DB_POOL_MIN=3, DB_POOL_MAX=4)
    with gunicorn(env, workers=2) as port, admin_connection() as admin:
        client = Client(port)
        client.cookies["sessionid"] = browser.cookies["sessionid"].value
        assert _requests(client, 20) == []  # warm: both workers' pools are open and in use

        killed = _backends(admin)
        assert len(killed) >= 4, f"expected two pools of at least 3 connections, found {len(killed)}"
        for pid in killed:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while set(killed) & set(_backends(admin)):
            assert time.monotonic() < deadline, "the killed backends did not go away"
            time.sleep(0.05)

        started = time.monotonic()
        wrong = _requests(client, 30)
        elapsed = time.monotonic() - started
    assert wrong == [], f"{len(wrong)} of 30 requests failed after the backends were killed: {wrong[:3]}"
    assert elapsed < 30
