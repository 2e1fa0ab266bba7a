"""Who owns what (README, "Users and roles"): the programme lead assigns KAMs and sponsors; financial
figures come from finance (the lead, Finance on the account's team, the lead's imports); commercial data
is read only by `accounts.view_commercial` holders, on every page, panel and export."""

import datetime
import json
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Account, FinancialRecord
from kam.roles import SPONSOR
from tests.conftest import client_for
from tests.downloads import csv_rows
from tests.factories import AccountFactory, FinancialRecordFactory, TeamMemberFactory, UserFactory, department

pytestmark = pytest.mark.django_db
LAST_MONTH = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
REVENUE = Decimal("987654")
SHOWN = "987,654"  # how the figure reads on a page


@pytest.fixture
def w(personas):
    """The personas, a supply-chain teammate (serves the account, reads no figures), a sponsor of
    another key account, and revenue on the personas' account."""
    personas.planner = UserFactory(username="planner")
    TeamMemberFactory(account=personas.account, user=personas.planner, department=department("supply_chain"))
    personas.other_sponsor = UserFactory(username="sponsor2", roles=[SPONSOR])
    FinancialRecordFactory(account=personas.account, month=LAST_MONTH, revenue=REVENUE,
                           cost_of_goods=Decimal("555111"), cost_to_serve=Decimal("44333"))
    services.revenue_recompute()
    personas.account.refresh_from_db()
    return personas


# --- Assigning the KAM and the sponsor ----------------------------------------------------------------
def _account_form(account, **overrides):
    return {"name": account.name, "tax_id": account.tax_id, "industry": account.industry,
            "country": account.country, "status": account.status, "kam": account.kam_id or "",
            "sponsor": account.sponsor_id or "", "version": account.version, "region": "Asturias", **overrides}


def test_the_kams_form_does_not_offer_kam_or_sponsor_and_the_leads_does(w):
    kam_form = client_for(w.kam).get(f"/accounts/{w.account.pk}/edit/").content.decode()
    assert '<select name="sponsor"' not in kam_form and '<select name="kam"' not in kam_form
    assert "The programme lead assigns the account" in kam_form
    lead_form = client_for(w.lead).get(f"/accounts/{w.account.pk}/edit/").content.decode()
    assert '<select name="sponsor"' in lead_form and '<select name="kam"' in lead_form


def test_a_kam_posting_a_new_sponsor_is_refused_and_nothing_is_written(w):
    before = Account.objects.filter(pk=w.account.pk).values().get()
    response = client_for(w.kam).post(f"/accounts/{w.account.pk}/edit/",
                                      _account_form(w.account, sponsor=w.other_sponsor.pk))
    assert response.status_code == 403
    assert "ask the programme lead" in response.content.decode()
    assert Account.objects.filter(pk=w.account.pk).values().get() == before


def test_a_kam_cannot_hand_the_account_to_another_kam(w):
    response = client_for(w.kam).post(f"/accounts/{w.account.pk}/edit/", _account_form(w.account, kam=w.other_kam.pk))
    assert response.status_code == 403
    assert Account.objects.get(pk=w.account.pk).kam == w.kam


def test_a_kam_creating_an_account_is_its_kam_and_cannot_name_a_sponsor(w):
    client = client_for(w.kam)
    form = {"name": "Nueva S.A.", "industry": "food", "country": "ES", "status": "active",
            "relationship_stage": "basic"}
    assert client.post("/accounts/new/", {**form, "sponsor": w.sponsor.pk}).status_code == 403
    assert not Account.objects.filter(name="Nueva S.A.").exists()
    assert client.post("/accounts/new/", form).status_code == 302
    assert Account.objects.get(name="Nueva S.A.").kam == w.kam


def test_the_lead_assigns_kam_and_sponsor(w):
    response = client_for(w.lead).post(f"/accounts/{w.account.pk}/edit/",
                                       _account_form(w.account, kam=w.other_kam.pk, sponsor=w.other_sponsor.pk))
    assert response.status_code == 302
    account = Account.objects.get(pk=w.account.pk)
    assert (account.kam, account.sponsor) == (w.other_kam, w.other_sponsor)


# --- Entering financial figures ---------------------------------------------------------------------
def _month_form(revenue="1000"):
    return {"month": LAST_MONTH.strftime("%Y-%m"), "revenue": revenue, "cost_of_goods": "1", "cost_to_serve": "1"}


def test_a_kam_posting_a_financial_entry_is_refused_and_nothing_is_written(w):
    response = client_for(w.kam).post(f"/accounts/{w.account.pk}/financials/", _month_form())
    assert response.status_code == 403
    assert "Financial figures come from finance" in response.content.decode()
    assert FinancialRecord.objects.get(account=w.account).revenue == REVENUE
    page = client_for(w.kam).get(f"/accounts/{w.account.pk}/financials/").content.decode()
    assert 'name="revenue"' not in page  # no form offered


@pytest.mark.parametrize("persona", ["teammate", "lead"])
def test_finance_on_the_team_and_the_lead_enter_figures(w, persona):
    response = client_for(getattr(w, persona)).post(f"/accounts/{w.account.pk}/financials/", _month_form("2000"))
    assert response.status_code == 302
    assert FinancialRecord.objects.get(account=w.account).revenue == 2000


def test_the_financials_rule_is_the_shared_predicate(w):
    assert [getattr(w, p).has_perm("accounts.change_financials", w.account)
            for p in ("kam", "teammate", "lead", "sponsor", "operator", "planner")] == [
        False, True, True, False, False, False]


# --- Reading commercial data ----------------------------------------------------------------------------
NO_FIGURES = ["operator", "planner", "other_sponsor"]


def test_commercial_visibility_as_a_query_matches_the_rule(w):
    AccountFactory(tier="key")  # the other sponsor sees this key account, without its figures
    people = [w.kam, w.teammate, w.sponsor, w.operator, w.lead, w.outsider, w.other_kam, w.planner, w.other_sponsor]
    for user in people:
        q = selectors.commercial_visibility_q(user)
        by_query = set(Account.objects.filter(q).values_list("pk", flat=True)) if q is not None else \
            set(Account.objects.values_list("pk", flat=True))
        by_rule = {a.pk for a in Account.objects.all() if user.has_perm("accounts.view_commercial", a)}
        assert by_query == by_rule, user.username


@pytest.mark.parametrize("persona", NO_FIGURES)
def test_no_revenue_on_the_list_page_or_the_export(w, persona):
    client = client_for(getattr(w, persona))
    body = client.get("/accounts/").content.decode()
    assert w.account.name in body and SHOWN not in body
    rows = csv_rows(client.get("/accounts/export.csv"))
    revenue = rows[0].index("revenue_12m")
    assert [r[revenue] for r in rows[1:] if r[0] == w.account.name] == [""]


@pytest.mark.parametrize("persona", NO_FIGURES)
def test_no_figures_on_the_account_page_and_no_financials_page(w, persona):
    client = client_for(getattr(w, persona))
    page = client.get(f"/accounts/{w.account.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SHOWN not in html and "555,111" not in html and 'data-testid="revenue-card"' not in html
    assert f"/accounts/{w.account.pk}/financials/" not in html
    assert client.get(f"/accounts/{w.account.pk}/financials/").status_code == 403


@pytest.mark.parametrize("persona", NO_FIGURES)
def test_no_money_in_the_metrics_panel(w, persona):
    from metrics import services as metrics_services

    metrics_services.recompute_metrics()
    request = RequestFactory().get("/")
    request.user = getattr(w, persona)
    html = Template("{% load metrics_panels %}{% account_metrics_panel account %}").render(
        Context({"request": request, "account": w.account}))
    assert 'data-testid="panel-health"' in html
    assert 'data-testid="panel-clv"' not in html and 'data-testid="panel-cts"' not in html
    assert "987,654" not in html and "panel-trend-chart" not in html


@pytest.mark.parametrize("persona", ["kam", "teammate", "sponsor", "lead"])
def test_commercial_readers_see_the_figures(w, persona):
    client = client_for(getattr(w, persona))
    assert SHOWN in client.get("/accounts/").content.decode()
    assert SHOWN in client.get(f"/accounts/{w.account.pk}/").content.decode()
    assert SHOWN in client.get(f"/accounts/{w.account.pk}/financials/").content.decode()


def test_sorting_by_revenue_does_not_rank_accounts_whose_figures_are_hidden(w):
    hidden = AccountFactory(name="Zeta Key S.A.", tier="key")
    FinancialRecordFactory(account=hidden, month=LAST_MONTH, revenue=Decimal("5"))
    own = AccountFactory(name="Alfa Propia S.A.", tier="key", sponsor=w.other_sponsor)
    FinancialRecordFactory(account=own, month=LAST_MONTH, revenue=Decimal("7"))
    services.revenue_recompute()
    body = client_for(w.other_sponsor).get("/accounts/?sort=-revenue").content.decode()
    table = body[body.index('data-testid="account-table"'):]
    names = sorted((own.name, w.account.name, hidden.name), key=table.index)
    # The account whose figures the sponsor reads comes first; the others follow, not ranked by
    # figures the sponsor may not see.
    assert names[0] == own.name


def test_pareto_and_portfolio_show_a_sponsor_only_the_figures_of_their_accounts(w):
    Account.objects.filter(pk=w.account.pk).update(attractiveness=70, strength=70, quadrant="strategic")
    client = client_for(w.other_sponsor)
    own = AccountFactory(name="Alfa Propia S.A.", tier="key", sponsor=w.other_sponsor)
    FinancialRecordFactory(account=own, month=LAST_MONTH, revenue=Decimal("7"))
    services.revenue_recompute()
    pareto = client.get("/accounts/pareto/").content.decode()
    ranking = pareto[pareto.index('data-testid="pareto-table"'):]
    # The ranking lists the sponsor's own account, not another key account's figures.
    assert own.name in ranking and w.account.name not in ranking
    html = client.get("/accounts/portfolio/").content.decode()
    marker = '<script id="portfolio-data" type="application/json">'
    start = html.index(marker) + len(marker)
    points = {p["name"]: p for p in json.loads(html[start:html.index("</script>", start)])["points"]}
    assert points[w.account.name]["revenue"] is None
    assert SHOWN not in html
