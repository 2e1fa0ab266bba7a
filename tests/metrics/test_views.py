"""The dashboards, the settings page and the account panel: what each shows, and their query budgets."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TierDecision
from kam import selectors as kam_selectors
from kam.models import ProgrammeSettings
from metrics import services
from metrics.models import AccountSnapshot
from tests.conftest import client_for
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db

BUDGET = 20


def _populate(personas, n):
    """n more key accounts of the same KAM and sponsor, each with financials, an open breached
    incident, touchpoints, an agreed plan with commitments due and missed, and feedback; then a
    year of snapshots at a few days so the trend queries have history to read."""
    for i in range(n):
        a = AccountFactory(name=f"Minera {i:03d} S.A.", tier="key", kam=personas.kam, sponsor=personas.sponsor)
        TeamMemberFactory(account=a, user=personas.teammate)
        mf.financial_year(a, revenue=str(10000 + 1000 * i))
        mf.incident(a, ago=40, cost="100", ack_breached_ago=10)
        mf.touchpoint(a, ago=20)
        mf.touchpoint(a, ago=35, dept="executive", kind="executive_visit", by=personas.sponsor)
        p = mf.plan(a, owner=personas.kam)
        mf.commitment(p, due_ago=-5, owner=personas.kam)
        mf.commitment(p, due_ago=3, status="missed", owner=personas.kam)
        mf.feedback(a, 7)
        TierDecision.objects.create(account=a, from_tier="development", to_tier="key", decided_by=personas.lead,
                                    reason="Crecimiento y encaje estratégico")
    today = timezone.localdate()
    for back in (60, 30, 7):
        services.recompute_metrics(day=today - datetime.timedelta(days=back))
    services.recompute_metrics()


def _count_queries(django_assert_max_num_queries, client, url):
    with django_assert_max_num_queries(BUDGET) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("url_name,user", [
    ("metrics:dashboard_kam", "kam"),
    ("metrics:dashboard_sponsor", "sponsor"),
    ("metrics:dashboard_program", "lead"),
    ("metrics:dashboard_program", "sponsor"),
])
def test_dashboard_query_budget_does_not_grow_with_data(personas, django_assert_max_num_queries, url_name, user):
    _populate(personas, 2)
    client = client_for(getattr(personas, user))
    url = reverse(url_name)
    small, _ = _count_queries(django_assert_max_num_queries, client, url)
    _populate(personas, 25)
    cache.clear()
    large, response = _count_queries(django_assert_max_num_queries, client, url)
    assert large == small, f"{url_name}: {small} queries on the small set, {large} on the larger one"
    assert response.context["day"] == timezone.localdate()


def _chart(response, element_id):
    html = response.content.decode()
    marker = f'<script id="{element_id}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start:html.index("</script>", start)])


def test_kam_dashboard_lists_my_accounts_with_health_trend_plans_commitments_incidents(personas):
    _populate(personas, 1)
    response = client_for(personas.kam).get(reverse("metrics:dashboard_kam"))
    accounts = {a.name: a for a in response.context["accounts"]}
    assert set(accounts) == {"Aceros del Norte S.A.", "Minera 000 S.A."}
    assert "Otra Cuenta S.L." not in response.content.decode()  # another KAM's
    minera = accounts["Minera 000 S.A."]
    snap = AccountSnapshot.objects.get(account=minera, day=timezone.localdate())
    assert minera.health_score == snap.health and minera.clv == snap.clv
    assert minera.health_trend in ("up", "down", "flat")
    chart = _chart(response, "kam-health-chart")
    plotted = dict(zip(chart["data"]["labels"], chart["data"]["datasets"][0]["data"], strict=True))
    assert set(plotted) == {"Aceros del Norte S.A.", "Minera 000 S.A."}
    assert plotted["Minera 000 S.A."] == snap.health
    assert len(response.context["commitments"]) == 2  # due in 5 days, and missed
    assert [i.account for i in response.context["incidents"]] == [minera]
    content = response.content.decode()
    assert "Retraso en la entrega" in content and "Entrega semanal" in content


def test_kam_dashboard_trend_arrow_compares_with_30_days_before(personas):
    a = personas.account
    today = timezone.localdate()
    services.recompute_metrics(day=today - datetime.timedelta(days=31))
    mf.touchpoint(a, ago=1, cost="0")
    mf.touchpoint(a, ago=1, dept="operations", cost="0")
    services.recompute_metrics()
    response = client_for(personas.kam).get(reverse("metrics:dashboard_kam"))
    [account] = response.context["accounts"]
    assert account.health_trend == "up"
    assert "▲" in response.content.decode()


def test_kam_dashboard_empty_state(personas):
    newcomer = UserFactory(username="kam2", roles=["KAM"])
    response = client_for(newcomer).get(reverse("metrics:dashboard_kam"))
    assert response.status_code == 200
    assert b'data-testid="kam-no-accounts"' in response.content


def test_sponsor_dashboard_charts_health_and_clv_history(personas):
    _populate(personas, 1)
    response = client_for(personas.sponsor).get(reverse("metrics:dashboard_sponsor"))
    health = _chart(response, "sponsor-health-chart")
    clv = _chart(response, "sponsor-clv-chart")
    names = {d["label"] for d in health["data"]["datasets"]}
    assert names == {"Aceros del Norte S.A.", "Minera 000 S.A."}
    minera = next(d for d in health["data"]["datasets"] if d["label"] == "Minera 000 S.A.")
    assert sum(1 for v in minera["data"] if v is not None) >= 2  # today and a week ago at least
    assert any(v for d in clv["data"]["datasets"] for v in d["data"] if v)
    visits = {a.name: a.visit for a in response.context["accounts"]}
    assert visits["Minera 000 S.A."]["last"] is not None and not visits["Minera 000 S.A."]["overdue"]
    assert visits["Aceros del Norte S.A."]["last"] is None
    assert len(response.context["escalations"]) == 1
    assert len(response.context["at_risk"]) == 1
    assert [a.feedback_score for a in response.context["feedback"]] == [7]


def test_sponsor_dashboard_empty_state(personas):
    other = UserFactory(username="sponsor2", roles=["Executive sponsor"])
    response = client_for(other).get(reverse("metrics:dashboard_sponsor"))
    assert b'data-testid="sponsor-no-accounts"' in response.content


def test_programme_dashboard_shares_curves_and_disagreements(personas):
    mf.financial_year(personas.account, revenue="30000", cogs="10000", cts="1000")  # key: 360 000
    mf.financial_year(personas.other_account, revenue="10000", cogs="9000", cts="2000")  # loses 3 000/month
    TierDecision.objects.create(account=personas.account, from_tier="development", to_tier="key",
                                decided_by=personas.lead, reason="Volumen")
    services.recompute_metrics()
    response = client_for(personas.lead).get(reverse("metrics:dashboard_program"))
    ctx = response.context
    assert ctx["key_revenue_share"] == 75.0  # 360 000 of 480 000
    # contribution: key 12·19 000 = 228 000, other 12·−1 000 = −12 000; total 216 000 → 105.6 %
    assert ctx["key_contribution_share"] == 105.6
    whale = _chart(response, "whale-chart")["data"]["datasets"][0]["data"]
    assert [round(p["y"], 1) for p in whale] == [105.6, 100.0]
    pareto = _chart(response, "pareto-chart")["data"]["datasets"][0]["data"]
    assert [p["y"] for p in pareto] == [75.0, 100.0]
    assert ctx["key_count"] == 1 and ctx["cap"] == 25
    assert [t.account for t in ctx["tier_changes"]] == [personas.account]
    assert ctx["health_bins"][0][1] + sum(n for _l, n in ctx["health_bins"][1:]) == 1


def test_the_portfolio_matrix_is_drawn_alike_on_the_programme_dashboard_and_the_portfolio_page(personas):
    Account.objects.filter(pk=personas.account.pk).update(attractiveness=80, strength=30, quadrant="star")
    Account.objects.filter(pk=personas.other_account.pk).update(attractiveness=None, strength=None, quadrant="")
    mf.financial_year(personas.account, revenue="30000")
    services.recompute_metrics()
    lead = client_for(personas.lead)
    dashboard = _chart(lead.get(reverse("metrics:dashboard_program")), "matrix-chart")
    portfolio = _chart(lead.get(reverse("accounts:portfolio")), "portfolio-data")
    assert dashboard["options"]["scales"] == portfolio["scales"]
    assert not dashboard["options"]["scales"]["x"].get("reverse")  # stronger to the right on both
    drawn = [p for ds in dashboard["data"]["datasets"] for p in ds["data"]]
    assert [(p["x"], p["y"], p["r"]) for p in drawn] == [(p["x"], p["y"], p["r"]) for p in portfolio["points"]]


def test_programme_dashboard_flags_key_account_that_loses_money(personas):
    mf.financial_year(personas.account, revenue="1000", cogs="1000", cts="500")
    services.recompute_metrics()
    response = client_for(personas.lead).get(reverse("metrics:dashboard_program"))
    [row] = response.context["disagreements"]
    assert row.name == "Aceros del Norte S.A." and row.mismatch == "key_losing_money"
    assert "Key account that loses money" in response.content.decode()


def test_programme_dashboard_cache_is_invalidated_by_a_recompute(personas):
    services.recompute_metrics()
    client = client_for(personas.lead)
    assert client.get(reverse("metrics:dashboard_program")).context["revenue_total"] == 0
    mf.financial_year(personas.account)
    # The figures come from the snapshots: nothing recomputed yet.
    assert client.get(reverse("metrics:dashboard_program")).context["revenue_total"] == 0
    services.recompute_metrics()
    assert client.get(reverse("metrics:dashboard_program")).context["revenue_total"] == D("120000")


def test_programme_dashboard_before_any_recompute_explains_itself(personas):
    response = client_for(personas.sponsor).get(reverse("metrics:dashboard_program"))
    assert response.status_code == 200
    assert b"No metrics have been computed yet" in response.content


# --- Programme settings -----------------------------------------------------------------------------
def _settings_post(**overrides):
    from tests.metrics.settings_form import settings_post_data

    return settings_post_data(**overrides)


def test_settings_save_and_history_shows_who_and_what(personas):
    client = client_for(personas.lead)
    response = client.post(reverse("metrics:programme_settings"),
                           _settings_post(key_account_cap=30, weight_plan="21", weight_engagement="15"))
    assert response.status_code == 302
    s = ProgrammeSettings.current()
    assert s.key_account_cap == 30 and s.weight_plan == D("21")
    page = client.get(reverse("metrics:programme_settings"))
    history = page.context["history"]
    assert history[0]["who"] == personas.lead
    changed = {str(c["field"]): (c["old"], c["new"]) for c in history[0]["changes"]}
    assert changed["key-account cap"] == (25, 30)
    assert "Lucía Martín" in page.content.decode()


@pytest.mark.parametrize("overrides,message", [
    ({"weight_plan": "25"}, "must add up to 100"),
    ({"clv_retention": "1.100", "clv_discount": "0.100"}, "lower than 1 + the discount rate"),
    ({"clv_retention": "1.200"}, "lower than 1 + the discount rate"),
    ({"retention_at_health_0": "0.960"}, "must not be lower than retention at health 0"),
    ({"attractiveness_threshold": "120"}, "less than or equal to 100"),
    ({"key_account_cap": "0"}, "at least 1"),
    ({"clv_discount": "abc"}, "Enter a number"),
])
def test_settings_refuses_bad_values_and_keeps_what_was_typed(personas, overrides, message):
    client = client_for(personas.lead)
    before = ProgrammeSettings.current().updated_at
    response = client.post(reverse("metrics:programme_settings"), _settings_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ProgrammeSettings.current().updated_at == before
    for value in overrides.values():
        assert f'value="{value}"' in response.content.decode()


def test_settings_refuses_to_overwrite_a_concurrent_change(personas):
    client = client_for(personas.lead)
    stale = _settings_post(key_account_cap=40)
    other = ProgrammeSettings.current()
    services.programme_settings_update(actor=personas.lead, expected_version=other.version,
                                       data={"key_account_cap": 12})
    response = client.post(reverse("metrics:programme_settings"), stale)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Someone else saved this while you were editing" in text
    table = text[text.index('data-testid="conflict-changes"'):]
    assert ">12<" in table and ">40<" in table  # saved now, and theirs kept beside it
    assert ProgrammeSettings.current().key_account_cap == 12


def test_settings_page_query_budget(personas, django_assert_max_num_queries):
    client = client_for(personas.lead)
    for cap in range(26, 36):
        client.post(reverse("metrics:programme_settings"), _settings_post(key_account_cap=cap))
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("metrics:programme_settings"))
    assert len(response.context["history"]) == min(ProgrammeSettings.history.count(), 20) >= 10


# --- Account panel -----------------------------------------------------------------------------------
def _render_panel(user, account):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load metrics_panels %}{% account_metrics_panel account %}")
    return template.render(Context({"request": request, "account": account}))


def test_panel_shows_cost_to_serve_sources_formulas_and_trends(personas, django_assert_max_num_queries):
    a = personas.account
    mf.financial_year(a, months=range(1, 25))
    mf.incident(a, ago=40, cost="500")
    mf.touchpoint(a, ago=35, cost="300")
    services.recompute_metrics()
    with django_assert_max_num_queries(8):
        html = _render_panel(personas.kam, a)
    assert "CLV = m · r ÷ (1 + d − r)" in html
    assert 'data-testid="panel-cts"' in html and "500" in html and "12,000" in html
    assert 'data-chart="panel-trend-chart"' in html
    start = html.index('<script id="panel-trend-chart" type="application/json">')
    config = json.loads(html[start:].split(">", 1)[1].split("</script>")[0])
    assert len(config["data"]["labels"]) == 24
    revenue = config["data"]["datasets"][1]["data"]
    assert revenue == [10000.0] * 24  # the 24 complete months; the running month is left out


def test_panel_hides_money_from_operations(personas):
    mf.financial_year(personas.account)
    services.recompute_metrics()
    html = _render_panel(personas.operator, personas.account)
    assert 'data-testid="panel-health"' in html
    assert 'data-testid="panel-clv"' not in html and 'data-testid="panel-cts"' not in html
    assert 'data-testid="panel-monthly"' in html and "Cost of goods" not in html  # health by month only


def test_panel_without_metrics_says_what_to_expect(personas):
    html = _render_panel(personas.kam, personas.account)
    assert "No metrics yet for this account" in html


def test_account_page_shows_the_metrics_panel(personas, django_assert_max_num_queries):
    mf.financial_year(personas.account)
    services.recompute_metrics()
    client = client_for(personas.kam)
    page = client.get(reverse("accounts:detail", kwargs={"pk": personas.account.pk}))
    panel_url = reverse("accounts:panel", args=[personas.account.pk, "metrics"])
    assert panel_url in page.content.decode()
    with django_assert_max_num_queries(BUDGET):
        response = client.get(panel_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="account-metrics-panel"' in html and 'data-testid="panel-clv"' in html
    assert "/static/js/metrics.js" in html


def test_lead_can_recompute_now_and_is_sent_back(personas, django_capture_on_commit_callbacks):
    mf.financial_year(personas.account)
    client = client_for(personas.lead)
    dashboard = client.get(reverse("metrics:dashboard_program"))
    assert b'data-testid="recompute-now"' in dashboard.content
    # In-process tasks run when the request's writes commit (at once outside a test's transaction).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("metrics:recompute_now"), {"next": reverse("metrics:programme_settings")})
    assert response.status_code == 302 and response["Location"] == reverse("metrics:programme_settings")
    assert AccountSnapshot.objects.get(account=personas.account).revenue_12m == D("120000")
    assert "Figures recomputed." in client.get(response["Location"]).content.decode()


def test_recompute_now_ignores_an_outside_next_and_is_hidden_from_sponsors(personas):
    response = client_for(personas.lead).post(reverse("metrics:recompute_now"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("metrics:dashboard_program")
    assert b"recompute-now" not in client_for(personas.sponsor).get(reverse("metrics:dashboard_program")).content
    assert client_for(personas.sponsor).post(reverse("metrics:recompute_now")).status_code == 403


def test_kam_chart_puts_key_accounts_first_and_the_table_keeps_all(personas, monkeypatch):
    from metrics.selectors import kam as kam_dashboard_selectors

    monkeypatch.setattr(kam_dashboard_selectors, "KAM_CHART_ACCOUNTS", 1)
    AccountFactory(name="Alimentación Central S.L.", tier="standard", kam=personas.kam)
    services.recompute_metrics()
    response = client_for(personas.kam).get(reverse("metrics:dashboard_kam"))
    assert _chart(response, "kam-health-chart")["data"]["labels"] == ["Aceros del Norte S.A."]
    assert len(response.context["accounts"]) == 2
    assert "The chart shows 1 accounts" in response.content.decode()


def test_kam_dashboard_pages_the_table_and_charts_from_every_account(personas, monkeypatch):

    monkeypatch.setattr(kam_selectors, "PAGE_SIZE", 1)
    AccountFactory(name="Zinc del Sur S.A.", tier="key", kam=personas.kam)
    services.recompute_metrics()
    client = client_for(personas.kam)
    first = client.get(reverse("metrics:dashboard_kam"))
    assert [a.name for a in first.context["accounts"]] == ["Aceros del Norte S.A."]
    assert "Zinc del Sur S.A." in _chart(first, "kam-health-chart")["data"]["labels"]
    second = client.get(reverse("metrics:dashboard_kam"), {"page": 2})
    assert [a.name for a in second.context["accounts"]] == ["Zinc del Sur S.A."]
    assert second.context["accounts"][0].health_trend == ""  # annotated like the first page's rows
    assert "Page 2 of 2" in second.content.decode()


def test_kam_dashboard_shows_the_most_urgent_incidents_and_links_to_the_queue(personas, monkeypatch):
    from metrics.selectors import kam as kam_dashboard_selectors

    monkeypatch.setattr(kam_dashboard_selectors, "KAM_INCIDENTS", 1)
    mf.incident(personas.account, ago=2)
    response = client_for(personas.kam).get(reverse("metrics:dashboard_kam"))
    assert b'data-testid="kam-all-incidents"' not in response.content
    mf.incident(personas.account, ago=1)
    response = client_for(personas.kam).get(reverse("metrics:dashboard_kam"))
    assert len(response.context["incidents"]) == 1
    assert b'data-testid="kam-all-incidents"' in response.content


def test_sponsor_dashboard_pages_the_table_and_keeps_visits_per_row(personas, monkeypatch):

    monkeypatch.setattr(kam_selectors, "PAGE_SIZE", 1)
    _populate(personas, 1)
    client = client_for(personas.sponsor)
    first = client.get(reverse("metrics:dashboard_sponsor"))
    second = client.get(reverse("metrics:dashboard_sponsor"), {"page": 2})
    names = [a.name for a in first.context["accounts"]] + [a.name for a in second.context["accounts"]]
    assert sorted(names) == ["Aceros del Norte S.A.", "Minera 000 S.A."]
    assert all(a.visit is not None for a in second.context["accounts"])
    assert len(_chart(second, "sponsor-health-chart")["data"]["datasets"]) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_programme_dashboard_charts_html_follows_a_recompute_and_the_language(personas):
    """The charts are cached as HTML under the recompute's stamp: a new recompute shows new figures, and
    Spanish readers never get the English fragment."""
    mf.financial_year(personas.account, revenue="30000")
    services.recompute_metrics()
    client = client_for(personas.lead)
    first = _chart(client.get(reverse("metrics:dashboard_program")), "pareto-chart")
    mf.financial_year(personas.other_account, revenue="10000")
    services.recompute_metrics()
    second = _chart(client.get(reverse("metrics:dashboard_program")), "pareto-chart")
    assert [p["y"] for p in second["data"]["datasets"][0]["data"]] == [75.0, 100.0]
    assert first != second
    spanish = client.get(reverse("metrics:dashboard_program"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Matriz de cartera" in spanish and "Portfolio matrix" not in spanish


def test_sponsor_history_table_is_rerendered_after_a_recompute(personas):
    a = personas.account
    services.recompute_metrics()
    client = client_for(personas.sponsor)
    before = AccountSnapshot.objects.get(account=a, day=timezone.localdate()).health
    assert client.get(reverse("metrics:dashboard_sponsor")).status_code == 200
    mf.touchpoint(a, ago=1, cost="0")
    mf.touchpoint(a, ago=1, dept="operations", cost="0")
    services.recompute_metrics()
    after = AccountSnapshot.objects.get(account=a, day=timezone.localdate()).health
    assert after != before
    html = client.get(reverse("metrics:dashboard_sponsor")).content.decode()
    start = html.index('data-testid="sponsor-history-table"')
    table = html[start:html.index("</table>", start)]
    assert f">{after}<br>" in table


# --- cached parts of the KAM and sponsor dashboards (kam/datastamps.py) --------------------------------
def _section(html, testid):
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</section>", start)]


def _warmed(personas, user, url_name, django_assert_max_num_queries):
    """A dashboard loaded twice: the second load reads neither its table nor its lists."""
    _populate(personas, 1)
    client, url = client_for(user), reverse(url_name)
    cold, _ = _count_queries(django_assert_max_num_queries, client, url)
    warm, response = _count_queries(django_assert_max_num_queries, client, url)
    assert warm <= cold - 4, f"{cold} queries cold, {warm} warm: the table and the lists were read again"
    return client, url, response


def test_kam_dashboard_parts_are_served_from_the_cache_until_their_data_changes(
        personas, django_assert_max_num_queries):
    from accounts.models import Account
    from touchpoints.models import ServiceIncident

    client, url, first = _warmed(personas, personas.kam, "metrics:dashboard_kam", django_assert_max_num_queries)
    assert _section(first.content.decode(), "kam-commitments").count("Entrega semanal") == 2

    # An incident retitled in bulk, a commitment kept through the plan editor, an account renamed
    # without saving the model: each shows on the next load.
    minera = Account.objects.get(name="Minera 000 S.A.")
    incident = mf.incident(minera, ago=0)
    ServiceIncident.objects.filter(pk=incident.pk).update(title="Cinta transportadora parada")
    assert "Cinta transportadora parada" in _section(client.get(url).content.decode(), "kam-incidents")

    missed = minera.plans.get().commitments.get(status="missed")
    response = client.post(reverse("planning:commitment_status", args=[missed.pk]),
                           {"status": "done", "version": missed.version,
                            "delivered_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert _section(client.get(url).content.decode(), "kam-commitments").count("Entrega semanal") == 1

    Account.objects.filter(pk=minera.pk).update(name="Minera Renombrada S.A.")
    html = client.get(url).content.decode()
    assert "Minera Renombrada S.A." in _section(html, "kam-accounts")
    assert "Minera 000 S.A." not in html


def test_kam_dashboard_cached_parts_are_per_person_and_per_language(personas):
    _populate(personas, 1)
    mine = client_for(personas.kam).get(reverse("metrics:dashboard_kam")).content.decode()
    assert "Minera 000 S.A." in _section(mine, "kam-accounts")
    other = client_for(personas.other_kam).get(reverse("metrics:dashboard_kam")).content.decode()
    assert "Minera 000 S.A." not in other and "Aceros del Norte S.A." not in other
    assert "Otra Cuenta S.L." in _section(other, "kam-accounts")
    html = client_for(personas.kam).get(reverse("metrics:dashboard_kam"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Incidencias abiertas en mis cuentas" in html and "SLA incumplido" in html
    assert "SLA breached" not in html


def test_sponsor_dashboard_parts_follow_feedback_incidents_and_names(personas, django_assert_max_num_queries):
    client, url, first = _warmed(personas, personas.sponsor, "metrics:dashboard_sponsor",
                                 django_assert_max_num_queries)
    assert "Retraso en la entrega" in _section(first.content.decode(), "sponsor-escalations")

    mf.feedback(personas.account, 3, ago=0)
    # The SLA job closes breached incidents in bulk, without saving each one.
    from touchpoints.models import ServiceIncident
    ServiceIncident.objects.filter(account__sponsor=personas.sponsor).update(status="resolved",
                                                                           resolved_at=timezone.now())
    personas.kam.__class__.objects.filter(pk=personas.kam.pk).update(first_name="Anabel")
    html = client.get(url).content.decode()
    assert "<strong>3/10</strong>" in html
    assert 'data-testid="sponsor-escalations"' not in html
    assert "Anabel García" in html


# --- Programme settings through their service ----------------------------------------------------------
def test_changing_a_threshold_recomputes_every_quadrant_in_the_same_save(personas):
    from accounts.models import Account

    strategic = AccountFactory(attractiveness=D("75"), strength=D("62.5"), quadrant="strategic")
    status = AccountFactory(attractiveness=D("30"), strength=D("80"), quadrant="status")
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"),
                                              _settings_post(strength_threshold="70", attractiveness_threshold="25"))
    assert response.status_code == 302
    assert Account.objects.get(pk=strategic.pk).quadrant == "star"
    assert Account.objects.get(pk=status.pk).quadrant == "strategic"


def test_settings_service_refuses_anyone_but_the_lead_and_writes_nothing(personas):
    from kam.errors import Forbidden

    s = ProgrammeSettings.current()
    with pytest.raises(Forbidden):
        services.programme_settings_update(actor=personas.kam, expected_version=s.version,
                                           data={"key_account_cap": 99})
    assert ProgrammeSettings.current().key_account_cap == s.key_account_cap


def test_settings_service_refuses_a_save_from_an_old_version_and_says_what_changed(personas):
    from kam.errors import Conflict

    s = ProgrammeSettings.current()
    services.programme_settings_update(actor=personas.lead, expected_version=s.version, data={"key_account_cap": 30})
    with pytest.raises(Conflict) as caught:
        services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                           data={"key_account_cap": 40})
    assert [(c.field, c.theirs) for c in caught.value.changes] == [("key_account_cap", "30")]
    assert ProgrammeSettings.current().key_account_cap == 30
