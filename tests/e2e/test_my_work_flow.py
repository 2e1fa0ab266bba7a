"""In Chromium, on a phone: a person of finance signs in through the real form, lands on "My work",
sees the follow-up they own and marks it done in place (htmx), in English and in Spanish; the touchpoint
form asks for the follow-up's owner and date."""

import datetime

import pytest
from django.urls import reverse

from tests.touchpoints.factories import TouchpointFactory
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NO_OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _sign_in(page, base_url, username, password="pw-test-12345"):
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language,title,done", [("en", "My work", "Follow-up done"),
                                                 ("es", "Mi trabajo", "Seguimiento hecho")])
def test_a_finance_person_lands_on_my_work_and_closes_a_follow_up(live_server, browser, personas, language,
                                                                  title, done):
    follow_up = TouchpointFactory(account=personas.account, created_by=personas.kam, follow_up=True,
                                  follow_up_note="Enviar el extracto de facturas", follow_up_owner=personas.teammate,
                                  follow_up_due=datetime.date.today() - datetime.timedelta(days=2))
    context = browser.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, personas.teammate.username)
        assert page.url == live_server.url + reverse("metrics:my_work")
        assert page.locator("h1").inner_text() == title
        assert page.evaluate(NO_OVERFLOW) <= 0
        row = page.get_by_test_id("follow-up")
        assert "Enviar el extracto de facturas" in row.inner_text()
        assert page.get_by_test_id("count-follow_ups").inner_text() == "1"
        row.get_by_test_id("follow-up-done").click()
        page.get_by_test_id("follow-up-closed").wait_for(state="visible")
        assert done in page.get_by_test_id("follow-up-closed").inner_text()
        assert page.url == live_server.url + reverse("metrics:my_work")  # closed in place
        follow_up.refresh_from_db()
        assert follow_up.follow_up_closed_by == personas.teammate
        page.reload()
        assert page.get_by_test_id("empty-follow_ups").is_visible()
        assert page.evaluate(NO_OVERFLOW) <= 0
        # My work is the first item of the navigation, on every page.
        page.goto(live_server.url + reverse("accounts:list"))
        page.locator(".navbar-toggler").click()
        page.locator("#mainnav.show").wait_for(state="visible")
        assert page.locator("#mainnav a.nav-link").first.inner_text().strip() == title
    finally:
        context.close()


def test_the_touchpoint_form_names_who_follows_up_and_by_when(live_server, browser, personas):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, personas.kam.username)
        page.goto(live_server.url + reverse("touchpoints:touchpoint_new") + f"?account={personas.account.pk}")
        assert not page.locator("#id_follow_up_due").is_visible()  # only with a follow-up
        page.fill("textarea[name=summary]", "Reunión de seguimiento del pedido")
        page.check("#id_follow_up")
        page.fill("#id_follow_up_note", "Enviar el abono")
        page.locator("button[type=submit]", has_text="Save touchpoint").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#id_follow_up_due.is-invalid").is_visible()  # a date is required
        page.select_option("#id_follow_up_owner", str(personas.teammate.pk))
        page.fill("#id_follow_up_due", (datetime.date.today() + datetime.timedelta(days=3)).isoformat())
        assert page.evaluate(NO_OVERFLOW) <= 0
        page.locator("button[type=submit]", has_text="Save touchpoint").click()
        page.wait_for_load_state("networkidle")
        tp = Touchpoint.objects.get()
        assert tp.follow_up_owner == personas.teammate and tp.follow_up_note == "Enviar el abono"
    finally:
        context.close()
