"""Security settings as a production host gets them, the content security policy on every response,
and Django's default password hashing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SECRET = "t3st-only-production-like-key-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a"

# A production host sets none of these; the test run's own markers would relax the settings.
DROP = ("DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DEBUG",
        "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "KAM_QUERY_COUNT_HEADER", "DJANGO_ALLOW_ASYNC_UNSAFE",
        "KAM_SITE_URL")

PROBE = """
import json, django
django.setup()
from django.conf import settings, global_settings
from django.contrib.auth.hashers import make_password
print(json.dumps({
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "DEBUG": settings.DEBUG,
    "MIDDLEWARE": settings.MIDDLEWARE,
    "hashers_are_default": list(settings.PASSWORD_HASHERS) == list(global_settings.PASSWORD_HASHERS),
    "hash": make_password("correct horse battery staple"),
    "validators": [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS],
}))
"""


def production_settings(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update({"DEBUG": "0", "SECRET_KEY": SECRET, "DJANGO_SETTINGS_MODULE": "kam.settings",
                "KAM_SITE_URL": "https://kam.example.com", **extra})
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_production_cookies_are_secure_and_https_is_enforced(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000


def test_production_hashes_passwords_with_djangos_defaults(production):
    assert production["hashers_are_default"]
    algorithm, iterations, _salt, _hash = production["hash"].split("$")
    assert algorithm == "pbkdf2_sha256"
    # Django 5.2's own work factor, not a lowered one.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    assert int(iterations) == PBKDF2PasswordHasher.iterations
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= set(production["validators"])


def test_production_has_the_policy_and_no_query_counter(production):
    assert "kam.middleware.ContentSecurityPolicyMiddleware" in production["MIDDLEWARE"]
    assert "kam.middleware.QueryCountHeaderMiddleware" not in production["MIDDLEWARE"]


EXPECTED_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "object-src": "'none'", "base-uri": "'self'", "frame-ancestors": "'none'", "form-action": "'self'",
}


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/no-such-page/"])
def test_every_response_carries_the_content_security_policy(client, path):
    policy = _policy(client.get(path))
    for directive, value in EXPECTED_CSP.items():
        assert policy.get(directive) == value, directive
    # Nothing that would let inline code back in.
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


@pytest.mark.django_db
def test_signed_in_pages_carry_the_policy(personas):
    from tests.conftest import client_for

    response = client_for(personas.kam).get(reverse("kam:notifications"))
    assert response.status_code == 200
    assert _policy(response)["script-src"] == "'self'"


@pytest.mark.django_db
def test_query_count_header_is_off_by_default(client):
    assert "X-Query-Count" not in client.get("/login/")


@pytest.mark.django_db
def test_query_count_header_counts_the_requests_queries(personas, settings):
    from tests.conftest import client_for

    settings.MIDDLEWARE = ["kam.middleware.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]
    client = client_for(personas.kam)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("kam:notifications"))
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) == len(queries) > 0


@override_settings(DEBUG=False)
def test_the_error_page_has_no_inline_code():
    html = (ROOT / "templates" / "500.html").read_text()
    assert "<script" not in html and "style=" not in html and "<style" not in html


# --- Permissions-Policy and caching of signed-in pages ---------------------------------------------
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture")


def _permissions(response) -> dict:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/no-such-page/", "/static/js/app.js"])
def test_every_response_denies_powerful_browser_features(client, path):
    policy = _permissions(client.get(path))
    for feature in DENIED_FEATURES:
        assert policy.get(feature) == "()", feature


@pytest.mark.django_db
def test_signed_in_pages_deny_them_too(personas):
    from tests.conftest import client_for

    policy = _permissions(client_for(personas.kam).get(reverse("kam:notifications")))
    assert all(policy.get(feature) == "()" for feature in DENIED_FEATURES)


def test_production_sends_the_permissions_policy(production):
    assert "django_permissions_policy.PermissionsPolicyMiddleware" in production["MIDDLEWARE"]


def _cache_control(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["kam:notifications", "password_change", "admin:index"])
def test_pages_for_signed_in_people_are_not_stored(personas, url_name):
    from tests.conftest import client_for

    response = client_for(personas.lead).get(reverse(url_name))
    assert response.status_code == 200
    directives = _cache_control(response)
    assert {"no-store", "private"} <= directives
    assert "public" not in directives


@pytest.mark.django_db
def test_the_answer_to_signing_in_is_not_stored(client):
    from tests.factories import UserFactory

    UserFactory(username="ana")
    response = client.post(reverse("login"), {"username": "ana", "password": "pw-test-12345"})
    assert response.status_code == 302
    assert {"no-store", "private"} <= _cache_control(response)


@pytest.mark.django_db
def test_static_files_keep_their_caching(personas):
    # Scripts and styles are the same for everyone: the browser may keep them, signed in or not.
    from tests.conftest import client_for

    response = client_for(personas.kam).get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)
