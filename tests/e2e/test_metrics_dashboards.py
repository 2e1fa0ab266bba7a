"""In a real browser: a sponsor signs in and sees their accounts' health and CLV charts drawn."""

import datetime

import pytest
from django.utils import timezone

from metrics import services
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chart_points(page, testid):
    return page.evaluate(
        """(testid) => {
            const canvas = document.querySelector(`canvas[data-testid="${testid}"]`);
            const chart = canvas && Chart.getChart(canvas);
            if (!chart) { return null; }
            return {
                datasets: chart.data.datasets.map(d => ({label: d.label, values: d.data.filter(v => v !== null)})),
                width: canvas.width,
            };
        }""",
        testid,
    )


def test_sponsor_sees_health_and_clv_charts(page, live_server, browser_login, personas):
    second = AccountFactory(name="Petróleos del Sur S.A.", tier="key", kam=personas.kam, sponsor=personas.sponsor)
    for account in (personas.account, second):
        mf.financial_year(account)
        mf.touchpoint(account, ago=20)
    today = timezone.localdate()
    for back in (21, 14, 7):
        services.recompute_metrics(day=today - datetime.timedelta(days=back))
    services.recompute_metrics()

    errors, missing = [], []
    # The browser's own favicon probe logs a 404 without a page response; real assets show in `missing`.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    browser_login(page, "sponsor")
    page.goto(f"{live_server.url}/dashboards/sponsor/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'canvas[data-testid=\"sponsor-clv-chart\"]'))")

    for testid in ("sponsor-health-chart", "sponsor-clv-chart"):
        drawn = _chart_points(page, testid)
        assert drawn is not None, f"{testid} was not drawn"
        assert drawn["width"] > 0
        labels = {d["label"] for d in drawn["datasets"]}
        assert labels == {"Aceros del Norte S.A.", "Petróleos del Sur S.A."}
        for dataset in drawn["datasets"]:
            assert len(dataset["values"]) == 4, dataset  # three weeks of history and today
    clv = _chart_points(page, "sponsor-clv-chart")
    assert all(v > 0 for d in clv["datasets"] for v in d["values"])
    assert page.locator("[data-testid=sponsor-accounts]").get_by_text("Petróleos del Sur S.A.").is_visible()
    assert errors == [] and missing == []  # no script, content-security-policy or asset errors


def test_programme_dashboard_draws_its_charts_for_the_lead(page, live_server, browser_login, personas):
    mf.financial_year(personas.account)
    mf.financial_year(personas.other_account, revenue="3000")
    services.recompute_metrics()
    browser_login(page, "lead")
    page.goto(f"{live_server.url}/dashboards/program/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'canvas[data-testid=\"whale-chart\"]'))")
    for testid in ("pareto-chart", "whale-chart", "health-dist-chart"):
        drawn = _chart_points(page, testid)
        assert drawn and any(d["values"] for d in drawn["datasets"]), testid
    assert page.get_by_test_id("key-revenue-share").inner_text().startswith("76.9")  # 120 000 of 156 000


def test_account_page_panel_draws_24_month_trends(page, live_server, browser_login, personas):
    mf.financial_year(personas.account, months=range(1, 25))
    mf.incident(personas.account, ago=40, cost="500")
    services.recompute_metrics()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    browser_login(page, "kam")
    page.goto(f"{live_server.url}/accounts/{personas.account.pk}/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'canvas[data-testid=\"panel-trend-chart\"]'))")
    drawn = _chart_points(page, "panel-trend-chart")
    revenue = next(d for d in drawn["datasets"] if d["label"] == "Revenue")
    assert revenue["values"] == [10000] * 24
    assert page.get_by_test_id("panel-cts").get_by_text("Service incidents").is_visible()
    assert missing == []
