"""In Chromium: an operations person opens the queue and finds the critical key-account incident first,
in red, among earlier deadlines of lesser severity; takes it, puts it waiting on the client and resumes."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import AccountFactory
from tests.touchpoints.factories import IncidentFactory
from touchpoints.models import ServiceIncident

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}


def _sign_in(browser, base_url, username, viewport=PHONE):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_operator_takes_the_critical_key_incident_waits_on_the_client_and_resumes(live_server, browser, personas):
    now = timezone.now()
    standard = AccountFactory(tier="standard", name="Ferretería Luna S.L.")
    for i in range(30):
        IncidentFactory(account=standard, title=f"Consulta de albarán {i}", severity="low",
                        ack_due_at=now - datetime.timedelta(hours=2, minutes=i))
    critical = IncidentFactory(account=personas.account, title="Parada de línea por falta de bobinas",
                               severity="critical", ack_due_at=now + datetime.timedelta(minutes=50))
    base = live_server.url

    page = _sign_in(browser, base, "operator")
    page.goto(f"{base}/incidents/")
    first = page.locator("[data-testid=incident-queue] tbody tr").first
    assert "Parada de línea por falta de bobinas" in first.inner_text()
    badge = first.locator("[data-testid=severity]")
    assert "text-bg-danger" in badge.get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    first.get_by_role("link", name="Parada de línea por falta de bobinas").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Take it").click()
    page.wait_for_load_state("networkidle")
    assert "Carlos Navarro" in page.locator("[data-testid=incident-assignee]").inner_text()
    assert ServiceIncident.objects.get(pk=critical.pk).assignee == personas.operator

    # Waiting on the client: the clocks stop.
    page.check("#id_waiting_on_client")
    page.locator("[data-testid=incident-update]").get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=waiting-badge]").is_visible()
    waiting = ServiceIncident.objects.get(pk=critical.pk)
    assert waiting.waiting_since is not None
    due_before = waiting.ack_due_at

    # The client answers: resuming moves the deadline by the time waited.
    page.uncheck("#id_waiting_on_client")
    page.locator("[data-testid=incident-update]").get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=waiting-badge]").count() == 0
    resumed = ServiceIncident.objects.get(pk=critical.pk)
    assert resumed.waiting_since is None and resumed.ack_due_at > due_before

    # Back on the queue, filtered to mine, it is there with its assignee.
    page.goto(f"{base}/incidents/?assigned=mine")
    rows = page.locator("[data-testid=incident-queue] tbody tr")
    assert rows.count() == 1 and "Parada de línea" in rows.first.inner_text()
