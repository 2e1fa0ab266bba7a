"""The production stack's definition stays valid and complete (validated by docker-compose itself)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which("docker-compose")


def _config():
    env = {**os.environ, "SECRET_KEY": "compose-validation-only"}
    return subprocess.run([COMPOSE, "-f", "docker-compose.yml", "config"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(COMPOSE is None and not os.environ.get("CI"), reason="docker-compose is not installed")
def test_compose_file_is_valid_and_runs_the_whole_stack():
    result = _config()
    assert result.returncode == 0, result.stderr
    services = subprocess.run([COMPOSE, "-f", "docker-compose.yml", "config", "--services"], cwd=ROOT,
                              env={**os.environ, "SECRET_KEY": "x"}, capture_output=True, text=True, timeout=60)
    assert set(services.stdout.split()) == {"postgres", "redis", "web", "worker", "beat"}
    resolved = result.stdout
    for expected in ("manage.py migrate --noinput", "collectstatic", "gunicorn kam.wsgi", "- worker", "- beat",
                     "DATABASE_URL: postgres://", "REDIS_URL: redis://", "DEBUG: '0'",
                     "SECRET_KEY: compose-validation-only", "condition: service_healthy"):
        assert expected in resolved, expected


@pytest.mark.skipif(COMPOSE is None and not os.environ.get("CI"), reason="docker-compose is not installed")
def test_compose_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([COMPOSE, "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
