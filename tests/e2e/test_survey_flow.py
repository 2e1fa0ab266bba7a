"""In Chromium: the client opens their survey link on a phone, answers in Spanish, and the KAM's
account page then shows the client's score and the gap against our own rating."""

import pytest
from django.urls import reverse

from tests.factories import ContactFactory
from tests.touchpoints.factories import RatingFactory
from touchpoints import services

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_client_answers_in_spanish_and_the_account_shows_score_and_gap(live_server, browser, personas):
    base = live_server.url
    RatingFactory(account=personas.account, score=9)
    contact = ContactFactory(account=personas.account, name="Marta Sanz", language="es")
    _link, token = services.survey_link_for(actor=personas.kam, contact=contact)

    client = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    client.goto(f"{base}{reverse('touchpoints:survey', args=[token])}")
    assert "qué tal lo estamos haciendo" in client.locator("h1").inner_text()
    assert _fits(client)
    client.get_by_role("button", name="Enviar mis respuestas").click()
    client.wait_for_load_state("networkidle")
    assert client.locator("[data-testid=error-satisfaction]").count() == 1  # nothing chosen yet
    for field, value in (("satisfaction", "5"), ("recommend", "6"), ("understands", "3"), ("delivers", "2"),
                         ("easy", "4")):
        client.locator(f"[data-testid=q-{field}] label", has_text=value).first.click()
    client.fill("textarea[name=comment]", "Los plazos de entrega nos preocupan")
    client.get_by_role("button", name="Enviar mis respuestas").click()
    client.wait_for_load_state("networkidle")
    assert "Gracias" in client.locator("[data-testid=survey-thanks]").inner_text()

    kam = browser.new_context(viewport=PHONE).new_page()
    kam.goto(f"{base}/login/")
    kam.fill("input[name=username]", "kam")
    kam.fill("input[name=password]", "pw-test-12345")
    kam.click("main button[type=submit]")
    kam.wait_for_load_state("networkidle")
    kam.goto(f"{base}/accounts/{personas.account.pk}/")
    panel = kam.locator("[data-testid=survey-panel]")
    panel.wait_for()
    assert panel.locator("[data-testid=client-score]").inner_text() == "5.0"
    assert panel.locator("[data-testid=mutuality-gap]").inner_text() == "+4.0"
    assert _fits(kam)
