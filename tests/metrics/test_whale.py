"""The whale curve with loss-making accounts: its peak survives the thinning for the chart, the axis
goes below zero when it must, and the dashboard says how many accounts lose money."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from metrics import formulas, services
from metrics.selectors.programme import _thinned_with_peak, _whale_axis
from tests.conftest import client_for
from tests.metrics import factories as mf


def test_the_peak_is_kept_when_the_curve_is_thinned():
    # 4,999 profitable accounts of 1 and 1,001 that lose 1: the peak is at rank 4,999 of 6,000, which the
    # even thinning (every 30th point) would skip.
    points = formulas.whale_curve([D(1)] * 4999 + [D(-1)] * 1001)
    peak = max(points, key=lambda p: p[1])
    assert peak not in formulas.downsample(points)
    thinned = _thinned_with_peak(points)
    assert peak in thinned and thinned == sorted(thinned)
    assert peak[1] == D(100) * 4999 / 3998  # 125.04 %: the tail gives a fifth back


def test_the_axis_shows_a_curve_that_ends_below_zero():
    chart = _whale_axis({"options": {"scales": {"y": {"min": 0}}}})
    assert chart["options"]["scales"]["y"] == {"suggestedMin": 0}


@pytest.mark.django_db
def test_the_dashboard_counts_the_accounts_that_lose_money(personas):
    mf.financial_year(personas.account)  # contribution 36,000
    mf.financial_year(personas.other_account, revenue="1000", cogs="900", cts="300")  # −2,400
    services.recompute_metrics()
    html = client_for(personas.lead).get(reverse("metrics:dashboard_program")).content.decode()
    assert "1 account loses money (-€2,400)" in html
