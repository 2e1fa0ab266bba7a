"""In Chromium: the programme lead opens the quarter's review, sets a target, proposes a strategic
account to enter the programme, is refused over the cap, admits it with an override (a tier decision),
records what the programme will change and closes the review; the dashboard shows it against target."""

import pytest

from accounts.models import Account, TierDecision
from kam.models import ProgrammeSettings
from programme.models import ProgrammeReview
from tests.factories import AccountFactory

pytestmark = pytest.mark.browser


def test_the_quarterly_review_from_opening_to_a_tier_decision(live_server, page, personas, browser_login):
    ProgrammeSettings.objects.update(key_account_cap=1)  # the personas' key account fills it
    candidate = AccountFactory(name="Fundiciones Estratégicas S.A.", tier="development", quadrant="strategic",
                               attractiveness=80, strength=75, kam=personas.kam, sponsor=personas.sponsor)
    base = live_server.url
    browser_login(page, "lead")

    # Open the quarter's review.
    page.goto(f"{base}/programme/reviews/")
    page.get_by_test_id("review-create").click()
    page.wait_for_load_state("networkidle")
    review = ProgrammeReview.objects.get()
    assert page.url == f"{base}/programme/reviews/{review.pk}/"
    assert page.get_by_test_id("review-status").inner_text() == "Draft"

    # Set a target: 100 % of key accounts with a plan; the personas' key account has none.
    page.get_by_test_id("review-edit").click()
    page.fill("input[name=target_plan_coverage]", "100")
    page.get_by_test_id("review-save").click()
    page.wait_for_load_state("networkidle")
    row = page.locator("tr[data-kpi=plan_coverage]")
    assert "0.0 %" in row.inner_text() and "≥ 100.0 %" in row.inner_text()
    assert row.get_by_test_id("kpi-missed").is_visible()

    # The strategic account outside the programme is among the disagreements; propose it.
    assert candidate.name in page.locator("[aria-labelledby=disagree-h]").inner_text()
    page.select_option("select[name=account]", str(candidate.pk))
    page.select_option("select[name=to_tier]", "key")
    page.fill("textarea[name=reason]", "Cuadrante estratégico y clase A")
    page.get_by_test_id("proposal-add").click()
    page.wait_for_load_state("networkidle")
    assert "Proposed" in page.get_by_test_id("proposal").inner_text()

    # Accepting it is refused over the cap, clearly, and nothing is decided.
    page.get_by_test_id("proposal-decide").click()
    assert "Strategic" in page.get_by_test_id("proposal-evidence").inner_text()
    page.check("input[name=decision][value=accept]")
    page.get_by_test_id("decision-save").click()
    page.wait_for_load_state("networkidle")
    refusal = page.get_by_test_id("cap-refusal")
    assert refusal.is_visible() and "cap 1" in refusal.inner_text()
    assert not TierDecision.objects.filter(account=candidate).exists()

    # With the override and its reason it is admitted: a tier decision of the accounts app.
    page.check("input[name=decision][value=accept]")
    page.check("input[name=cap_override]")
    page.fill("textarea[name=override_reason]", "Cliente estratégico: se amplía el tope el próximo trimestre")
    page.get_by_test_id("decision-save").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/programme/reviews/{review.pk}/"
    assert "Accepted: tier decided" in page.get_by_test_id("proposal").inner_text()
    decision = TierDecision.objects.get(account=candidate)
    assert decision.to_tier == "key" and decision.cap_override
    assert Account.objects.get(pk=candidate.pk).tier == "key"

    # What the programme will change, then close: the figures freeze.
    page.fill("input[name=text]", "Ampliar el tope del programa a dos cuentas clave")
    page.get_by_test_id("change-add").click()
    page.wait_for_load_state("networkidle")
    assert "Ampliar el tope" in page.get_by_test_id("changes").inner_text()
    page.get_by_test_id("review-close").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("review-status").inner_text() == "Closed"
    review.refresh_from_db()
    assert review.actuals["key_accounts"]["value"] == "2"

    # The programme dashboard shows the review against its target.
    page.goto(f"{base}/dashboards/program/")
    panel = page.get_by_test_id("programme-review-panel")
    assert "Closed" in panel.inner_text()
    assert panel.locator("tr[data-kpi=key_accounts]").get_by_test_id("kpi-actual").inner_text().startswith("2")
