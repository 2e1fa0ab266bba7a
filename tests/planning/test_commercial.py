"""Commercial data (opportunity values, value amounts, negotiation preparation) on plan pages: one rule
(`accounts.view_commercial`) on the editor, the print view and the negotiation pages alike."""

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TeamMemberFactory, UserFactory, department
from tests.planning.factories import NegotiationFactory, OpportunityFactory, PlanFactory, ValueFactory

pytestmark = pytest.mark.django_db

SECRET_VALUE = 918273


@pytest.fixture
def plan(personas):
    plan = PlanFactory(account=personas.account)
    OpportunityFactory(plan=plan, value=SECRET_VALUE, probability=35)
    ValueFactory(plan=plan, amount=SECRET_VALUE + 1)
    return plan


@pytest.fixture
def supply_member(personas):
    user = UserFactory(username="supply")
    TeamMemberFactory(account=personas.account, user=user, department=department("supply_chain"))
    return user


def _shows_values(html):
    return any(v in html for v in ("918273", "918.273", "918,273", "918274", "918.274", "918,274"))


@pytest.mark.parametrize("page", ["planning:plan_detail", "planning:plan_print"])
def test_a_non_commercial_team_member_reads_the_plan_without_its_values(personas, plan, supply_member, page):
    html = client_for(supply_member).get(reverse(page, args=[plan.pk])).content.decode()
    assert plan.summary in html
    assert not _shows_values(html)


@pytest.mark.parametrize("page", ["planning:plan_detail", "planning:plan_print"])
def test_commercial_readers_see_the_values(personas, plan, page):
    for who in ("kam", "teammate", "sponsor", "lead"):  # teammate: finance, a commercial department
        html = client_for(getattr(personas, who)).get(reverse(page, args=[plan.pk])).content.decode()
        assert _shows_values(html), who


def test_another_accounts_sponsor_reads_a_key_plan_but_not_its_values(personas, plan):
    from kam.roles import SPONSOR

    other_sponsor = UserFactory(username="other_sponsor", roles=[SPONSOR])
    html = client_for(other_sponsor).get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert plan.summary in html and not _shows_values(html)


def test_negotiation_preparation_is_hidden_from_non_commercial_readers(personas, supply_member):
    neg = NegotiationFactory(account=personas.account, created_by=personas.kam, our_batna="Vender a Acerinox")
    url = reverse("planning:negotiation_detail", args=[neg.pk])
    assert client_for(supply_member).get(url).status_code == 404
    assert client_for(supply_member).get(reverse("planning:negotiation_list", args=[personas.account.pk])
                                         ).status_code == 404
    assert "Vender a Acerinox" in client_for(personas.teammate).get(url).content.decode()


def test_the_internal_print_is_never_titled_as_the_joint_plan(personas, plan):
    html = client_for(personas.kam).get(reverse("planning:plan_print", args=[plan.pk])).content.decode()
    assert 'data-testid="internal-mark"' in html
    assert "Joint account plan" not in html
