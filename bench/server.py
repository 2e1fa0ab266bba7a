"""Brings up the system under measurement: the large data set on PostgreSQL, a private Redis, and
gunicorn as in production (DEBUG off, 2 workers), all on the loopback interface.

Shared by `make bench` (bench/run.py) and `make load` (bench/load.py). Stdlib only outside the
subprocesses, so it can run before Django is set up.
"""

import contextlib
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kam_bench_large"
RESULTS = ROOT / "bench" / "results"
# Below this many accounts the database is taken to be unseeded (the large set has at least 2,000).
LARGE_MIN_ACCOUNTS = 2000


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port} after {timeout:.0f} s")


def base_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "REDIS_CACHE_URL", "CELERY_BROKER_URL",
                                                          "CELERY_RESULT_BACKEND", "PYTEST_VERSION")}
    env.update({
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "kam.settings",
        "DEBUG": "0",
        # A throwaway key for this run's processes (production settings refuse weak ones).
        "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "KAM_SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
    })
    return env


def manage(env: dict, *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=check, text=True,
                          capture_output=capture)


def _psql_admin(database_url: str):
    """A connection to the server's maintenance database, to create the benchmark's database."""
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    admin = parts._replace(path="/postgres").geturl()
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def ensure_database(database_url: str, reseed: bool = False) -> None:
    conn, name = _psql_admin(database_url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            log(f"dropping database {name} to seed it again")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def account_count(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        try:
            return conn.execute("SELECT count(*) FROM accounts_account").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


# One table per app that seeds data: an empty one means that app's demo data is missing (its demo.py
# landed after the set was built), and the idempotent seed_demo is run again to add it.
SEEDED_TABLES = ("planning_accountplan", "touchpoints_touchpoint", "metrics_accountsnapshot")


def empty_seeded_tables(database_url: str) -> list[str]:
    import psycopg

    empty = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in SEEDED_TABLES:
            try:
                if conn.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]:
                    empty.append(table)
            except psycopg.errors.UndefinedTable:
                continue
    return empty


def prepare(database_url: str, reseed: bool = False) -> dict:
    """Database created, migrated and seeded with the large set (only when absent), static collected."""
    env = base_env(database_url)
    ensure_database(database_url, reseed=reseed)
    log("migrating")
    manage(env, "migrate", "--noinput", capture=True)
    n = account_count(database_url)
    empty = empty_seeded_tables(database_url) if n >= LARGE_MIN_ACCOUNTS else []
    if empty:
        log(f"no rows in {', '.join(empty)}: running the (idempotent) large seed again")
    if n < LARGE_MIN_ACCOUNTS or empty:
        log(f"{n} accounts found: seeding the large data set (takes a few minutes)")
        t0 = time.monotonic()
        manage(env, "seed_demo", "--size", "large")
        log(f"seeded in {time.monotonic() - t0:.0f} s")
    else:
        log(f"large data set present ({n} accounts)")
    # VACUUM too: the seed's updates leave dead index entries that every scan would wade through.
    log("refreshing planner statistics (VACUUM ANALYZE)")
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log("collecting static files")
    manage(env, "collectstatic", "--noinput", capture=True)
    return env


@contextlib.contextmanager
def private_redis():
    """A Redis of our own on a free port (cache and broker), so the measurement neither disturbs nor is
    disturbed by anything else on the machine. Without redis-server, the app's embedded defaults
    (local-memory cache, in-process tasks) are used."""
    exe = shutil.which("redis-server")
    if not exe:
        log("redis-server not found: measuring with the local-memory cache and in-process tasks")
        yield None
        return
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)


def targets(env: dict) -> dict:
    out = subprocess.run([PY, "-m", "bench.targets"], cwd=ROOT, env=env, check=True, text=True,
                         capture_output=True)
    return json.loads(out.stdout)


def sessions(env: dict) -> dict:
    out = subprocess.run([PY, "-m", "bench.targets", "sessions"], cwd=ROOT, env=env, check=True, text=True,
                         capture_output=True)
    return json.loads(out.stdout)


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2, extra_env: dict | None = None):
    port = free_port()
    env = {**env, **(extra_env or {})}
    cmd = [str(Path(PY).parent / "gunicorn"), "kam.wsgi:application", "--workers", str(workers),
           "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
           "--log-level", "warning", "--access-logfile", "-" if env.get("BENCH_ACCESS_LOG") else "/dev/null"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        wait_port(port)
        client = Client(port)
        deadline = time.monotonic() + 30
        while True:
            status, _h, _b = client.request("GET", "/healthz")
            if status in (200, 503) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        log(f"gunicorn ({workers} workers) on http://127.0.0.1:{port}, healthz {status}")
        yield port
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        if proc.poll() is None:
            proc.kill()


class Client:
    """A minimal cookie-keeping HTTP client on http.client (a fresh connection per request, as gunicorn's
    sync workers close each one)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        hdrs = {"Host": "127.0.0.1", "Accept-Language": "es", **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            payload = response.read()
            for key, value in response.getheaders():
                if key.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
        finally:
            conn.close()

    def login(self, username: str, password: str) -> bool:
        from bench.htmlforms import csrf_token

        _s, _h, body = self.request("GET", "/login/")
        token = csrf_token(body.decode("utf-8", "replace"))
        status, headers, _b = self.request("POST", "/login/", {
            "csrfmiddlewaretoken": token or "", "username": username, "password": password})
        return status == 302 and "sessionid" in self.cookies
