"""The client in the loop, in a real browser: the KAM shares the committed plan with a contact and sends
it; the client, in a fresh browser, opens it with the code e-mailed to them, marks their commitment
done, disputes a value entry, asks for a change and accepts with conditions; the KAM answers on the plan
page and opens the plan again; the client accepts and the plan is agreed; then rates the partnership from
the plan's page, and the account shows the client's score against our own rating (the mutuality gap). The
client's side in English and in Spanish (the browser's language)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from planning import services
from planning.models import PlanStatus, ValueDelivered
from tests.factories import ContactFactory, department
from tests.planning.client import last_code
from tests.planning.factories import CommitmentFactory, PlanFactory
from tests.touchpoints.factories import RatingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "en": {"open": "Open the plan", "part": "Your part", "changes": "Changes requested"},
    "es": {"open": "Abrir el plan", "part": "Su parte", "changes": "Cambios solicitados"},
}


def _committed_plan(personas):
    luis = ContactFactory(account=personas.account, name="Luis Pérez", email="luis.perez@cliente.example")
    plan = PlanFactory(account=personas.account, vision_statement="Reducir su coste energético un 10 %")
    CommitmentFactory(plan=plan, department=department("finance"), owner=personas.teammate,
                      description="Facturación consolidada mensual")
    mine = CommitmentFactory(plan=plan, party="client", department=None, owner=None, contact=luis,
                             description="Previsión de consumo trimestral")
    entry = ValueDelivered.objects.create(plan=plan, outcome="Paradas reducidas un 12 %", amount=40000,
                                          delivered_on=plan.period_start)
    services.plan_submit(actor=personas.kam, plan=plan)
    services.plan_sign_off(actor=personas.sponsor, plan=plan)
    services.plan_sign_off(actor=personas.teammate, plan=plan, department=department("finance"))
    services.plan_commit(actor=personas.kam, plan=plan)
    return plan, luis, mine, entry


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_client_works_on_the_plan_and_agrees(personas, live_server, browser, browser_login, language):
    plan, luis, mine, entry = _committed_plan(personas)
    texts = TEXTS[language]

    # The KAM shares the plan with Luis and sends him the link.
    kam = browser.new_context().new_page()
    browser_login(kam, "kam")
    kam.goto(f"{live_server.url}/plans/{plan.pk}/sharing/")
    kam.select_option("#id_contact", value=str(luis.pk))
    kam.click('[data-testid="create-share"]')
    kam.click('[data-testid="send-to-contact"]')
    expect(kam.locator(".alert-success")).to_contain_text("Luis Pérez")
    sent = mail.outbox[-1]
    assert sent.to == [luis.email] and "code" in sent.body
    url = re.search(r"https?://\S+/share/[A-Za-z0-9_-]{43,}/", sent.body).group(0)

    # Luis, in his own browser, asks for the code and enters it.
    context = browser.new_context(locale="es-ES" if language == "es" else "en-GB", viewport={"width": 390,
                                                                                             "height": 800})
    client = context.new_page()
    client.goto(url)
    expect(client.locator('[data-testid="verify-code"]')).to_have_text(texts["open"])
    assert "Reducir su coste energético" not in client.content()
    client.click('[data-testid="send-code"]')
    client.fill("#id_code-code", last_code(luis.email))
    client.click('[data-testid="verify-code"]')
    expect(client.locator('[data-section="client-part"] h2')).to_have_text(texts["part"])
    expect(client.locator('[data-testid="plan-document"]')).to_contain_text("Reducir su coste energético")
    assert client.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # His commitment done, a value entry disputed, a change asked for.
    row = client.locator('[data-testid="client-commitment"]').first
    row.locator("select").select_option("done")
    row.locator('input[type="date"]').fill(plan.period_start.isoformat())
    row.locator('[data-testid="commitment-update"]').click()
    expect(client.locator(".alert-success")).to_be_visible()
    value = client.locator('[data-testid="client-value"]').first
    value.locator('input[name="value-note"]').fill("Fue un 8 %")
    value.locator('[data-testid="value-dispute"]').click()
    expect(client.locator('[data-testid="client-value"]').first).to_contain_text("Fue un 8 %")
    client.select_option("#id_request-target", value=f"commitment:{mine.pk}")
    client.fill("#id_request-body", "Necesitamos un mes más para la previsión")
    client.click('[data-testid="request-change"]')
    expect(client.locator('[data-testid="client-thread"]')).to_contain_text("Necesitamos un mes más")

    # He accepts with a condition: not an agreement.
    client.fill("#id_accept-conditions", "Si la formación se adelanta a marzo")
    client.click('[data-testid="accept-plan"]')
    expect(client.locator('[data-testid="changes-requested"]')).to_contain_text(texts["changes"])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMMITTED

    # The KAM sees all of it on the plan page, answers both requests and opens the plan again.
    kam.goto(f"{live_server.url}/plans/{plan.pk}/#client")
    activity = kam.locator('[data-testid="client-activity"]')
    expect(activity.locator('[data-testid="plan-changes-requested"]')).to_be_visible()
    expect(activity.locator('[data-testid="client-actions"]')).to_contain_text("Disputed value delivered")
    for _ in range(2):
        thread = kam.locator('[data-testid="plan-thread"]', has=kam.locator("textarea")).filter(
            has_not=kam.locator("text=answered")).first
        thread.locator("textarea").fill("De acuerdo: lo adelantamos")
        thread.locator('[data-testid="answer-thread"]').click()
        expect(kam.locator(".alert-success")).to_be_visible()
    kam.goto(f"{live_server.url}/plans/{plan.pk}/sharing/")
    kam.click('[data-testid="reopen-link"]')
    expect(kam.locator(".alert-success")).to_be_visible()

    # Luis reads the answers and accepts: the plan is agreed.
    client.reload()
    expect(client.locator('[data-testid="client-threads"]')).to_contain_text("De acuerdo: lo adelantamos")
    client.click('[data-testid="accept-plan"]')
    expect(client.locator('[data-testid="accepted"]')).to_be_visible()
    plan.refresh_from_db()
    entry.refresh_from_db()
    mine.refresh_from_db()
    assert plan.status == PlanStatus.AGREED and plan.client_agreed_contact == luis
    assert entry.disputed_by_client and mine.status == "done"

    # He rates the partnership from the same page; our team rated it 8 (the gap is ours minus theirs).
    RatingFactory(account=personas.account, score=8)
    client.click('[data-testid="share-survey"]')
    for field, value in (("satisfaction", "6"), ("recommend", "7"), ("understands", "4"), ("delivers", "3"),
                         ("easy", "4")):
        client.locator(f"[data-testid=q-{field}] label", has_text=value).first.click()
    client.click('[data-testid="survey-submit"]')
    expect(client.locator("[data-testid=survey-thanks]")).to_be_visible()
    kam.goto(f"{live_server.url}/accounts/{personas.account.pk}/")
    panel = kam.locator("[data-testid=survey-panel]")
    expect(panel.locator("[data-testid=client-score]")).to_have_text("6.0")
    expect(panel.locator("[data-testid=mutuality-gap]")).to_have_text("+2.0")
