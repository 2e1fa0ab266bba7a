"""In Chromium: an operator reports a critical incident on a key account from a phone; the KAM and the
sponsor are told at once; once the acknowledge deadline has passed the escalation job tells them of the
breach, exactly once."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from kam.models import Notification
from tests.factories import ContactFactory
from touchpoints.models import ServiceIncident, Touchpoint
from touchpoints.tasks import escalate_sla_breaches

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def _sign_in(browser, base_url, username, viewport=PHONE):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-12345")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_critical_incident_from_a_phone_notifies_kam_and_sponsor_then_escalates_once(live_server, browser, personas):
    ContactFactory(account=personas.account, name="Jorge Prieto", position="Jefe de planta")
    base = live_server.url

    # The operator, on a phone, finds the account by typing part of its name.
    operator = _sign_in(browser, base, "operator")
    operator.goto(f"{base}/incidents/new/")
    operator.fill("[data-testid=account-search]", "aceros")
    operator.locator("[data-testid=account-options] a", has_text="Aceros del Norte").click()
    operator.wait_for_load_state("networkidle")
    assert operator.locator("[data-testid=chosen-account]").inner_text() == "Aceros del Norte S.A."
    operator.select_option("select[name=severity]", "critical")
    operator.select_option("select[name=category]", "quality")
    operator.fill("input[name=title]", "Bobinas fuera de tolerancia en la línea 2")
    operator.select_option("select[name=contact]", label="Jorge Prieto (Jefe de planta)")
    # Everything fits the phone's width: no sideways scrolling to reach the button.
    assert operator.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    operator.get_by_role("button", name="Open incident").click()
    operator.wait_for_load_state("networkidle")
    incident = ServiceIncident.objects.get()
    assert operator.url == f"{base}/incidents/{incident.pk}/"
    assert "left" in operator.locator("[data-testid=sla-clocks]").inner_text()
    assert incident.ack_due_at - incident.opened_at == datetime.timedelta(hours=1)  # key x critical

    # The KAM sees the notification at once, with the unread count in the navigation.
    kam = _sign_in(browser, base, "kam", viewport={"width": 1280, "height": 800})
    assert kam.locator("[data-testid=unread-count]").inner_text() == "1"
    kam.goto(f"{base}/notifications/")
    notes = kam.locator("[data-testid=notification-list]").inner_text()
    assert "New critical incident on Aceros del Norte S.A." in notes
    assert Notification.objects.filter(recipient=personas.sponsor).count() == 1

    # An hour and a minute later, nobody has acknowledged it: the job (run twice) escalates once.
    with freeze_time(incident.ack_due_at + datetime.timedelta(minutes=1)):
        escalate_sla_breaches.delay()
        escalate_sla_breaches.delay()
    sponsor_notes = Notification.objects.filter(recipient=personas.sponsor)
    assert sponsor_notes.count() == 2
    assert Notification.objects.filter(recipient=personas.kam).count() == 2

    sponsor = _sign_in(browser, base, "sponsor")
    sponsor.goto(f"{base}/notifications/")
    items = sponsor.locator("[data-testid=notification-list] li")
    assert items.count() == 2
    assert "SLA breached on Aceros del Norte S.A." in items.first.inner_text()
    items.first.get_by_role("button", name="Open").click()
    sponsor.wait_for_load_state("networkidle")
    assert sponsor.url == f"{base}/incidents/{incident.pk}/"
    assert "Acknowledge deadline breached" in sponsor.locator("[data-testid=breach-record]").inner_text()


def test_quick_touchpoint_from_a_phone(live_server, browser, personas):
    base = live_server.url
    contact = ContactFactory(account=personas.account, name="Marta Ibáñez", position="Jefa de contabilidad")
    page = _sign_in(browser, base, "teammate")
    page.goto(f"{base}/touchpoints/new/")
    # The teammate's own account is offered straight away; one tap opens the form.
    page.locator("[data-testid=account-options] a", has_text="Aceros del Norte").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("select[name=department]") == str(personas.account.team_members.get().department_id)
    assert page.locator("#id_follow_up_note").is_hidden()
    page.fill("textarea[name=summary]", "Revisión de facturas con su contabilidad")
    page.locator("[data-testid=quality] label", has_text="2").click()
    page.get_by_text("Who took part, cost").click()
    page.get_by_label("Marta Ibáñez (Jefa de contabilidad)").check()
    page.check("#id_follow_up")
    assert page.locator("#id_follow_up_note").is_visible()
    page.fill("#id_follow_up_note", "Enviar abono de la factura 118")
    page.fill("#id_follow_up_due", (timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Save touchpoint").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/accounts/{personas.account.pk}/timeline/"
    assert "Revisión de facturas con su contabilidad" in page.locator("[data-testid=timeline]").inner_text()
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.follow_up and touchpoint.created_by == personas.teammate
    assert touchpoint.follow_up_owner == personas.teammate  # who logs it, unless they name someone else
    contact.refresh_from_db()
    assert contact.last_contact_date == timezone.localdate()
    assert touchpoint.quality == 2 and list(touchpoint.contacts.all()) == [contact]
