"""In Chromium, in Spanish, on a phone: the KAM opens the account brief from the account page; it fits the
screen, and printed it shows the brief without the navigation."""

import pytest

from tests.metrics.test_brief import fill

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}


def test_brief_on_a_phone_in_spanish_and_printed(live_server, browser, personas, browser_login):
    fill(personas.account)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    # The print dialog would block the test: the button's call is recorded instead.
    context.add_init_script("window.print = function () { window.__printed = true; };")
    page = context.new_page()
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    browser_login(page, "kam")
    page.goto(f"{live_server.url}/accounts/{personas.account.pk}/")
    page.locator("[data-testid=brief-link]").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/accounts/{personas.account.pk}/brief/"
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Incidencias abiertas" in page.locator("[data-testid=brief-incidents]").inner_text()
    assert page.locator("[data-testid=brief-incident][data-severity=critical]").first.evaluate(
        "el => getComputedStyle(el).color") == "rgb(220, 53, 69)"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.locator("[data-testid=brief-print]").click()
    assert page.evaluate("window.__printed === true")
    assert refused == []

    navbar = page.locator("nav.navbar")
    assert navbar.is_visible()
    page.emulate_media(media="print")
    assert not navbar.is_visible()
    assert not page.locator("[data-testid=brief-print]").is_visible()
    assert not page.locator("[data-testid=language-switcher]").is_visible()
    assert page.locator("[data-testid=brief-stakeholders]").is_visible()
    context.close()
