"""Production settings pass Django's deployment checklist, and refuse to start without a strong secret key
or without the site's address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Only what a production host sets; no test-runner markers that would relax the settings.
PRODUCTION_ENV_DROP = ("DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "PYTEST_VERSION", "PYTEST_CURRENT_TEST",
                       "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT",
                       "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
                       "DJANGO_ALLOW_ASYNC_UNSAFE", "KAM_SITE_URL")


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV_DROP}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


SECRET = "k9Qz-production-like-secret-7fT2mW4xR8vB1nL6pJ3sD0hG5yU_eA!cV"
SITE = "https://kam.proveedor.example"


@pytest.mark.parametrize("extra", [
    {},
    {"ALLOWED_HOSTS": "kam.proveedor.example", "CSRF_TRUSTED_ORIGINS": "https://kam.proveedor.example",
     "BEHIND_PROXY": "1", "EMAIL_URL": "smtp+tls://kam:secreto@smtp.proveedor.example:587"},
], ids=["minimal", "behind-proxy"])
def test_check_deploy_reports_no_issues(extra):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", SECRET_KEY=SECRET,
                     KAM_SITE_URL=SITE, **extra)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", KAM_SITE_URL=SITE)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", ["x", "z" * 64, "insecure-development-key-never-use-in-production-0123456789abcdef"],
                         ids=["short", "one-character", "development-default"])
def test_production_refuses_to_start_with_a_weak_secret_key(key):
    result = _manage("check", DEBUG="0", SECRET_KEY=key, KAM_SITE_URL=SITE)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says how to make a good one


def test_development_accepts_any_secret_key():
    assert _manage("check", DEBUG="1", SECRET_KEY="x").returncode == 0


def test_production_refuses_to_start_without_the_site_address():
    # E-mail links (notifications, password reset) would otherwise point at http://127.0.0.1:8000.
    result = _manage("check", DEBUG="0", SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "ImproperlyConfigured: KAM_SITE_URL" in result.stderr
