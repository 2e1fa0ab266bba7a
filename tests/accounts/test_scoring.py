"""The selection arithmetic against hand-computed examples (see accounts/scoring.py for the method)."""

from decimal import Decimal

import pytest

from accounts import scoring
from accounts.scoring import CriterionSpec

D = Decimal
# A1 (w 2) and A2 (w 1) and A0 (w 0) on attractiveness; S1 (w 3, scale 5) and S2 (w 1, scale 10) on strength.
CRITERIA = {
    1: CriterionSpec(1, "attractiveness", D(2), 5),
    2: CriterionSpec(2, "attractiveness", D(1), 5),
    3: CriterionSpec(3, "attractiveness", D(0), 5),
    4: CriterionSpec(4, "strength", D(3), 5),
    5: CriterionSpec(5, "strength", D(1), 10),
}
X = {1: 5, 2: 2, 3: 1, 4: 3, 5: 10}  # normalised: 100, 25, 0, 50, 100
Y = {1: 3, 4: 1, 5: 1}  # normalised: 50, -, -, 0, 0


def test_normalise_maps_bottom_and_top_of_any_scale_to_0_and_100():
    assert scoring.normalise(1, 5) == 0
    assert scoring.normalise(5, 5) == 100
    assert scoring.normalise(2, 5) == 25
    assert scoring.normalise(10, 10) == 100
    assert scoring.normalise(4, 7) == 50
    assert scoring.normalise(9, 5) == 100  # clamped


def test_one_assessor_weighted_mean():
    # attractiveness (2*100 + 1*25) / 3 = 75; strength (3*50 + 1*100) / 4 = 62.5
    assert scoring.assessment_scores(X, CRITERIA) == (D("75.00"), D("62.50"))


def test_weight_zero_criterion_does_not_count():
    # If A0 (score 0) counted with weight 1, attractiveness would be (200 + 25 + 0) / 4 = 56.25.
    counted = {**CRITERIA, 3: CriterionSpec(3, "attractiveness", D(1), 5)}
    assert scoring.assessment_scores(X, counted)[0] == D("56.25")
    assert scoring.assessment_scores(X, CRITERIA)[0] == D("75.00")


def test_two_assessors_average_per_criterion_and_missing_criteria_are_skipped():
    # A1 avg (100+50)/2 = 75, A2 only X = 25 -> (2*75 + 25)/3 = 58.33
    # S1 avg (50+0)/2 = 25, S2 avg (100+0)/2 = 50 -> (3*25 + 50)/4 = 31.25
    assert scoring.combined_scores([X, Y], CRITERIA) == (D("58.33"), D("31.25"))


def test_spread_between_assessors():
    x_attr, x_str = scoring.assessment_scores(X, CRITERIA)
    y_attr, y_str = scoring.assessment_scores(Y, CRITERIA)
    assert (y_attr, y_str) == (D("50.00"), D("0.00"))
    assert scoring.spread([x_attr, y_attr]) == D("25.00")
    assert scoring.spread([x_str, y_str]) == D("62.50")
    assert scoring.spread([x_attr]) is None


def test_no_assessment_gives_no_score_not_zero():
    assert scoring.combined_scores([], CRITERIA) == (None, None)
    only_weight_zero = {3: 4}
    assert scoring.assessment_scores(only_weight_zero, CRITERIA) == (None, None)


@pytest.mark.parametrize("attr,strength,expected", [
    (D("58.33"), D("31.25"), "star"),
    (D("50"), D("50"), "strategic"),  # at the threshold counts as high
    (D("49.99"), D("50"), "status"),
    (D("10"), D("20"), "streamline"),
    (None, D("80"), ""),
])
def test_quadrant(attr, strength, expected):
    assert scoring.quadrant(attr, strength, attractiveness_threshold=D(50), strength_threshold=D(50)) == expected


def test_quadrant_uses_the_programme_thresholds():
    assert scoring.quadrant(D(60), D(60), attractiveness_threshold=D(70), strength_threshold=D(50)) == "status"


def test_pareto_classes_hand_computed():
    # total 1000: 700 (above 0 %) A; 200 (above 70 %) A; 60 (above 90 %) B; 40 (above 96 %) C.
    assert scoring.pareto_classes({1: D(700), 2: D(200), 3: D(60), 4: D(40)}) == {1: "A", 2: "A", 3: "B", 4: "C"}


def test_pareto_ties_share_a_class_and_zero_revenue_is_c():
    # 500 A; 300 (above 50 %) A; 100 (above 80 %) B; 50 and 50 tie (above 90 %) B; 0 C.
    got = scoring.pareto_classes({1: D(500), 2: D(300), 3: D(100), 4: D(50), 5: D(50), 6: D(0)})
    assert got == {1: "A", 2: "A", 3: "B", 4: "B", 5: "B", 6: "C"}
    # Two accounts tied at the top are both A even though together they exceed 80 %.
    assert scoring.pareto_classes({1: D(450), 2: D(450), 3: D(100)}) == {1: "A", 2: "A", 3: "B"}


def test_pareto_without_any_revenue_is_all_c():
    assert scoring.pareto_classes({1: D(0), 2: D(0)}) == {1: "C", 2: "C"}


def test_pareto_classes_agree_with_the_rule_read_literally():
    # The definition, account by account: the revenue strictly above it, as a share of the total.
    revenues = {i: D(v) for i, v in enumerate([500, 300, 300, 100, 50, 50, 0, 10, 1, 900, -5])}
    total = sum(max(v, D(0)) for v in revenues.values())

    def literal(revenue):
        above = sum(max(r, D(0)) for r in revenues.values() if r > revenue)
        if revenue <= 0:
            return "C"
        return "A" if above < D("0.80") * total else "B" if above < D("0.95") * total else "C"

    assert scoring.pareto_classes(revenues) == {k: literal(v) for k, v in revenues.items()}


def test_bubble_area_is_proportional_to_revenue_above_a_floor():
    from accounts.selectors import bubble_radius

    assert bubble_radius(D(400), D(400)) == 26.0
    assert bubble_radius(D(100), D(400)) == 15.0  # a quarter of the revenue, half the radius above the floor
    assert bubble_radius(None, D(400)) == bubble_radius(D(-5), D(400)) == bubble_radius(D(0), D(0)) == 4.0
