"""Sign-in is throttled per username and address after repeated failures (kam/login.py)."""

import pytest
from django.urls import reverse

from kam.ratelimit import RateLimit
from tests.factories import UserFactory

PASSWORD = "pw-test-12345"


@pytest.fixture
def user(db):
    return UserFactory(username="victim")


def _post(client, username, password, addr="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_correct_password_is_refused_after_the_failure_limit(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = _post(client, "victim", "wrong-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = _post(client, "victim", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_is_per_username_and_address(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 2
    other = UserFactory(username="bystander")
    for _ in range(2):
        _post(client, "victim", "wrong")
    # The same person from another address, and another user from the same address, still get in.
    assert _post(client, "victim", PASSWORD, addr="10.0.0.2").status_code == 302
    client.logout()
    assert _post(client, other.username, PASSWORD).status_code == 302


def test_username_case_does_not_open_a_fresh_allowance(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 2
    _post(client, "victim", "wrong")
    _post(client, "VICTIM", "wrong")
    assert _post(client, "Victim", PASSWORD).status_code == 429


def test_success_before_the_limit_clears_the_count(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 3
    _post(client, "victim", "wrong")
    _post(client, "victim", "wrong")
    assert _post(client, "victim", PASSWORD).status_code == 302
    client.logout()
    _post(client, "victim", "wrong")
    _post(client, "victim", "wrong")
    assert _post(client, "victim", PASSWORD).status_code == 302


def test_message_is_translated(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 1
    _post(client, "victim", "wrong")
    response = client.post(reverse("login"), {"username": "victim", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 429
    assert "Demasiados intentos" in response.content.decode()


def test_limiter_window_expires(db):
    from django.core.cache import cache

    limiter = RateLimit("t", limit=2, window=60)
    assert limiter.hit("k") == 1
    assert limiter.hit("k") == 2
    assert limiter.exceeded("k")
    cache.delete(limiter._key("k"))  # what the cache's expiry does at the end of the window
    assert not limiter.exceeded("k")
    assert limiter.hit("k") == 1


@pytest.mark.parametrize("variant", [
    "ｖictim",  # fullwidth v: NFKC makes it "victim", and sign-in normalises the same way
    "ＶＩＣＴＩＭ",
    "Victim ",
])
def test_unicode_variants_of_a_locked_out_username_are_refused(client, user, settings, variant):
    settings.KAM_LOGIN_FAILURE_LIMIT = 2
    _post(client, "victim", "wrong")
    _post(client, "victim", "wrong")
    response = _post(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_unicode_variants_do_not_open_fresh_allowances(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 3
    for variant in ("ｖictim", "vｉctim", "victｉm"):
        assert _post(client, variant, "wrong").status_code == 200
    assert _post(client, "victim", PASSWORD).status_code == 429


def test_fullwidth_username_signs_in_as_the_user(client, user):
    # Why the key must be normalised: Django's form signs "ｖictim" in as "victim".
    assert _post(client, "ｖictim", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_one_address_is_limited_across_usernames(client, user, settings):
    settings.KAM_LOGIN_FAILURE_LIMIT = 100
    settings.KAM_LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for i in range(4):
        assert _post(client, f"someone-{i}", "wrong").status_code == 200
    # Spraying other names from this address has used up its allowance, for every user.
    response = _post(client, "victim", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your network" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Other addresses are not affected.
    assert _post(client, "victim", PASSWORD, addr="10.0.0.2").status_code == 302


def test_a_successful_sign_in_does_not_reset_the_address_count(client, user, settings):
    # Otherwise an attacker with one account of their own could clear their address's count at will.
    settings.KAM_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    own = UserFactory(username="attacker")
    _post(client, "alpha", "wrong")
    _post(client, "beta", "wrong")
    assert _post(client, own.username, PASSWORD).status_code == 302
    client.logout()
    _post(client, "gamma", "wrong")
    assert _post(client, "victim", PASSWORD).status_code == 429


def test_address_limit_has_a_sensible_default():
    from django.conf import settings

    assert 10 <= settings.KAM_LOGIN_ADDRESS_FAILURE_LIMIT <= 100
