"""Query budgets: the plan's pages cost a fixed number of queries, whatever the plan holds."""

import datetime

import pytest
from django.urls import reverse

from planning import services
from tests.conftest import client_for
from tests.factories import ContactFactory, department
from tests.planning.factories import (
    CommitmentFactory,
    OpportunityFactory,
    PlanFactory,
    ReviewFactory,
    TaskFactory,
    ValueFactory,
    share_link,
)

pytestmark = pytest.mark.django_db

PLAN_PAGE_BUDGET = 20


def _plan_with(personas, n):
    plan = PlanFactory(account=personas.account)
    contact = ContactFactory(account=personas.account)
    for i in range(n):
        TaskFactory(plan=plan, owner=personas.teammate)
        OpportunityFactory(plan=plan)
        CommitmentFactory(plan=plan, owner=personas.teammate,
                          department=department(("finance", "operations", "technical")[i % 3]))
        CommitmentFactory(plan=plan, party="client", department=None, contact=contact)
        ReviewFactory(plan=plan)
        ValueFactory(plan=plan)
    for i in range(n):  # history rows
        plan = services.plan_update(actor=personas.kam, plan=plan, expected_version=plan.version,
                                    data={"summary": f"resumen {i}"})
    link, _token = share_link(personas.kam, plan)
    _client_side(plan, link, n)
    return plan


def _client_side(plan, link, n):
    """What a client leaves through a link: requests with answers, and actions."""
    from planning.models import ClientAction, ClientMessage, ClientThread

    for i in range(n):
        thread = ClientThread.objects.create(plan=plan, link=link, contact=link.contact,
                                             commitment=plan.commitments.first() if i % 2 else None)
        ClientMessage.objects.create(thread=thread, author_contact=link.contact, body=f"petición {i}")
        ClientMessage.objects.create(thread=thread, author_user=plan.owner, body=f"respuesta {i}")
        ClientAction.objects.create(plan=plan, link=link, contact=link.contact, kind="verified", ip="192.0.2.1")


def _count(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kam.money import programme_currency

    programme_currency()  # read once per cache lifetime (kam.money), not by each page: not what grows
    with CaptureQueriesContext(connection) as ctx:
        with django_assert_max_num_queries(PLAN_PAGE_BUDGET):
            response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["kam", "teammate", "sponsor"])
def test_plan_page_budget_does_not_grow(personas, django_assert_max_num_queries, who):
    small, large = _plan_with(personas, 3), None
    client = client_for(getattr(personas, who))
    n_small = _count(django_assert_max_num_queries, client, reverse("planning:plan_detail", args=[small.pk]))
    small.delete()
    large = _plan_with(personas, 60)
    n_large = _count(django_assert_max_num_queries, client, reverse("planning:plan_detail", args=[large.pk]))
    assert n_large == n_small


@pytest.mark.parametrize("name", ["planning:plan_history", "planning:plan_print", "planning:plan_sharing"])
def test_other_plan_pages_budget(personas, django_assert_max_num_queries, name):
    client = client_for(personas.kam)
    small = _plan_with(personas, 3)
    n_small = _count(django_assert_max_num_queries, client, reverse(name, args=[small.pk]))
    small.delete()
    large = _plan_with(personas, 60)
    assert _count(django_assert_max_num_queries, client, reverse(name, args=[large.pk])) == n_small


def test_share_page_budget(personas, django_assert_max_num_queries):
    """The verified client's page, with their requests and what they may act on."""
    from tests.planning.client import verified_client

    counts = []
    for n in (3, 60):
        plan = _plan_with(personas, n)
        link, token = share_link(personas.kam, plan)
        _client_side(plan, link, n)
        client = verified_client(link, token, addr=f"192.0.2.{n}")
        counts.append(_count(django_assert_max_num_queries, client, reverse("planning:share", args=[token])))
        plan.delete()
    assert counts[0] == counts[1]


def _negotiation_with(personas, n):
    from planning.models import Concession, NegotiationAgreement, NegotiationObjective, NegotiationVariable
    from tests.planning.factories import NegotiationFactory

    neg = NegotiationFactory(account=personas.account, created_by=personas.kam)
    NegotiationObjective.objects.bulk_create(NegotiationObjective(negotiation=neg, party="us", description=f"o{i}")
                                             for i in range(n))
    NegotiationVariable.objects.bulk_create(NegotiationVariable(negotiation=neg, name=f"v{i}", our_target="1",
                                                                our_limit="2") for i in range(n))
    Concession.objects.bulk_create(Concession(negotiation=neg, party="client", description=f"c{i}")
                                   for i in range(n))
    NegotiationAgreement.objects.bulk_create(NegotiationAgreement(negotiation=neg, description=f"a{i}")
                                             for i in range(n))
    return neg


def test_account_plan_list_and_negotiation_pages_budget(personas, django_assert_max_num_queries):
    client = client_for(personas.kam)
    counts = []
    for n in (3, 30):
        plans = [PlanFactory(account=personas.account, period_kind="quarter",
                             period_start=datetime.date(2000 + i, 1, 1), period_end=datetime.date(2000 + i, 3, 31))
                 for i in range(n)]
        neg = _negotiation_with(personas, n)
        counts.append((
            _count(django_assert_max_num_queries, client, reverse("planning:plan_list", args=[personas.account.pk])),
            _count(django_assert_max_num_queries, client,
                   reverse("planning:negotiation_list", args=[personas.account.pk])),
            _count(django_assert_max_num_queries, client, reverse("planning:negotiation_detail", args=[neg.pk])),
            _count(django_assert_max_num_queries, client, reverse("planning:plan_create", args=[personas.account.pk])),
        ))
        for p in plans:
            p.delete()
        neg.delete()
    assert counts[0] == counts[1]


def test_row_edit_page_budget(personas, django_assert_max_num_queries):
    client = client_for(personas.kam)
    counts = []
    for n in (3, 60):
        plan = _plan_with(personas, n)
        c = plan.commitments.first()
        counts.append(_count(django_assert_max_num_queries, client,
                             reverse("planning:row_edit", args=[plan.pk, "commitment", c.pk])))
        plan.delete()
    assert counts[0] == counts[1]
