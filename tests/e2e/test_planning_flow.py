"""A plan from draft to agreed, in a real browser: the KAM fills the three phases and submits, the
sponsor and the department sign off, the KAM commits and shares, the client opens the link with the code
e-mailed to them and accepts."""

import re

import pytest
from playwright.sync_api import expect

from planning.models import AccountPlan, PlanStatus
from tests.factories import ContactFactory
from tests.planning.client import last_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save_section(page, section):
    page.click(f'[data-testid="save-{section}"]')
    expect(page.locator(f'[data-testid="section-{section}"] [data-testid="saved"]')).to_be_visible()


def test_plan_from_draft_to_agreed(personas, live_server, browser, browser_login):
    luis = ContactFactory(account=personas.account, name="Luis Pérez", position="Director de compras")
    kam = browser.new_context().new_page()
    browser_login(kam, "kam")
    kam.goto(f"{live_server.url}/accounts/{personas.account.pk}/plans/")
    kam.click("text=Create plan")
    expect(kam.locator('[data-testid="plan-status"]')).to_have_attribute("data-status", "draft")
    plan = AccountPlan.objects.get(account=personas.account)

    # Conocimiento
    kam.fill("#id_conocimiento-industry_variables", "Precio de la energía y aranceles")
    kam.fill("#id_conocimiento-business_problems", "VISIBLE-SOLO-INTERNO paradas no planificadas")
    _save_section(kam, "conocimiento")
    kam.click("text=Add a knowledge task")
    kam.fill("#id_task-description", "Asistir a su curso de inducción")
    kam.click('[data-testid="add-task"]')
    expect(kam.locator('[data-testid="rows-task"]')).to_contain_text("Asistir a su curso de inducción")
    expect(kam.locator('[data-testid="pct-conocimiento"]')).not_to_have_text("0 %")

    # Visión
    kam.click("#tab-vision")
    kam.fill("#id_vision-vision_statement", "Reducir su coste energético un 10 %")
    _save_section(kam, "vision")
    kam.click("text=Add an opportunity")
    kam.fill("#id_opportunity-client_benefit", "Menos paradas")
    kam.fill("#id_opportunity-our_solution", "Mantenimiento predictivo")
    kam.fill("#id_opportunity-value", "400000")
    kam.fill("#id_opportunity-probability", "50")
    kam.click('[data-testid="add-opportunity"]')
    expect(kam.locator('[data-testid="pipeline"]')).to_contain_text("200")

    # Compromiso: one of ours (finance, owned by the teammate) and one of the client's.
    kam.click("#tab-compromiso")
    kam.click("text=Add a commitment")
    kam.select_option("#id_commitment-party", "us")
    kam.fill("#id_commitment-description", "Facturación consolidada mensual")
    kam.select_option("#id_commitment-department", label="Finance")
    kam.select_option("#id_commitment-owner", label="Pablo Gil")
    kam.fill("#id_commitment-due_date", "2026-12-15")
    kam.click('[data-testid="add-commitment"]')
    expect(kam.locator('[data-testid="commitments-us"]')).to_contain_text("Facturación consolidada mensual")
    kam.click("text=Add a commitment")
    kam.select_option("#id_commitment-party", "client")
    kam.fill("#id_commitment-description", "Previsión de consumo trimestral")
    kam.select_option("#id_commitment-contact", label="Luis Pérez (Director de compras)")
    kam.fill("#id_commitment-due_date", "2026-12-20")
    kam.click('[data-testid="add-commitment"]')
    expect(kam.locator('[data-testid="commitments-client"]')).to_contain_text("Previsión de consumo")

    kam.reload()
    kam.click("#tab-compromiso")
    kam.click('[data-testid="submit-plan"]')
    expect(kam.locator('[data-testid="plan-status"]')).to_have_attribute("data-status", "in_review")

    # The sponsor and the finance department sign off.
    for username in ("sponsor", "teammate"):
        page = browser.new_context().new_page()
        browser_login(page, username)
        page.goto(f"{live_server.url}/plans/{plan.pk}/#compromiso")
        page.click('[data-testid="signoff-button"]')
        expect(page.locator(".alert-success")).to_contain_text("Sign-off recorded")
        page.context.close()

    # The KAM commits and shares, hiding the internal analysis and the opportunity values.
    kam.goto(f"{live_server.url}/plans/{plan.pk}/?signed=1#compromiso")  # a new load, not a hash change
    kam.click('[data-testid="commit-plan"]')
    expect(kam.locator('[data-testid="plan-status"]')).to_have_attribute("data-status", "committed")
    kam.click('[data-testid="share-link"]')
    kam.select_option("#id_contact", value=str(luis.pk))
    kam.click('[data-testid="create-share"]')
    url = kam.locator('[data-testid="new-share-url"]').input_value()
    assert re.search(r"/share/[A-Za-z0-9_-]{43,}/$", url)

    # The client, not signed in, proves who they are with the e-mailed code, sees only the visible
    # sections and accepts.
    client = browser.new_context().new_page()
    client.goto(url)
    client.click('[data-testid="send-code"]')
    client.fill("#id_code-code", last_code(luis.email))
    client.click('[data-testid="verify-code"]')
    expect(client.locator('[data-testid="plan-document"]')).to_contain_text("Reducir su coste energético")
    html = client.content()
    assert "VISIBLE-SOLO-INTERNO" not in html
    assert 'data-testid="opportunity-value"' not in html
    assert 'data-section="signoffs"' not in html
    client.click('[data-testid="accept-plan"]')
    expect(client.locator('[data-testid="accepted"]')).to_be_visible()

    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    kam.goto(f"{live_server.url}/plans/{plan.pk}/history/")
    cells = kam.locator('[data-testid="history-reason"]')
    reasons = [cells.nth(i).get_attribute("data-reason") for i in range(cells.count())]
    for step in ("submitted", "committed", "client agreed"):
        assert step in reasons, reasons
    expect(kam.locator('[data-testid="history-table"]')).to_contain_text("The client agreed")
