"""In Chromium: the programme lead scores an account, sees it move in the portfolio matrix, promotes it to
key with a reason and sees the decision in its history."""

import datetime
import importlib

import pytest

from accounts import services
from accounts.models import SelectionCriterion, Tier, TierDecision

pytestmark = pytest.mark.browser


def _criteria():
    # Reference data from the data migration; a transactional test before this one may have flushed it.
    defaults = importlib.import_module("accounts.migrations.0003_default_selection_criteria")
    if not SelectionCriterion.objects.exists():
        for code, name, axis, weight, order in defaults.DEFAULTS:
            SelectionCriterion.objects.create(code=code, name=name, axis=axis, weight=weight, order=order)
    return list(SelectionCriterion.objects.filter(active=True))


def test_lead_scores_an_account_sees_it_move_and_promotes_it(live_server, page, personas, browser_login):
    account = personas.other_account
    criteria = _criteria()
    # Last year's assessment put the account in Streamline.
    services.assessment_create(account=account, actor=personas.lead,
                               assessed_on=datetime.date.today() - datetime.timedelta(days=365),
                               scores={c: (2, "") for c in criteria})
    base = live_server.url
    browser_login(page, "lead")

    page.goto(f"{base}/accounts/portfolio/")
    row = page.locator(f"[data-testid=portfolio-table] tr[data-account='{account.pk}']")
    assert "Streamline" in row.inner_text()
    assert page.locator("#portfolio-chart").get_attribute("data-points") == "1"

    # The lead scores it again from its page.
    page.goto(f"{base}/accounts/{account.pk}/")
    page.get_by_test_id("assess-link").click()
    for select in page.locator("[data-testid=assessment-form] select").all():
        select.select_option("5")
    page.locator("input[name^=note_]").first.fill("Nuevo contrato marco de tres años")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/accounts/{account.pk}/"
    assert page.get_by_test_id("attractiveness").inner_text() == "100"
    assert page.get_by_test_id("strength").inner_text() == "100"

    # It has moved to Strategic in the matrix (table and chart data).
    page.goto(f"{base}/accounts/portfolio/")
    assert "Strategic" in page.locator(f"tr[data-account='{account.pk}']").inner_text()
    point = page.evaluate("JSON.parse(document.getElementById('portfolio-data').textContent).points[0]")
    assert (point["x"], point["y"], point["quadrant"]) == (100.0, 100.0, "strategic")
    # Clicking through from the table opens the account.
    page.locator(f"tr[data-account='{account.pk}'] a").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/accounts/{account.pk}/"

    # Promote to key: the reason is required.
    page.get_by_test_id("tier-link").click()
    page.select_option("select[name=to_tier]", Tier.KEY)
    page.get_by_role("button", name="Record decision").click()
    assert page.locator(".invalid-feedback, .alert-danger").first.is_visible()
    assert not TierDecision.objects.exists()
    page.select_option("select[name=to_tier]", Tier.KEY)
    page.select_option("select[name=sponsor]", str(personas.sponsor.pk))  # a key account needs one
    page.fill("textarea[name=reason]", "Estratégica tras la evaluación: clase A y contrato marco")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")
    history = page.get_by_test_id("tier-history").inner_text()
    assert "Standard → Key account" in history
    assert "Estratégica tras la evaluación" in history
    assert "strategic" in TierDecision.objects.get().evidence["quadrant"]
    page.goto(f"{base}/accounts/{account.pk}/")
    assert page.get_by_test_id("tier-badge").first.inner_text() == "Key account"
    assert "Estratégica tras la evaluación" in page.get_by_test_id("tier-card").inner_text()
