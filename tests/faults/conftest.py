"""Private service processes for fault tests: they are stopped and killed on purpose, so they must
never be the shared ones other test runs and developers are using."""

import shutil
import signal
import socket
import subprocess
import time
from contextlib import suppress

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class PrivateRedis:
    def __init__(self):
        self.exe = shutil.which("redis-server")
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.05)

    def pause(self):
        """SIGSTOP: the port still accepts connections (the kernel completes them) but nothing answers,
        as with a hung server, a stalled disk or a saturated network."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def stop(self):
        """Killed, not shut down: an outage does not announce itself."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        deadline = time.monotonic() + 10
        while _listening(self.port):
            assert time.monotonic() < deadline, "private redis-server did not stop"
            time.sleep(0.05)


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    if not redis.exe:
        pytest.skip("redis-server is not installed")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def world(personas):
    """The personas with every installed app's objects for its pages (see tests/access.py)."""
    from tests.access import app_modules

    for module in app_modules():
        build = getattr(module, "build", None)
        if build:
            build(personas)
    return personas


def cache_settings(url: str) -> dict:
    return {"default": {"BACKEND": "kam.cache.FailSoftRedisCache", "LOCATION": url, "KEY_PREFIX": "faults",
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


def admin_connection(autocommit: bool = True):
    """A connection of the test's own to the test database, outside Django (to kill backends, hold
    locks)."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"] or None, password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None, autocommit=autocommit)


def database_url(application_name: str) -> str:
    """The test database as a DATABASE_URL for a subprocess, tagged so its backends can be found."""
    from django.db import connection

    s = connection.settings_dict
    user = s["USER"] or "postgres"
    auth = f"{user}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{user}@"
    return (f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            f"?application_name={application_name}")


def production_env(**extra) -> dict:
    """The environment of a production process (DEBUG off, no test-run settings) for a subprocess."""
    import os
    import secrets

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "REDIS_URL", "REDIS_CACHE_URL",
                        "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DATABASE_URL")}
    env.update({
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "KAM_SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "kam.settings",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env
