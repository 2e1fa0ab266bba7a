"""In Chromium, on a phone: a KAM opens "My development" from their dashboard and records their
self-assessment by tapping the scores; the lead reads the roster, the person and the comparison. No page
scrolls sideways."""

import pytest

from roster import services
from roster.models import Competence, SkillAssessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(browser, base_url, username):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def test_self_assessment_from_a_phone_and_the_lead_s_pages_fit(live_server, browser, personas):
    competences = list(Competence.objects.filter(active=True))
    services.assessment_record(actor=personas.lead, person=personas.kam, kind="lead",
                               scores={c.pk: 2 for c in competences})
    base = live_server.url
    kam = _sign_in(browser, base, "kam")
    kam.goto(f"{base}/dashboards/kam/")
    kam.locator("[data-testid=my-development]").click()
    kam.wait_for_load_state("networkidle")
    _fits(kam)
    kam.get_by_role("link", name="Record my self-assessment").click()
    kam.wait_for_load_state("networkidle")
    _fits(kam)
    for c in competences:
        kam.locator(f"input[name=score_{c.pk}][value='3'] + label").click()
    kam.get_by_role("button", name="Save").click()
    kam.wait_for_load_state("networkidle")
    assert SkillAssessment.objects.filter(person=personas.kam, kind="self").count() == 1
    gaps = kam.locator("[data-testid=skills-table] [data-score=gap]").all_inner_texts()
    assert gaps == ["+1"] * len(competences)
    _fits(kam)

    lead = _sign_in(browser, base, "lead")
    for path in ("/roster/", f"/roster/people/{personas.kam.pk}/", "/roster/comparison/", "/roster/settings/"):
        lead.goto(f"{base}{path}")
        lead.wait_for_load_state("networkidle")
        _fits(lead)
