"""Sessions end after KAM_SESSION_IDLE_MINUTES without a request (sliding) and, in any case,
KAM_SESSION_MAX_HOURS after signing in (kam.middleware.SessionTimeoutMiddleware)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
PAGE = "kam:notifications"


def minutes(n):
    return START + datetime.timedelta(minutes=n)


@pytest.fixture
def signed_in(client):
    UserFactory(username="ana")
    with freeze_time(START):
        response = client.post(reverse("login"), {"username": "ana", "password": "pw-test-12345"})
    assert response.status_code == 302
    return client


def _get(client, at, **headers):
    with freeze_time(at):
        return client.get(reverse(PAGE), **headers)


def test_defaults_are_an_hour_idle_and_a_working_day_at_most():
    assert django_settings.KAM_SESSION_IDLE_MINUTES == 60
    assert 8 <= django_settings.KAM_SESSION_MAX_HOURS <= 12
    # The cookie and the stored session must not outlive the idle time by more than the refresh step.
    assert django_settings.SESSION_COOKIE_AGE <= 61 * 60


def test_a_session_left_idle_ends(signed_in):
    response = _get(signed_in, minutes(61))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in signed_in.session


def test_the_idle_timeout_slides_with_activity(signed_in):
    for at in (50, 100, 150, 200):
        assert _get(signed_in, minutes(at)).status_code == 200, at
    assert _get(signed_in, minutes(261)).status_code == 302


def test_no_session_outlives_the_absolute_maximum(signed_in):
    limit = django_settings.KAM_SESSION_MAX_HOURS * 60
    at = 0
    while at + 30 < limit:
        at += 30
        assert _get(signed_in, minutes(at)).status_code == 200, at
    assert _get(signed_in, minutes(limit + 1)).status_code == 302
    assert "_auth_user_id" not in signed_in.session


@pytest.mark.parametrize("idle", [60.5, 61, 600], ids=["ended-here", "row-expired", "long-gone"])
def test_the_person_is_told_why(signed_in, idle):
    with freeze_time(minutes(idle)):
        response = signed_in.get(reverse(PAGE), follow=True)
    assert response.status_code == 200
    assert "Your session has ended" in response.content.decode()


@pytest.mark.parametrize("idle", [60.5, 600])
def test_an_htmx_request_after_the_timeout_reloads_the_whole_page_at_sign_in(signed_in, idle):
    response = _get(signed_in, minutes(idle), HTTP_HX_REQUEST="true",
                    HTTP_HX_CURRENT_URL="http://testserver/accounts/?q=acero")
    assert response["HX-Redirect"] == reverse("login") + "?next=/accounts/%3Fq%3Dacero"


def test_signing_out_does_not_say_the_session_ended(signed_in):
    with freeze_time(minutes(5)):
        signed_in.post(reverse("logout"))
        response = signed_in.get(reverse(PAGE), follow=True)
    assert "Your session has ended" not in response.content.decode()


def test_the_stored_session_expires_too(signed_in):
    # Not only the middleware: the session row itself expires, so a stolen cookie dies with it.
    key = signed_in.session.session_key
    expires = Session.objects.get(session_key=key).expire_date
    assert expires <= minutes(61)


def test_requests_within_a_minute_do_not_rewrite_the_session(signed_in):
    # Sliding expiry without a write per request: the pages' query budgets stay as they are.
    _get(signed_in, minutes(10))
    with CaptureQueriesContext(connection) as queries, freeze_time(minutes(10.5)):
        assert signed_in.get(reverse(PAGE)).status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_session_from_before_the_timeout_existed_gets_a_fresh_start(client):
    # Sessions created outside login() (or before this release) carry no timestamps.
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory(username="old")
    with freeze_time(START):
        store = SessionStore()
        store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                      HASH_SESSION_KEY: user.get_session_auth_hash()})
        store.create()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key
    assert _get(client, minutes(5)).status_code == 200
    assert _get(client, minutes(70)).status_code == 302
