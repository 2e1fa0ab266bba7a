"""Every accounts page within 15 queries, and the same count on 50 and on 2,000 accounts."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import (
    Account,
    Assessment,
    AssessmentScore,
    FinancialRecord,
    RelationshipStageChange,
    SelectionCriterion,
    TierDecision,
)
from tests.conftest import client_for
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
BUDGET = 15


def add_accounts(personas, n, start=0):
    """`n` accounts with scores and financials, in a handful of bulk inserts."""
    rng = random.Random(start)
    tiers = ["key", "development", "standard", "standard"]
    quads = ["strategic", "star", "status", "streamline", ""]
    accounts = [Account(name=f"Cuenta {start + i:05d} S.A.", tax_id=f"Q{start + i:08d}", tier=tiers[i % 4],
                        kam=personas.kam if i % 3 == 0 else personas.other_kam,
                        sponsor=personas.sponsor if i % 4 == 0 else None,
                        attractiveness=Decimal(rng.randint(0, 100)) if i % 5 else None,
                        strength=Decimal(rng.randint(0, 100)) if i % 5 else None,
                        quadrant=quads[i % 4] if i % 5 else "", health_score=rng.randint(0, 100))
                for i in range(n)]
    Account.objects.bulk_create(accounts, batch_size=1000)
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    FinancialRecord.objects.bulk_create(
        [FinancialRecord(account=a, month=month, revenue=Decimal(rng.randint(0, 10**6))) for a in accounts],
        batch_size=1000)
    services.revenue_recompute()


def enrich_hub(personas):
    """The personas' account with everything its page shows."""
    a = personas.account
    boss = ContactFactory(account=a, name="Jefa", attitude="champion")
    for i in range(6):
        ContactFactory(account=a, name=f"Contacto {i}", reports_to=boss, owner=personas.kam)
    month = timezone.localdate().replace(day=1)
    records = []
    for i in range(1, 30):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        records.append(FinancialRecord(account=a, month=month, revenue=Decimal(1000 + i)))
    FinancialRecord.objects.bulk_create(records)
    for i in range(5):
        RelationshipStageChange.objects.create(account=a, to_stage="basic", changed_by=personas.kam)
        TierDecision.objects.create(account=a, from_tier="development", to_tier="key", decided_by=personas.lead,
                                    reason=f"Motivo {i}")
    criteria = list(SelectionCriterion.objects.all())
    for assessor in (personas.lead, personas.sponsor):
        assessment = Assessment.objects.create(account=a, assessor=assessor, attractiveness=70, strength=60)
        AssessmentScore.objects.bulk_create(AssessmentScore(assessment=assessment, criterion=c, score=3)
                                            for c in criteria)
    services.revenue_recompute()


def pages(w):
    a = w.account.pk
    contact = w.account.contacts.first().pk
    criterion = SelectionCriterion.objects.first().pk
    return [
        ("lead", "/accounts/"), ("kam", "/accounts/"), ("sponsor", "/accounts/"), ("teammate", "/accounts/"),
        ("lead", "/accounts/?tier=key&sort=-revenue&q=Cuenta&health=good&quadrant=star&pareto_class=A"),
        ("lead", "/accounts/export.csv"), ("teammate", "/accounts/export.xlsx"),
        ("lead", "/accounts/financials/export.csv?tier=key"), ("kam", f"/accounts/{a}/financials/export.xlsx"),
        ("lead", f"/accounts/{a}/"), ("kam", f"/accounts/{a}/"), ("teammate", f"/accounts/{a}/"),
        ("operator", f"/accounts/{a}/"),
        ("kam", f"/accounts/{a}/panels/planning/"), ("kam", f"/accounts/{a}/panels/touchpoints/"),
        ("kam", f"/accounts/{a}/panels/metrics/"), ("kam", f"/accounts/{a}/panels/surveys/"),
        ("lead", f"/accounts/{a}/edit/"), ("lead", f"/accounts/{a}/stage/"), ("kam", f"/accounts/{a}/team/"),
        ("lead", f"/accounts/{a}/contacts/"), ("kam", f"/accounts/{a}/contacts/new/"),
        ("kam", f"/contacts/{contact}/edit/"), ("kam", f"/contacts/{contact}/gone/"),
        ("lead", f"/accounts/{a}/financials/"), ("lead", f"/accounts/{a}/assess/"), ("lead", f"/accounts/{a}/tier/"),
        ("lead", "/accounts/new/"), ("lead", "/accounts/selection/"),
        ("lead", f"/accounts/selection/criteria/{criterion}/"),
        ("lead", "/accounts/portfolio/"), ("kam", "/accounts/portfolio/?tier=key"), ("sponsor", "/accounts/portfolio/"),
        ("lead", "/accounts/pareto/"), ("kam", "/accounts/pareto/"), ("lead", "/accounts/pareto/?page=3"),
        ("lead", "/accounts/pareto/?basis=contribution"), ("kam", "/accounts/pareto/?basis=contribution&page=2"),
        ("lead", "/imports/"),
    ]


def measure(world):
    counts = {}
    clients = {}
    for persona, url in pages(world):
        client = clients.setdefault(persona, client_for(getattr(world, persona)))
        client.get(url)  # warm caches that are per-process (templates, content types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.streaming:  # a download reads its rows while it is sent
                b"".join(response.streaming_content)
        assert response.status_code == 200, (persona, url, response.status_code)
        counts[(persona, url)] = len(ctx.captured_queries)
    return counts


def test_every_page_within_budget_and_flat_from_50_to_2000_accounts(personas):
    enrich_hub(personas)
    add_accounts(personas, 48)
    assert Account.objects.count() == 50
    small = measure(personas)
    add_accounts(personas, 1950, start=1000)
    assert Account.objects.count() == 2000
    large = measure(personas)
    report = "\n".join(f"{p:9} {u:70} {small[(p, u)]:3} {large[(p, u)]:3}" for p, u in small)
    print("\nqueries (50 / 2000 accounts)\n" + report)
    over = {k: v for k, v in large.items() if v > BUDGET}
    assert not over, report
    grew = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not grew, report
