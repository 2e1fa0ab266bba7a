"""In Chromium: the programme lead writes a promise of the charter; on a phone, the compliance page and
the account's own fit the screen, and the account page leads to the account's compliance."""

import datetime

import pytest

from charter.models import Promise
from tests.touchpoints.factories import IncidentFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}


def _sign_in(browser, base_url, username, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_lead_writes_a_promise_and_the_kam_follows_it_from_a_phone(live_server, browser, personas):
    base = live_server.url
    lead = _sign_in(browser, base, "lead", {"width": 1280, "height": 800})
    lead.goto(f"{base}/charter/promises/new/")
    lead.select_option("select[name=department]", label="Operations")
    lead.fill("textarea[name=text]", "Sus incidencias se resuelven dentro del SLA de cuentas clave")
    lead.select_option("select[name=measure]", "sla_resolution")
    lead.fill("input[name=target]", "95")
    lead.get_by_role("button", name="Save").click()
    lead.wait_for_load_state("networkidle")
    assert lead.url == f"{base}/charter/"
    assert Promise.objects.get().tiers == ["key"]
    assert "at least 95 %" in lead.locator("[data-testid=promise]").inner_text()

    opened = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3)
    IncidentFactory(account=personas.account, opened_at=opened, resolve_due_at=opened + datetime.timedelta(hours=8),
                    ack_due_at=opened + datetime.timedelta(hours=1), resolved_at=opened + datetime.timedelta(hours=2),
                    acknowledged_at=opened + datetime.timedelta(hours=1), status="resolved")

    kam = _sign_in(browser, base, "kam", PHONE)
    kam.goto(f"{base}/charter/compliance/?preset=this_quarter")
    assert kam.locator("[data-testid=compliance-promise]").count() == 1
    assert _fits(kam)
    kam.goto(f"{base}/accounts/{personas.account.pk}/")
    kam.locator("[data-testid=charter-account-link]").click()
    kam.wait_for_load_state("networkidle")
    assert kam.url.startswith(f"{base}/accounts/{personas.account.pk}/charter/")
    kam.select_option("select[name=preset]", "last_12_months")
    kam.get_by_role("button", name="Show").click()
    kam.wait_for_load_state("networkidle")
    assert kam.locator("[data-testid=account-outcome]").inner_text() == "met"
    assert _fits(kam)
