"""The review's pages: what the lead and the sponsors see, the cap's refusal shown on the decision, the
dashboard panel, the comparison, the query budgets and the Spanish."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Account
from kam.models import ProgrammeSettings
from metrics.models import AccountSnapshot
from programme import services
from programme.models import ProgrammeReview
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db
# Cold: the open review's figures computed (about twenty queries for the two sides' measures).
BUDGETS = {"programme:review_detail": 30, "programme:review_list": 10, "programme:review_compare": 25,
           "metrics:dashboard_program": 35, "programme:proposal_decide": 10}


@pytest.fixture
def review(personas):
    r = services.review_create(actor=personas.lead)
    services.review_update(actor=personas.lead, review=r, expected_version=r.version,
                           data={"targets": {"plan_coverage": Decimal("90"), "key_accounts": Decimal("25")}})
    r.refresh_from_db()
    return r


def _closed_past(personas, days_back, coverage):
    past = services.review_create(actor=personas.lead,
                                  period_start=timezone.localdate() - datetime.timedelta(days=days_back))
    ProgrammeReview.objects.filter(pk=past.pk).update(
        status="closed", targets={"plan_coverage": "80"},
        actuals={"plan_coverage": {"value": coverage, "rest": None, "reference": None}})
    return past


def test_the_lead_runs_the_review_from_its_page(personas, review):
    mf.plan(personas.account, status="agreed")
    html = client_for(personas.lead).get(reverse("programme:review_detail", args=[review.pk])).content.decode()
    assert 'data-testid="proposal-form"' in html and 'data-testid="review-close"' in html
    row = html[html.index('data-kpi="plan_coverage"'):]
    row = row[:row.index("</tr>")]
    assert "100.0 %" in row and "≥ 90.0 %" in row and 'data-testid="kpi-met"' in row


def test_sponsors_read_without_forms(personas, review):
    response = client_for(personas.sponsor).get(reverse("programme:review_detail", args=[review.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="review-kpis"' in html
    assert 'data-testid="proposal-form"' not in html and 'data-testid="change-form"' not in html
    assert 'data-testid="review-close"' not in html and 'data-testid="review-edit"' not in html


def test_the_cap_refusal_is_shown_on_the_decision(personas, review):
    ProgrammeSettings.objects.update(key_account_cap=1)
    candidate = AccountFactory(tier="development", kam=personas.kam, sponsor=personas.sponsor)
    proposal = services.proposal_create(actor=personas.lead, review=review, account=candidate, to_tier="key",
                                        reason="Crece mucho")
    client = client_for(personas.lead)
    url = reverse("programme:proposal_decide", args=[proposal.pk])
    response = client.post(url, {"decision": "accept", "kam": personas.kam.pk, "sponsor": personas.sponsor.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="cap-refusal"' in html and "cap 1" in html
    assert Account.objects.get(pk=candidate.pk).tier == "development"
    response = client.post(url, {"decision": "accept", "kam": personas.kam.pk, "sponsor": personas.sponsor.pk,
                                 "cap_override": "on", "override_reason": "Cliente estratégico"})
    assert response.status_code == 302
    assert Account.objects.get(pk=candidate.pk).tier == "key"


def test_the_programme_dashboard_shows_the_latest_review_against_target(personas, review):
    _closed_past(personas, 200, "70.0")
    html = client_for(personas.sponsor).get(reverse("metrics:dashboard_program")).content.decode()
    panel = html[html.index('data-testid="programme-review-panel"'):]
    panel = panel[:panel.index("</section>")]
    # The latest period is the draft, live: the personas' key account has no plan yet.
    assert "0.0 %" in panel and "≥ 90.0 %" in panel and 'data-testid="kpi-missed"' in panel
    assert reverse("programme:review_detail", args=[review.pk]) in panel


def test_the_comparison_puts_periods_side_by_side(personas, review):
    _closed_past(personas, 200, "70.0")
    _closed_past(personas, 100, "85.0")
    html = client_for(personas.lead).get(reverse("programme:review_compare")).content.decode()
    table = html[html.index('data-testid="review-compare"'):]
    row = table[table.index("Key accounts with a plan in force"):]
    row = row[:row.index("</tr>")]
    assert row.index("70.0 %") < row.index("85.0 %") < row.index("0.0 %", row.index("85.0 %") + 1)


def _more_data(personas, n, start):
    """`n` accounts, half of them key, with plans, commitments, feedback and a snapshot each."""
    today = timezone.localdate()
    for i in range(n):
        a = AccountFactory(tier="key" if i % 2 else "development", sponsor=personas.sponsor, kam=personas.kam,
                           quadrant="strategic" if i % 3 == 0 else "star")
        p = mf.plan(a, status="agreed")
        mf.commitment(p, due_ago=5, status="done", delivered_ago=5)
        mf.feedback(a, 7)
        mf.rating(a, 8)
        AccountSnapshot.objects.create(account=a, day=today, tier=a.tier, contribution_12m=Decimal(100 + start + i))


@pytest.mark.parametrize("url_name", sorted(BUDGETS))
def test_query_budget_does_not_grow_with_data(personas, review, django_assert_max_num_queries, url_name):
    past = _closed_past(personas, 200, "70.0")
    proposal = services.proposal_create(actor=personas.lead, review=review, account=personas.account,
                                        to_tier="standard", reason="Pierde dinero")
    services.change_add(actor=personas.lead, review=review, text="Un patrocinador por cuenta")
    args = {"programme:review_detail": [review.pk], "programme:proposal_decide": [proposal.pk]}.get(url_name, [])
    url = reverse(url_name, args=args)
    client = client_for(personas.lead)

    def count():
        from django.core.cache import cache
        cache.clear()  # the live figures are cached: count them computed
        with django_assert_max_num_queries(BUDGETS[url_name]) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _more_data(personas, 3, 0)
    small = count()
    _more_data(personas, 30, 100)
    services.proposal_create(actor=personas.lead, review=review, account=Account.objects.filter(tier="key")
                             .exclude(pk=personas.account.pk).first(), to_tier="standard", reason="Otra")
    services.change_add(actor=personas.lead, review=review, text="Otro cambio")
    assert past.pk and count() == small


def test_the_review_in_spanish(personas, review):
    client = client_for(personas.lead)
    with translation.override("es"):
        html = client.get(reverse("programme:review_detail", args=[review.pk]), HTTP_ACCEPT_LANGUAGE="es").content
    text = html.decode()
    assert "Cuentas clave con un plan en vigor" in text and "Qué cambiará el programa" in text


def test_the_dashboard_panel_reads_the_open_review_from_the_cache(personas, review, django_assert_max_num_queries):
    """Warm, the programme dashboard with an open review keeps to metrics' own budget (20)."""
    client = client_for(personas.lead)
    url = reverse("metrics:dashboard_program")
    client.get(url)
    with django_assert_max_num_queries(20):
        assert 'data-testid="programme-review-panel"' in client.get(url).content.decode()
