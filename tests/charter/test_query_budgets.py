"""The charter's pages within a fixed number of queries, the same on 10 accounts and on 300."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from charter.kinds import MeasureKind
from tests.charter.helpers import END, START, at, promise
from tests.conftest import client_for
from tests.factories import department
from tests.planning.factories import CommitmentFactory, PlanFactory
from touchpoints.models import ServiceIncident, Touchpoint

pytestmark = pytest.mark.django_db
BUDGET = 15
PERIOD = f"?preset=custom&start={START}&end={END}"


def add_accounts(personas, n, start=0):
    """`n` accounts of every tier, each with an incident, an operations touchpoint and a sponsor visit."""
    tiers = ["key", "development", "standard"]
    accounts = Account.objects.bulk_create(
        Account(name=f"Cuenta {start + i:05d} S.A.", tax_id=f"Q{start + i:08d}", tier=tiers[i % 3],
                kam=personas.kam if i % 2 else personas.other_kam, sponsor=personas.sponsor if i % 3 == 0 else None)
        for i in range(n))
    ops, executive = department("operations"), department("executive")
    opened = at(2026, 8, 1, 9)
    ServiceIncident.objects.bulk_create(
        ServiceIncident(account=a, opened_at=opened, title="Retraso", category="delivery", severity="high",
                        ack_due_at=opened + datetime.timedelta(hours=4),
                        resolve_due_at=opened + datetime.timedelta(hours=24),
                        acknowledged_at=opened + datetime.timedelta(hours=i % 7),
                        resolved_at=opened + datetime.timedelta(hours=12 + i % 24), status="resolved")
        for i, a in enumerate(accounts))
    Touchpoint.objects.bulk_create(
        [Touchpoint(account=a, occurred_at=at(2026, 8, 10, 10), department=ops, summary="Revisión")
         for a in accounts]
        + [Touchpoint(account=a, occurred_at=at(2026, 9, 1, 10), department=executive, kind="executive_visit",
                      summary="Visita") for a in accounts if a.sponsor_id])
    for a in accounts[:3]:
        CommitmentFactory(plan=PlanFactory(account=a), department=ops, due_date=datetime.date(2026, 8, 15))


def pages(w):
    a = w.account.pk
    return [
        ("lead", reverse("charter:compliance") + PERIOD), ("sponsor", reverse("charter:compliance") + PERIOD),
        ("kam", reverse("charter:compliance") + PERIOD), ("lead", reverse("charter:compliance")),
        ("lead", reverse("charter:charter")), ("operator", reverse("charter:charter")),
        ("kam", reverse("charter:account_compliance", args=[a]) + PERIOD),
        ("kam", f"/accounts/{a}/panels/charter/"),
        ("lead", reverse("charter:promise_edit", args=[w.promise_pk])),
    ]


def _counts(personas):
    counts = []
    for who, url in pages(personas):
        client = client_for(getattr(personas, who))
        client.get(url)  # warm the session and the caches a page fills once
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(ctx) <= BUDGET, (who, url, len(ctx), [q["sql"][:120] for q in ctx.captured_queries])
        counts.append(len(ctx))
    return counts


def test_query_counts_do_not_grow_with_the_accounts(personas):
    for i, kind in enumerate(MeasureKind):
        p = promise(kind, 50, code=["operations", "customer_service", "operations", "executive", "technical"][i],
                    tiers=("key", "development"))
    personas.promise_pk = p.pk
    add_accounts(personas, 10)
    small = _counts(personas)
    add_accounts(personas, 290, start=10)
    assert _counts(personas) == small
