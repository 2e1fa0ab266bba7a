"""In Chromium, in Spanish: forms with dates and decimals are saved unchanged when sent untouched. The
browser-free round trip (tests/test_form_roundtrip.py) assumes what Chromium does with the values it
is given; this checks the assumption on the pages where dates used to be lost."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ContactFactory
from tests.touchpoints.factories import IncidentFactory

pytestmark = pytest.mark.browser


def test_a_spanish_user_saves_forms_untouched_and_keeps_their_dates_and_amounts(live_server, page, personas,
                                                                                 browser_login):
    seen = timezone.localdate() - datetime.timedelta(days=12)
    contact = ContactFactory(account=personas.account, name="Marta Ibáñez", last_contact_date=seen)
    incident = IncidentFactory(account=personas.account, cost=Decimal("1234.56"))
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    browser_login(page, "kam")

    page.goto(live_server.url + reverse("accounts:contact_edit", args=[contact.pk]))
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("input[name=last_contact_date]").input_value() == seen.isoformat()
    page.locator("form.col-lg-8 button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    contact.refresh_from_db()
    assert contact.last_contact_date == seen and contact.version == 2

    # A required date opens filled in, so the form can be sent as it is.
    page.goto(live_server.url + reverse("accounts:stage", args=[personas.account.pk]))
    assert page.locator("input[name=changed_on]").input_value() == timezone.localdate().isoformat()

    page.goto(live_server.url + reverse("touchpoints:incident_detail", args=[incident.pk]))
    assert page.locator("input[name=cost]").input_value() == "1234.56"
    page.get_by_test_id("incident-update").locator("textarea[name=resolution]").fill("Repuesto enviado")
    page.get_by_test_id("incident-update").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    incident.refresh_from_db()
    assert incident.resolution == "Repuesto enviado" and incident.cost == Decimal("1234.56")
