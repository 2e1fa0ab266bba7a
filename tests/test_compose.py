"""The production stack's definition stays valid and complete (validated by docker-compose itself)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which("docker-compose")


# What a deployment must say; the compose file has no defaults for them.
REQUIRED = {"SECRET_KEY": "compose-validation-only", "POSTGRES_PASSWORD": "compose-validation-pw",
            "KAM_SITE_URL": "https://kam.proveedor.example"}
OPTIONAL = ("KAM_BIND", "WEB_PORT", "KAM_TRUSTED_PROXIES", "KAM_SESSION_IDLE_MINUTES", "KAM_SESSION_MAX_HOURS",
            "KAM_BACKUP_KEEP_DAYS", "KAM_BACKUP_INTERVAL")


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED and k not in OPTIONAL}
    env.update(REQUIRED)
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def _config(*args, **changes):
    return subprocess.run([COMPOSE, "-f", "docker-compose.yml", "config", *args], cwd=ROOT, env=_env(**changes),
                          capture_output=True, text=True, timeout=60)


needs_compose = pytest.mark.skipif(COMPOSE is None and not os.environ.get("CI"),
                                   reason="docker-compose is not installed")


@needs_compose
def test_compose_file_is_valid_and_runs_the_whole_stack():
    result = _config()
    assert result.returncode == 0, result.stderr
    services = _config("--services")
    assert set(services.stdout.split()) == {"postgres", "redis", "web", "worker", "beat", "backup"}
    resolved = result.stdout
    for expected in ("manage.py migrate --noinput", "collectstatic", "gunicorn kam.wsgi", "- worker", "- beat",
                     "DATABASE_URL: postgres://kam:compose-validation-pw@postgres", "REDIS_URL: redis://",
                     "DEBUG: '0'", "SECRET_KEY: compose-validation-only", "condition: service_healthy",
                     "POSTGRES_PASSWORD: compose-validation-pw", "KAM_SITE_URL: https://kam.proveedor.example"):
        assert expected in resolved, expected


@needs_compose
@pytest.mark.parametrize("variable", sorted(REQUIRED))
def test_compose_refuses_to_start_without_a_required_setting(variable):
    for missing in (None, ""):
        result = _config("-q", **{variable: missing})
        assert result.returncode != 0, variable
        assert f"set {variable}" in result.stderr  # the message says what to do


def _service(resolved: str, name: str) -> str:
    """One service's block of `docker-compose config` output (services are printed in name order)."""
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \S|^\S|\Z)", resolved, re.M | re.S)
    assert match, name
    return match.group(1)


@needs_compose
def test_the_app_is_published_on_the_loopback_interface_only_unless_told_otherwise():
    # The TLS proxy runs on the host; port 8000 on every interface would let clients past it.
    web = _service(_config().stdout, "web")
    assert re.findall(r"^    ports:\n((?:    - .*\n)+)", web, re.M) == ["    - 127.0.0.1:8000:8000/tcp\n"]
    opened = _service(_config(KAM_BIND="10.0.0.5", WEB_PORT="8080").stdout, "web")
    assert "    - 10.0.0.5:8080:8000/tcp\n" in opened


@needs_compose
def test_the_security_settings_reach_the_app():
    resolved = _config(KAM_TRUSTED_PROXIES="172.18.0.1", KAM_SESSION_IDLE_MINUTES="30").stdout
    web = _service(resolved, "web")
    assert "KAM_TRUSTED_PROXIES: 172.18.0.1\n" in web
    assert "KAM_SESSION_IDLE_MINUTES: '30'\n" in web
    assert "KAM_SESSION_MAX_HOURS: '10'\n" in web
    assert "KAM_SITE_URL: https://kam.proveedor.example\n" in _service(resolved, "worker")
    assert "kam" not in re.findall(r"POSTGRES_PASSWORD: (.*)", _service(resolved, "postgres"))


@needs_compose
def test_the_database_is_backed_up_into_a_volume_of_its_own_with_a_retention():
    resolved = _config(KAM_BACKUP_KEEP_DAYS="30").stdout
    backup = _service(resolved, "backup")
    assert "python manage.py backup" in backup
    assert "KAM_BACKUP_DIR: /backups\n" in backup and "KAM_BACKUP_KEEP_DAYS: '30'\n" in backup
    assert "KAM_BACKUP_INTERVAL: '86400'\n" in backup
    assert re.search(r"^    - backups:/backups", backup, re.M)
    assert re.search(r"^  backups: \{\}$|^  backups:$", resolved.split("\nvolumes:\n", 1)[1], re.M)
    assert "healthcheck:" in backup


@needs_compose
def test_the_web_and_the_worker_are_sized_explicitly():
    resolved = _config(KAM_WEB_WORKERS="5", KAM_WEB_TIMEOUT="20").stdout
    web = _service(resolved, "web")
    assert "gunicorn kam.wsgi --config gunicorn.conf.py" in web
    assert "KAM_WEB_WORKERS: '5'" in web and "KAM_WEB_TIMEOUT: '20'" in web and "KAM_WEB_THREADS: '2'" in web
    worker = _service(resolved, "worker")
    assert "- celery,imports" in worker  # the imports queue has its consumer
    assert "KAM_IMPORT_LEASE_SECONDS: '1800'" in worker


def _gunicorn_settings(**env):
    import runpy

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_gunicorn_takes_workers_threads_and_timeout_from_the_environment():
    conf = _gunicorn_settings(KAM_WEB_WORKERS="4", KAM_WEB_THREADS="3", KAM_WEB_TIMEOUT="25")
    assert (conf["workers"], conf["threads"], conf["worker_class"], conf["timeout"]) == (4, 3, "gthread", 25)
    defaults = _gunicorn_settings(KAM_WEB_WORKERS="", KAM_WEB_THREADS="", KAM_WEB_TIMEOUT="")
    assert defaults["timeout"] == 30 and defaults["threads"] == 2 and defaults["workers"] >= 2
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--config", "gunicorn.conf.py"' in dockerfile
