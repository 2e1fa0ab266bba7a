"""Each person's language: chosen on the profile page or with the language switcher, used for their
pages from then on, whatever the browser says, and for their e-mails."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kam import services
from kam.errors import Forbidden, Invalid
from kam.models import UserProfile
from kam.roles import KAM
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_until_chosen_pages_follow_the_browser(client):
    user = UserFactory(username="ana", roles=[KAM])
    client.force_login(user)
    page = client.get(reverse("kam:profile"), HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "es"
    assert 'data-testid="language-not-chosen"' in page.content.decode()
    assert not UserProfile.objects.filter(user=user).exists()


def test_the_chosen_language_holds_whatever_the_browser_says(client):
    user = UserFactory(username="ana", roles=[KAM])
    client.force_login(user)
    response = client.post(reverse("kam:profile"), {"language": "es"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert UserProfile.objects.get(user=user).language == "es"
    page = client.get(reverse("kam:notifications"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "es"
    # A new session (another device) starts in it too: the sign-in copies it from the profile.
    other = Client()
    other.force_login(user)
    assert html_lang(other.get(reverse("kam:notifications"), HTTP_ACCEPT_LANGUAGE="en")) == "es"


def test_the_language_switcher_sets_a_signed_in_persons_choice(client):
    user = UserFactory(username="ana", roles=[KAM])
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "es", "next": "/notifications/"})
    assert UserProfile.objects.get(user=user).language == "es"
    client.post(reverse("set_language"), {"language": "en", "next": "/notifications/"})
    assert UserProfile.objects.get(user=user).language == "en"
    other = Client()
    other.force_login(user)
    assert html_lang(other.get(reverse("kam:notifications"), HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_the_profile_page_is_reached_from_the_user_menu(client):
    client.force_login(UserFactory(username="ana", roles=[KAM]))
    html = client.get(reverse("kam:notifications")).content.decode()
    assert f'href="{reverse("kam:profile")}" data-testid="nav-profile"' in html


def test_a_person_sets_only_their_own_language():
    ana, bea = UserFactory(username="ana"), UserFactory(username="bea")
    with pytest.raises(Forbidden):
        services.user_language_set(actor=ana, user=bea, language="es")
    with pytest.raises(Invalid):
        services.user_language_set(actor=ana, user=ana, language="fr")
    assert not UserProfile.objects.exists()
    services.user_language_set(actor=ana, user=ana, language="es")
    assert services.user_language(ana) == "es" and services.user_language(bea) == "en"


def test_the_profile_form_says_what_the_choice_does(client):
    client.force_login(UserFactory(username="ana", roles=[KAM]))
    with translation.override("en"):
        html = client.get(reverse("kam:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language"' in html and "e-mails you receive" in html
