"""Each formula against values worked out by hand (the arithmetic is in the comments)."""

from decimal import Decimal as D

import pytest

from metrics import formulas as f


def test_contribution_is_revenue_minus_goods_minus_cost_to_serve():
    # 100 000 − 60 000 − 10 000 = 30 000
    assert f.contribution(D("100000"), D("60000"), D("10000")) == D("30000")


def test_contribution_can_be_negative():
    # 50 000 − 40 000 − 15 000 = −5 000: an account that costs more than it earns
    assert f.contribution(50000, 40000, 15000) == D("-5000")


def test_cost_to_serve_adds_incident_and_touchpoint_costs():
    assert f.cost_to_serve(D("1000"), D("250.50"), D("99.50")) == D("1350.00")


def test_trailing_sum_counts_missing_months_as_zero():
    months = ["2026-01", "2026-02", "2026-03"]
    assert f.trailing_sum({"2026-01": D("10"), "2026-03": D("5"), "2025-12": D("99")}, months) == D("15")


def test_yoy_growth():
    # (120 − 100) / 100 = 0.2
    assert f.yoy_growth(120, 100) == D("0.2")
    # (80 − 100) / 100 = −0.2
    assert f.yoy_growth(80, 100) == D("-0.2")


@pytest.mark.parametrize("previous", [0, -10])
def test_yoy_growth_undefined_without_a_positive_base(previous):
    assert f.yoy_growth(100, previous) is None


def test_clv_gupta_lehmann_defaults():
    # m = 30 000, r = 0.9, d = 0.1: 30 000 · 0.9 / (1 + 0.1 − 0.9) = 27 000 / 0.2 = 135 000
    assert f.clv(D("30000"), D("0.9"), D("0.1")) == D("135000")


def test_clv_other_rates():
    # m = 1 000, r = 0.8, d = 0.12: 800 / 0.32 = 2 500
    assert f.clv(1000, D("0.8"), D("0.12")) == D("2500")


def test_clv_negative_margin_is_negative():
    # −5 000 · 0.9 / 0.2 = −22 500
    assert f.clv(D("-5000"), D("0.9"), D("0.1")) == D("-22500")


def test_clv_no_margin_is_zero():
    assert f.clv(0, D("0.9"), D("0.1")) == 0


@pytest.mark.parametrize("r,d", [(D("1.1"), D("0.1")), (D("1.2"), D("0.1")), (D("-0.1"), D("0.1"))])
def test_clv_refuses_divergent_rates(r, d):
    with pytest.raises(ValueError):
        f.clv(1000, r, d)


def test_finite_horizon_by_hand():
    # H = 2, m = 1 000, r = 0.9, d = 0.1: 1000·(0.9/1.1) + 1000·(0.9/1.1)² = 818.18… + 669.42… = 1 487.60
    assert f.money(f.clv_finite(1000, D("0.9"), D("0.1"), 2)) == D("1487.60")


def test_finite_horizon_converges_to_infinite():
    infinite = f.clv(1000, D("0.9"), D("0.1"))  # 4 500
    assert infinite == D("4500")
    short = f.clv_finite(1000, D("0.9"), D("0.1"), 5)
    long = f.clv_finite(1000, D("0.9"), D("0.1"), 200)
    assert short < long < infinite
    assert abs(long - infinite) < D("0.01")


def test_retention_moves_linearly_with_health():
    # bounds 0.70 and 0.95: h = 0 → 0.70, h = 100 → 0.95, h = 60 → 0.70 + 0.25 · 0.6 = 0.85
    assert f.retention_for_health(0, D("0.7"), D("0.95")) == D("0.7")
    assert f.retention_for_health(100, D("0.7"), D("0.95")) == D("0.95")
    assert f.retention_for_health(60, D("0.7"), D("0.95")) == D("0.85")
    assert f.retention_for_health(150, D("0.7"), D("0.95")) == D("0.95")  # clamped


def test_risk_adjusted_clv_by_hand():
    # h = 60 → r = 0.85; m = 10 000, d = 0.1: 8 500 / 0.25 = 34 000
    value, r = f.clv_risk_adjusted(10000, 60, D("0.1"), D("0.7"), D("0.95"), D("0.9"))
    assert r == D("0.85")
    assert value == D("34000")


def test_risk_adjusted_clv_without_health_uses_base_retention():
    value, r = f.clv_risk_adjusted(10000, None, D("0.1"), D("0.7"), D("0.95"), D("0.9"))
    assert r == D("0.9")
    assert value == D("45000")


def test_health_weighted_mean():
    # (25·80 + 25·60 + 20·50 + 15·100 + 15·40) / 100 = (2000 + 1500 + 1000 + 1500 + 600) / 100 = 66
    comps = [f.Component("engagement", 80, D("25")), f.Component("service", 60, D("25")),
             f.Component("plan", 50, D("20")), f.Component("sponsor", 100, D("15")),
             f.Component("satisfaction", 40, D("15"))]
    assert f.health(comps) == 66


def test_health_leaves_out_components_without_data():
    # plan and satisfaction have no data: (25·80 + 25·60 + 15·100) / 65 = 5000 / 65 = 76.92 → 77
    comps = [f.Component("engagement", 80, D("25")), f.Component("service", 60, D("25")),
             f.Component("plan", None, D("20")), f.Component("sponsor", 100, D("15")),
             f.Component("satisfaction", None, D("15"))]
    assert f.health(comps) == 77


def test_health_without_any_data_is_none():
    assert f.health([f.Component("plan", None, D("20"))]) is None


def test_engagement_score():
    # 6 touchpoints of 12 → 0.5 · 60 = 30; 2 of 4 departments → 0.5 · 40 = 20; total 50
    assert f.engagement_score(6, 2) == 50
    assert f.engagement_score(30, 7) == 100
    assert f.engagement_score(0, 0) == 0


def test_service_score():
    # 100 − 10·1 − 15·2 − 5·1 = 55
    assert f.service_score(1, 2, 1) == 55
    assert f.service_score(0, 0, 0) == 100
    assert f.service_score(5, 10, 0) == 0  # floored


def test_plan_score():
    # agreed (100) · 0.4 + 50 · 0.3 + (3 of 4 kept = 75) · 0.3 = 40 + 15 + 22.5 = 77.5 → 78
    assert f.plan_score("agreed", 50, 4, 3, True) == 78
    # no commitments due: (0.4 · 60 + 0.3 · 100) / 0.7 = 54 / 0.7 = 77.14 → 77
    assert f.plan_score("committed", 100, 0, 0, True) == 77


def test_plan_score_without_a_plan():
    assert f.plan_score(None, None, 0, 0, is_key=True) == 0
    assert f.plan_score(None, None, 0, 0, is_key=False) is None


def test_sponsor_score():
    assert f.sponsor_score(False, None, 90) is None
    assert f.sponsor_score(True, None, 90) == 0
    assert f.sponsor_score(True, 30, 90) == 100
    # 135 days with a 90-day cadence: 100 · (180 − 135) / 90 = 50
    assert f.sponsor_score(True, 135, 90) == 50
    assert f.sponsor_score(True, 400, 90) == 0


def test_satisfaction_score_with_mutuality_gap():
    # client 8 → 80; we rate 10: gap 2 → −10 → 70
    assert f.satisfaction_score(8, 10) == 70
    assert f.satisfaction_score(8, None) == 80
    assert f.satisfaction_score(None, 9) is None


def test_whale_curve_by_hand():
    # contributions 300, 100, −100 (total 300): ranked cumulative 300, 400, 300 → 100 %, 133.3 %, 100 %
    points = f.whale_curve([D("100"), D("-100"), D("300")])
    assert [round(x, 1) for x, _ in points] == [D("33.3"), D("66.7"), D("100.0")]
    assert [round(y, 1) for _, y in points] == [D("100.0"), D("133.3"), D("100.0")]


def test_whale_curve_with_a_loss_overall_uses_the_positive_sum():
    # 100, −300: total −200 ≤ 0, base = 100 → 100 %, −100 %
    assert [y for _, y in f.whale_curve([100, -300])] == [D("100"), D("-200")]


def test_whale_curve_edge_cases():
    assert f.whale_curve([]) == []
    assert f.whale_curve([D("-5"), D("0")]) == []


def test_pareto_curve():
    # 80, 15, 5 of 100: 80 %, 95 %, 100 %
    assert [y for _, y in f.pareto_curve([15, 80, 5])] == [D("80"), D("95"), D("100")]
    assert f.pareto_curve([0, 0]) == []


def test_downsample_keeps_last_point():
    pts = list(range(1000))
    out = f.downsample(pts, 100)
    assert len(out) <= 101 and out[-1] == 999 and out[0] == 0
