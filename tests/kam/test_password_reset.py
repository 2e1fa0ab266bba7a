"""Password reset by e-mail for accounts that sign in with a password here (Django's views, kam/login.py):
the answer never says whether an address has an account, the link points at KAM_SITE_URL, and asking
is throttled per address and per e-mail so that the form cannot be used to flood someone's inbox."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nueva-clave-segura-2026"


def _ask(client, email, addr="10.20.0.1", **extra):
    # The e-mail is background work, run once the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=addr, **extra)


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_sign_in_page_links_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_a_person_resets_a_forgotten_password_through_the_link(client, settings):
    settings.KAM_SITE_URL = "https://kam.proveedor.example/"
    user = UserFactory(username="irene.vidal", email="irene.vidal@proveedor.example")
    response = _ask(client, "Irene.Vidal@proveedor.example")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")

    (message,) = mail.outbox
    assert message.to == ["irene.vidal@proveedor.example"]
    assert "irene.vidal" in message.body  # the username, which is what people sign in with
    link = _link(message)
    assert link.startswith("https://kam.proveedor.example/password/reset/")

    path = link.removeprefix("https://kam.proveedor.example")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(path, follow=True)
    assert "new_password1" not in again.content.decode()
    assert client.post(reverse("login"), {"username": "irene.vidal", "password": NEW_PASSWORD}).status_code == 302


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client):
    UserFactory(username="ana", email="ana@proveedor.example")
    known = _ask(client, "ana@proveedor.example", addr="10.20.0.2")
    unknown = _ask(client, "nadie@proveedor.example", addr="10.20.0.3")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    page = client.get(known["Location"]).content.decode()
    assert "If an account" in page


@pytest.mark.parametrize("kind", ["inactive", "no-password"])
def test_accounts_that_cannot_sign_in_with_a_password_get_nothing(client, kind):
    user = UserFactory(username="otro", email="otro@proveedor.example", is_active=kind != "inactive")
    if kind == "no-password":
        user.set_unusable_password()
        user.save()
    assert _ask(client, "otro@proveedor.example").status_code == 302
    assert mail.outbox == []


def test_one_address_cannot_flood_an_inbox(client, settings):
    settings.KAM_PASSWORD_RESET_EMAIL_LIMIT = 3
    UserFactory(username="ana", email="ana@proveedor.example")
    for i in range(6):
        # Even from many addresses, and however the address is spelt.
        response = _ask(client, "ANA@proveedor.example" if i % 2 else "ana@proveedor.example", addr=f"10.20.1.{i}")
        assert response.status_code == 302  # the same answer: the limit says nothing about the account
    assert len(mail.outbox) == 3


def test_one_client_is_limited_across_addresses(client, settings):
    settings.KAM_PASSWORD_RESET_ADDRESS_LIMIT = 4
    for i in range(4):
        assert _ask(client, f"persona{i}@proveedor.example").status_code == 302
    response = _ask(client, "ana@proveedor.example")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert _ask(client, "ana@proveedor.example", addr="10.20.0.9").status_code == 302


def test_the_email_is_in_the_language_of_the_request(client):
    UserFactory(username="ana", email="ana@proveedor.example")
    _ask(client, "ana@proveedor.example", HTTP_ACCEPT_LANGUAGE="es")
    (message,) = mail.outbox
    assert "contraseña" in message.subject.lower()


def test_an_invalid_link_says_so(client):
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-def"}))
    assert response.status_code == 200
    assert "no longer valid" in response.content.decode()


def test_defaults_are_sensible():
    from django.conf import settings

    assert settings.PASSWORD_RESET_TIMEOUT <= 2 * 3600
    assert 1 <= settings.KAM_PASSWORD_RESET_EMAIL_LIMIT <= 5
    assert 5 <= settings.KAM_PASSWORD_RESET_ADDRESS_LIMIT <= 30


def test_a_reset_ends_the_persons_other_sessions(client):
    from tests.conftest import client_for

    user = UserFactory(username="ana", email="ana@proveedor.example")
    elsewhere = client_for(user)
    assert elsewhere.get(reverse("kam:notifications")).status_code == 200
    _ask(client, "ana@proveedor.example")
    path = "/" + _link(mail.outbox[0]).split("/", 3)[3]
    form_page = client.get(path, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert elsewhere.get(reverse("kam:notifications")).status_code == 302
