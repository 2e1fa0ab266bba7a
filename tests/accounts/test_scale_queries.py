"""The lists that grow with the customer base read an index, not the whole accounts table
(bench/scale.py measures the pages at 100,000 accounts): the plans of the pages' own queries are
checked with sequential scans and sorts priced out, so a changed query or a dropped index shows here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import selectors
from accounts.models import Tier
from tests.conftest import client_for
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def plans_of(user, url: str) -> list[str]:
    """The plan of every accounts query the page sends, as PostgreSQL would run it if reading the
    whole table were the last resort."""
    with CaptureQueriesContext(connection) as ctx:
        assert client_for(user).get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("SET enable_seqscan = off")
        # With a few dozen rows a sort is always cheapest; what matters is that an index gives the order.
        cursor.execute("SET enable_sort = off")
        try:
            for q in ctx.captured_queries:
                if 'FROM "accounts_account"' in q["sql"] and q["sql"].startswith("SELECT"):
                    cursor.execute("EXPLAIN " + q["sql"])
                    plans.append("\n".join(r[0] for r in cursor.fetchall()))
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    return plans


def test_account_list_pages_and_counts_through_the_active_name_index(personas):
    for i in range(30):
        AccountFactory(name=f"Cuenta {i:02d}")
    plans = plans_of(personas.lead, reverse("accounts:list"))
    ordered = [p for p in plans if "Limit" in p]
    assert ordered and all("account_active_name_idx" in p for p in ordered)
    assert not any("Sort" in p for p in ordered)


def test_portfolio_lists_assessed_and_counts_unassessed_through_their_indexes(personas):
    for i in range(30):
        AccountFactory(name=f"Evaluada {i:02d}", attractiveness=i + 10, strength=50)
        AccountFactory(name=f"Sin evaluar {i:02d}")
    plans = "\n".join(plans_of(personas.lead, reverse("accounts:portfolio")))
    assert "account_assessed_idx" in plans
    assert "account_unassessed_idx" in plans


def test_disagreements_still_found_among_many_accounts_without_any(personas):
    """The candidates filter (key or Strategic) must not lose a rule."""
    for i in range(20):
        AccountFactory(name=f"Normal {i:02d}", tier=Tier.STANDARD, quadrant="status", attractiveness=40,
                       strength=40, pareto_class="C", clv=-5)
    expected = {
        AccountFactory(tier=Tier.KEY, quadrant="streamline", attractiveness=10, strength=10,
                       pareto_class="A").pk: "key_streamline",
        AccountFactory(tier=Tier.KEY, quadrant="strategic", attractiveness=90, strength=90, pareto_class="A",
                       clv=-1).pk: "key_losing_money",
        AccountFactory(tier=Tier.KEY, quadrant="strategic", attractiveness=90, strength=90,
                       pareto_class="C").pk: "key_class_c",
        AccountFactory(tier=Tier.DEVELOPMENT, quadrant="strategic", attractiveness=90,
                       strength=90).pk: "strategic_not_key",
        personas.account.pk: "key_unassessed",
    }
    AccountFactory(tier=Tier.KEY, quadrant="streamline", archived_at=timezone.now())
    got = {a.pk: a.mismatch for a in selectors.tier_mismatches()}
    assert got == expected
