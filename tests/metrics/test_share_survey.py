"""The verified client of a share link reaches the survey from the plan's page: the contact's own
survey, as if the account team had sent it; without the link's client session, back to the code."""

import pytest
from django.urls import reverse

from tests.factories import ContactFactory
from tests.planning.client import share_url, verified_client
from tests.planning.factories import PlanFactory
from touchpoints.models import SurveyLink, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(personas):
    from planning import services

    plan = PlanFactory(account=personas.account)
    contact = ContactFactory(account=personas.account, email="direccion@cliente.example", language="es")
    link, token = services.share_link_create(actor=personas.kam, plan=plan, hidden_sections=[], contact=contact)
    return link, token, contact


def test_the_verified_client_goes_to_their_own_survey_and_answers_it(personas, shared):
    link, token, contact = shared
    browser = verified_client(link, token)
    page = browser.get(share_url(token)).content.decode()
    assert reverse("metrics:share_survey", args=[token]) in page
    response = browser.get(reverse("metrics:share_survey", args=[token]))
    assert response.status_code == 302 and response["Location"].startswith("/survey/")
    survey = SurveyLink.objects.get(contact=contact)
    assert survey.created_by == personas.kam and survey.account == personas.account
    answer = browser.post(response["Location"], {"satisfaction": "4", "recommend": "5", "understands": "2",
                                                 "delivers": "3", "easy": "3", "comment": ""})
    assert answer.status_code == 302
    assert SurveyResponse.objects.get(link=survey).satisfaction == 4


def test_without_the_code_the_client_is_sent_back_to_the_page(shared, client):
    _link, token, contact = shared
    response = client.get(reverse("metrics:share_survey", args=[token]))
    assert response.status_code == 302 and response["Location"] == share_url(token)
    assert not SurveyLink.objects.filter(contact=contact).exists()


def test_a_dead_link_reaches_no_survey(personas, shared, client):
    from planning import services

    link, token, contact = shared
    browser = verified_client(link, token)
    services.share_link_revoke(actor=personas.kam, link=link)
    assert browser.get(reverse("metrics:share_survey", args=[token])).status_code == 404
    assert client.get(reverse("metrics:share_survey", args=["x" * 40])).status_code == 404
    assert not SurveyLink.objects.filter(contact=contact).exists()
