"""Key accounts with a gap in how they are run (no agreed plan in force, no executive sponsor, no
champion among the client's people) are listed, with a link to fix each: on the KAM's dashboard for
their own accounts, on the programme dashboard for all of them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.models import AccountPlan
from tests.conftest import client_for
from tests.factories import AccountFactory, ContactFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


def _gaps(html):
    start = html.index('data-testid="key-account-gaps"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def accounts(personas):
    """The personas' key account has everything; each other key account of the same KAM lacks one thing."""
    complete = personas.account
    ContactFactory(account=complete, name="Campeona", attitude="champion")
    mf.plan(complete, status="agreed")

    def key(name, *, plan="agreed", sponsor=personas.sponsor, champion=True, kam=personas.kam):
        a = AccountFactory(name=name, tier="key", kam=kam, sponsor=sponsor)
        if champion:
            ContactFactory(account=a, attitude="champion")
        if plan:
            mf.plan(a, status=plan)
        return a

    gone = key("Sin Campeón S.A.", champion=False)
    ContactFactory(account=gone, attitude="champion", left_at=timezone.localdate())  # left: not a champion now
    expired = key("Plan Vencido S.A.")
    AccountPlan.objects.filter(account=expired).update(period_end=timezone.localdate() - datetime.timedelta(days=1))
    return {
        "complete": complete,
        "no_plan": key("Sin Plan S.A.", plan=None),
        "draft_plan": key("Plan Borrador S.A.", plan="committed"),
        "expired_plan": expired,
        "no_sponsor": key("Sin Patrocinador S.A.", sponsor=None),
        "no_champion": gone,
        "other_kams": key("De Otro KAM S.A.", plan=None, kam=personas.other_kam),
        "not_key": AccountFactory(name="Estándar S.A.", tier="standard", kam=personas.kam),
    }


def test_the_kam_dashboard_lists_the_gaps_of_my_key_accounts_with_links_to_fix_them(personas, accounts):
    html = _gaps(client_for(personas.kam).get(reverse("metrics:dashboard_kam")).content.decode())
    listed = {name for name, a in accounts.items() if a.name in html}
    assert listed == {"no_plan", "draft_plan", "expired_plan", "no_sponsor", "no_champion"}
    assert reverse("planning:plan_list", args=[accounts["no_plan"].pk]) in html
    assert reverse("accounts:contacts", args=[accounts["no_champion"].pk]) in html
    assert "ask the programme lead" in html


def test_the_programme_dashboard_lists_every_key_account_with_a_gap(personas, accounts):
    html = _gaps(client_for(personas.lead).get(reverse("metrics:dashboard_program")).content.decode())
    listed = {name for name, a in accounts.items() if a.name in html}
    assert listed == {"no_plan", "draft_plan", "expired_plan", "no_sponsor", "no_champion", "other_kams"}
    assert reverse("accounts:edit", args=[accounts["no_sponsor"].pk]) in html  # the lead assigns sponsors


def test_a_gap_closed_leaves_the_list_on_the_next_load(personas, accounts):
    client = client_for(personas.kam)
    assert "Sin Campeón S.A." in _gaps(client.get(reverse("metrics:dashboard_kam")).content.decode())
    ContactFactory(account=accounts["no_champion"], attitude="champion")
    assert "Sin Campeón S.A." not in _gaps(client.get(reverse("metrics:dashboard_kam")).content.decode())
