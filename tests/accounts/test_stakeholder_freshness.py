"""Key stakeholders (decision makers and champions) not contacted within the programme's days: flagged
on the relationship map and the KAM's dashboard; a touchpoint with them clears the flag."""

import datetime

import pytest
from django.urls import reverse

from accounts import selectors
from accounts.models import Account, Attitude, DecisionRole
from kam.models import ProgrammeSettings
from metrics import services as metrics_services
from tests.conftest import client_for
from tests.factories import ContactFactory, department
from touchpoints import services as tp_services

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def people(personas):
    a = personas.account
    personas.champion = ContactFactory(account=a, name="Marta Iglesias", attitude=Attitude.CHAMPION,
                                       last_contact_date=_ago(120))
    personas.boss = ContactFactory(account=a, name="Director General", decision_role=DecisionRole.DECISION_MAKER,
                                   last_contact_date=None)
    personas.fresh = ContactFactory(account=a, name="Decisora Reciente", decision_role=DecisionRole.DECISION_MAKER,
                                    last_contact_date=_ago(10))
    ContactFactory(account=a, name="Usuario Olvidado", decision_role=DecisionRole.USER, last_contact_date=_ago(400))
    ContactFactory(account=a, name="Campeona Ida", attitude=Attitude.CHAMPION, last_contact_date=_ago(400),
                   left_at=_ago(30))
    return personas


def _names(qs):
    return [c.name for c in qs]


def test_the_rule_and_its_query_agree(people):
    stale = selectors.stale_stakeholders(Account.objects.all())
    assert _names(stale) == ["Director General", "Marta Iglesias"]  # never contacted first
    before = TODAY - datetime.timedelta(days=ProgrammeSettings.current().stakeholder_contact_days)
    flagged = {c.name for c in people.account.contacts.all() if selectors.stakeholder_is_stale(c, before=before)}
    assert flagged == set(_names(stale))


def test_the_programme_sets_the_days(people):
    settings = ProgrammeSettings.current()
    metrics_services.programme_settings_update(actor=people.lead, expected_version=settings.version,
                                               data={"stakeholder_contact_days": 150})
    assert _names(selectors.stale_stakeholders(Account.objects.all())) == ["Director General"]
    assert ProgrammeSettings.history.first().stakeholder_contact_days == 150


def test_flagged_on_the_relationship_map_and_cleared_by_a_touchpoint(people):
    client = client_for(people.kam)
    url = reverse("accounts:contacts", args=[people.account.pk])
    body = client.get(url).content.decode()
    assert body.count('data-testid="not-contacted"') == 2
    assert "Marta Iglesias (champion) has not been contacted in the last 90 days." in body
    tp_services.touchpoint_log(actor=people.teammate, account=people.account, department=department("finance"),
                               channel="phone", kind="operational", summary="Revisión de facturas",
                               contacts=[people.champion, people.boss])
    body = client.get(url).content.decode()
    assert 'data-testid="not-contacted"' not in body


def test_the_kams_dashboard_lists_them(people):
    response = client_for(people.kam).get(reverse("metrics:dashboard_kam"))
    html = response.content.decode()
    panel = html[html.index('data-testid="kam-stakeholders"'):]
    assert "Director General" in panel and "Marta Iglesias" in panel and "Decisora Reciente" not in panel


def test_the_settings_form_edits_the_days_and_refuses_zero(personas):
    from tests.metrics.settings_form import settings_post_data

    client = client_for(personas.lead)
    url = reverse("metrics:programme_settings")
    response = client.post(url, settings_post_data(stakeholder_contact_days=0))
    assert response.status_code == 200 and "Must be at least 1." in response.content.decode()
    response = client.post(url, settings_post_data(stakeholder_contact_days=45))
    assert response.status_code == 302 and ProgrammeSettings.current().stakeholder_contact_days == 45
