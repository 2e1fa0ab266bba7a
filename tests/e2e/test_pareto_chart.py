"""In a real browser: the Pareto page draws its thinned curve, on revenue and on contribution."""

from decimal import Decimal as D

import pytest

from accounts import services as account_services
from accounts.models import FinancialRecord
from tests.factories import AccountFactory
from tests.metrics.factories import month_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_sees_the_pareto_curve_on_either_basis(page, live_server, browser_login, personas):
    for i, (revenue, cogs) in enumerate([("900", "100"), ("500", "450"), ("300", "400")]):
        account = AccountFactory(name=f"Pareto {i} S.A.", tier="key" if i == 0 else "standard")
        FinancialRecord.objects.create(account=account, month=month_start(2), revenue=D(revenue),
                                       cost_of_goods=D(cogs), cost_to_serve=D("0"))
    account_services.revenue_recompute()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    browser_login(page, "lead")
    # Revenue 900 of 1,700; contribution 800 of the positive 850 (the third account loses 100).
    for basis, first in (("revenue", 52.94), ("contribution", 94.12)):
        page.goto(f"{live_server.url}/accounts/pareto/?basis={basis}")
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('pareto-chart'))")
        curve = page.evaluate("() => Chart.getChart(document.getElementById('pareto-chart')).data.datasets"
                              ".map(d => d.data.map(p => [p.x, p.y]))")
        assert curve[0][0] == [1, first]
        assert curve[1][0] == [1, first]  # the key account, marked where it ranks (the personas add one more)
    assert errors == []
