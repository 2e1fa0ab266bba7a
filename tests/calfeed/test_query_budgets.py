"""The feed and the address page within their budgets, and the same count on a little data and on much
more (more accounts, plans, review meetings, commitments and agreements for the same people): each
source is a fixed number of queries, whatever the number of its events."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calfeed.services import calendar_feed_create
from tests.agreements.factories import FrameworkAgreementFactory
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.planning.factories import CommitmentFactory, PlanFactory, ReviewFactory
from tests.touchpoints.factories import TouchpointFactory

pytestmark = pytest.mark.django_db
FEED_BUDGET = 10
PAGE_BUDGET = 12


def _grow(p, n, start):
    today = datetime.date.today()
    for i in range(start, start + n):
        account = AccountFactory(name=f"Cuenta {i:04d}", tier="key", kam=p.kam, sponsor=p.sponsor)
        plan = PlanFactory(account=account, owner=p.kam, next_review_date=today + datetime.timedelta(days=i))
        ReviewFactory(plan=plan, planned_on=today + datetime.timedelta(days=i + 1))
        CommitmentFactory(plan=plan, owner=p.kam, due_date=today + datetime.timedelta(days=i))
        FrameworkAgreementFactory(account=account, status="active")
        TouchpointFactory(account=account, created_by=p.kam, follow_up=True, follow_up_note="Llamar",
                          follow_up_owner=p.kam, follow_up_due=today + datetime.timedelta(days=i))


def _count(user, url, budget):
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(ctx.captured_queries) <= budget, [q["sql"][:120] for q in ctx.captured_queries]
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("persona", ["kam", "sponsor", "lead"])
def test_the_feed_costs_the_same_on_more_data(personas, persona):
    user = getattr(personas, persona)
    _feed, token = calendar_feed_create(actor=user, user=user)
    url = reverse("calfeed:feed", args=[token])
    _grow(personas, 2, 0)
    small, first = _count(None, url, FEED_BUDGET)
    _grow(personas, 15, 100)
    large, second = _count(None, url, FEED_BUDGET)
    assert len(second.content) > len(first.content)  # the feed did grow
    assert small == large


def test_the_address_page(personas):
    _grow(personas, 3, 0)
    calendar_feed_create(actor=personas.kam, user=personas.kam)
    _count(personas.kam, reverse("calfeed:settings"), PAGE_BUDGET)
