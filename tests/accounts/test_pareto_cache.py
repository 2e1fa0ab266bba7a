import json

from accounts.models import Account, Tier
from tests.conftest import client_for


def _chart(client):
    html = client.get("/accounts/pareto/").content.decode()
    start = html.index('id="pareto-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)]), html


def test_cached_pareto_summary_follows_revenue_tier_and_archiving(personas):
    """The curve is cached; every change the summary reads must show on the next request, including
    updates in SQL that leave `updated_at` alone (as the revenue recompute does)."""
    Account.objects.filter(pk=personas.account.pk).update(revenue_12m=100, pareto_class="B", tier=Tier.KEY)
    Account.objects.filter(pk=personas.other_account.pk).update(revenue_12m=900, pareto_class="A",
                                                                 tier=Tier.STANDARD)
    lead = client_for(personas.lead)
    chart, html = _chart(lead)
    assert chart["shares"] == [90.0, 100.0] and chart["key"] == [1]
    assert 'data-testid="class-count-A">1<' in html

    # Revenue swaps rank: the key account is now first.
    Account.objects.filter(pk=personas.account.pk).update(revenue_12m=900)
    Account.objects.filter(pk=personas.other_account.pk).update(revenue_12m=100)
    chart, _html = _chart(lead)
    assert chart["key"] == [0]

    # A tier change alone moves the key marker.
    Account.objects.filter(pk=personas.other_account.pk).update(tier=Tier.KEY)
    chart, _html = _chart(lead)
    assert chart["key"] == [0, 1]

    # Archiving takes the account out of the curve.
    personas.other_account.archived_at = personas.other_account.created_at
    personas.other_account.save(update_fields=["archived_at"])
    chart, _html = _chart(lead)
    assert chart["shares"] == [100.0] and chart["key"] == [0]
