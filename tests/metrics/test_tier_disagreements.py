"""One rule says which accounts' evidence disagrees with their tier (accounts.selectors.tier_mismatches),
and the three pages that list them (selection, programme dashboard, Pareto) give the same answer."""

import re

import pytest
from django.urls import reverse

from accounts import selectors
from accounts.models import Account
from metrics import services
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db

PAGES = ("accounts:selection", "metrics:dashboard_program", "accounts:pareto")


def _listed(html):
    start = html.index('data-testid="tier-disagreements"')
    section = html[start:html.index("</table>", start)]
    return {int(pk) for pk in re.findall(r'href="/accounts/(\d+)/"', section)}


@pytest.fixture
def evidence(personas):
    """One account for each rule, and accounts that one old list or another used to flag."""
    def make(name, **fields):
        return AccountFactory(name=name, **fields)

    strategic = {"attractiveness": 80, "strength": 80, "quadrant": "strategic"}
    flagged = {
        "key_streamline": make("Clave Streamline", tier="key", attractiveness=10, strength=10,
                               quadrant="streamline"),
        "key_class_c": make("Clave Clase C", tier="key", **strategic),
        "key_losing_money": make("Clave Pierde", tier="key", **strategic),
        "key_unassessed": personas.account,
        "strategic_not_key": make("Estratégica Fuera", tier="development", **strategic),
    }
    agreeing = [
        make("Clase A Status", tier="standard", attractiveness=20, strength=90, quadrant="status"),
        make("Clave Clase B", tier="key", **strategic),
        make("Clave Buena", tier="key", **strategic),
    ]
    mf.financial_year(flagged["key_losing_money"], revenue="1000", cogs="1500", cts="0")
    for account, revenue in ((agreeing[0], "90000"), (flagged["strategic_not_key"], "60000"), (agreeing[2], "50000"),
                             (personas.account, "30000"), (agreeing[1], "20000"), (flagged["key_class_c"], "10")):
        mf.financial_year(account, revenue=revenue, cogs="0", cts="0")
    services.recompute_metrics()
    assert Account.objects.get(pk=agreeing[1].pk).pareto_class == "B"
    assert Account.objects.get(pk=agreeing[0].pk).pareto_class == "A"
    return flagged


def test_one_rule_names_each_disagreement(evidence):
    got = {a.pk: a.mismatch for a in selectors.tier_mismatches()}
    assert got == {account.pk: code for code, account in evidence.items()}


def test_the_three_pages_list_the_same_accounts(personas, evidence):
    client = client_for(personas.lead)
    listed = {name: _listed(client.get(reverse(name)).content.decode()) for name in PAGES}
    expected = {a.pk for a in evidence.values()}
    assert listed == dict.fromkeys(PAGES, expected)


def test_the_programme_dashboard_follows_a_tier_change_without_waiting_for_a_recompute(personas, evidence):
    client = client_for(personas.lead)
    url = reverse("metrics:dashboard_program")
    assert evidence["strategic_not_key"].pk in _listed(client.get(url).content.decode())
    Account.objects.filter(pk=evidence["strategic_not_key"].pk).update(tier="key")
    assert evidence["strategic_not_key"].pk not in _listed(client.get(url).content.decode())
