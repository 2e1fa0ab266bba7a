"""A framework agreement on a phone: the KAM drafts it from the negotiation's written agreements, adds a
term, signs it, and finds it on the account page's panel; no page scrolls sideways at 390 px."""

import pytest

from agreements.models import AgreementStatus, FrameworkAgreement
from planning.models import Negotiation, NegotiationAgreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_kam_drafts_from_the_negotiation_adds_a_term_and_signs_on_a_phone(personas, live_server, browser):
    neg = Negotiation.objects.create(account=personas.account, title="Renovación del contrato marco",
                                     created_by=personas.kam)
    NegotiationAgreement.objects.create(negotiation=neg,
                                        description="Revisión semestral de precios ligada a la energía")
    base = live_server.url
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "kam")
    page.fill("input[name=password]", "pw-test-12345")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/accounts/{personas.account.pk}/agreements/")
    _fits(page)
    page.select_option("select[name=negotiation]", str(neg.pk))
    page.click("[data-testid=draft-from-negotiation]")
    page.wait_for_load_state("networkidle")
    agreement = FrameworkAgreement.objects.get(negotiation=neg)
    assert page.url == f"{base}/agreements/{agreement.pk}/"
    assert "Revisión semestral" in page.locator("[data-testid=agreement-terms]").inner_text()
    _fits(page)

    page.click("summary:has-text('Add a term')")
    page.select_option("select[name=term-kind]", "payment")
    page.fill("input[name=term-text]", "Pago a 60 días fecha factura")
    page.fill("input[name=term-value]", "60")
    page.fill("input[name=term-unit]", "días")
    page.click("[data-testid=add-term]")
    page.wait_for_load_state("networkidle")
    assert "Pago a 60 días" in page.locator("[data-testid=agreement-terms]").inner_text()

    page.click("[data-testid=action-sign]")
    page.wait_for_load_state("networkidle")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert page.locator("[data-testid=agreement-status]").inner_text() == "Signed"
    _fits(page)

    page.goto(f"{base}/accounts/{personas.account.pk}/")
    page.wait_for_selector("[data-testid=agreements-panel]")
    assert "Renovación del contrato marco" in page.locator("[data-testid=agreements-panel]").inner_text()
    _fits(page)
