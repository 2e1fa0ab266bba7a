"""The health rules added for honest measurement, against values worked out by hand."""

from decimal import Decimal as D

import pytest

from metrics import formulas as f


@pytest.mark.parametrize("current,previous,points", [
    (120, 100, 70),  # 50 + 100 · 20 / 100
    (80, 100, 30),  # 50 − 100 · 20 / 100
    (40, 100, 0),  # 50 − 60, clamped
    (200, 100, 100),  # 50 + 100, clamped
    (-50, -100, 100),  # a loss that halves: 50 + 100 · 50 / |−100|
    (-150, -100, 0),  # a loss that grows: 50 − 50
    (5, 0, 100), (0, 0, 50), (-1, 0, 0),  # from nothing
])
def test_trend_points(current, previous, points):
    assert f.trend_points(current, previous) == points


def test_commercial_score_growing_account():
    # revenue 110 000 vs 100 000 → 60; contribution 22 000 vs 20 000 → 60; bought last month
    assert f.commercial_score(110000, 100000, 22000, 20000, 0, True) == 60


def test_commercial_score_recency_penalty():
    # revenue 90 000 vs 100 000 → 40; contribution 19 000 vs 20 000 → 45; base 42.5;
    # 5 months without purchases → 10 · (5 − 3) = 20 → 22.5 → 23
    assert f.commercial_score(90000, 100000, 19000, 20000, 5, True) == 23
    # within the first three months no penalty: 42.5 → 43
    assert f.commercial_score(90000, 100000, 19000, 20000, 3, True) == 43


def test_commercial_score_stopped_buying_is_zero_not_neutral():
    # nothing this year against 100 000 → 0; contribution 0 vs 20 000 → 0; 13 months since
    assert f.commercial_score(0, 100000, 0, 20000, 13, True) == 0
    # records but never any revenue
    assert f.commercial_score(0, 0, 0, 0, None, True) == 0


def test_commercial_score_without_financials_is_not_measured():
    assert f.commercial_score(0, 0, 0, 0, None, False) is None


def test_months_between():
    import datetime
    assert f.months_between(datetime.date(2025, 11, 1), datetime.date(2026, 2, 1)) == 3
    assert f.months_between(datetime.date(2026, 2, 1), datetime.date(2026, 2, 1)) == 0


def test_engagement_is_measured_only_once_contact_is_recorded_or_a_plan_exists():
    assert f.engagement_measured(0, 0, has_plan=False, touchpoints_ever=False) is None
    assert f.engagement_measured(0, 0, has_plan=True, touchpoints_ever=False) == 0
    # 6 touchpoints → 60 · 6/12 = 30; 2 departments → 40 · 2/4 = 20
    assert f.engagement_measured(6, 2, has_plan=False, touchpoints_ever=True) == 50


def test_service_is_measured_only_with_incidents_or_a_recorded_window():
    assert f.service_measured(0, 0, 0, incidents_ever=False, recorded_over_window=False) is None
    assert f.service_measured(0, 0, 0, incidents_ever=False, recorded_over_window=True) == 100
    # one open incident → 100 − 10
    assert f.service_measured(1, 0, 0, incidents_ever=True, recorded_over_window=False) == 90


def test_no_plan_is_not_measured_during_the_grace_period():
    assert f.plan_score_with_grace(None, None, 0, 0, True, days_as_key=30, grace_days=90) is None
    assert f.plan_score_with_grace("draft", 50, 0, 0, True, days_as_key=30, grace_days=90) is None


def test_no_plan_counts_after_the_grace_period_or_without_a_promotion_on_record():
    assert f.plan_score_with_grace(None, None, 0, 0, True, days_as_key=90, grace_days=90) == 0
    assert f.plan_score_with_grace(None, None, 0, 0, True, days_as_key=None, grace_days=90) == 0
    # a draft 50 % complete: (0.4 · 15 + 0.3 · 50) / 0.7 = 21 / 0.7 = 30
    assert f.plan_score_with_grace("draft", 50, 0, 0, True, days_as_key=200, grace_days=90) == 30


def test_an_agreed_plan_counts_during_the_grace_period():
    # (0.4 · 100 + 0.3 · 60) / 0.7 = 58 / 0.7 = 82.86 → 83
    assert f.plan_score_with_grace("agreed", 60, 0, 0, True, days_as_key=10, grace_days=90) == 83


def test_a_plan_agreed_for_the_next_period_counts_as_agreed():
    # no current plan, next period agreed at 30 %: (0.4 · 100 + 0.3 · 30) / 0.7 = 49 / 0.7 = 70
    assert f.plan_score_with_grace(None, None, 0, 0, True, next_status="agreed", next_completeness=30,
                                   days_as_key=400, grace_days=90) == 70
    # a current draft gives way to the agreed next plan
    assert f.plan_score_with_grace("draft", 90, 0, 0, True, next_status="agreed", next_completeness=30) == 70
    # a current agreed plan stays the one scored: 83 as above
    assert f.plan_score_with_grace("agreed", 60, 0, 0, True, next_status="agreed", next_completeness=30) == 83


def test_health_from_leaves_out_what_is_not_measured():
    weights = {"engagement": D("20"), "service": D("20"), "plan": D("16"), "sponsor": D("12"),
               "satisfaction": D("12"), "commercial": D("20")}
    nothing = dict.fromkeys(weights)
    assert f.health_from(nothing, weights) is None
    assert f.health_from({**nothing, "commercial": 64}, weights) == 64
    # (20 · 0 + 20 · 64) / 40 = 32
    assert f.health_from({**nothing, "commercial": 64, "engagement": 0}, weights) == 32


def test_clv_health_effect_says_direction_and_size():
    assert f.clv_health_effect(D("100000"), D("110000")) == (D("10000"), D("0.1"))
    assert f.clv_health_effect(D("100000"), D("95000")) == (D("-5000"), D("-0.05"))
    assert f.clv_health_effect(D("-1000"), D("-1100")) == (D("-100"), D("-0.1"))
    assert f.clv_health_effect(D("0"), D("5")) == (D("5"), None)
