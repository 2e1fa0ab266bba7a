"""The administration site shows the accounts' and the programme's records with their history, but
writes none of them: every change goes through the services, which check who may make it, the version
the editor saw, and what follows from it (quadrants, scores, revenue classes)."""

import pytest
from django.urls import reverse

from accounts.models import SelectionCriterion
from kam.models import ProgrammeSettings
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _models(personas):
    from tests.factories import ContactFactory, FinancialRecordFactory

    return {
        "account": personas.account, "contact": ContactFactory(account=personas.account),
        "selectioncriterion": SelectionCriterion.objects.first(),
        "financialrecord": FinancialRecordFactory(account=personas.account),
    }


def test_accounts_records_are_read_only_in_the_admin(personas):
    client = client_for(personas.lead)
    for name, obj in _models(personas).items():
        change = reverse(f"admin:accounts_{name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200 and b'name="_save"' not in page.content, name
        assert client.post(change, {}).status_code == 403, name
        assert client.get(reverse(f"admin:accounts_{name}_add")).status_code == 403, name
        assert client.get(reverse(f"admin:accounts_{name}_history", args=[obj.pk])).status_code == 200, name


def test_programme_settings_are_changed_on_their_page_not_in_the_admin(personas):
    settings_row = ProgrammeSettings.current()
    client = client_for(personas.lead)
    assert client.get(reverse("admin:kam_programmesettings_history", args=[settings_row.pk])).status_code == 200
    response = client.post(reverse("admin:kam_programmesettings_change", args=[settings_row.pk]),
                           {"strength_threshold": "90"})
    assert response.status_code == 403
    assert ProgrammeSettings.current().strength_threshold == settings_row.strength_threshold
