import datetime
from decimal import Decimal

from charter import formulas

D = datetime.date


def test_cadence_is_kept_up_to_the_day_the_visit_falls_due():
    # 90 days after 2 April is 1 July: the visit is due that day and overdue on any day after it that
    # ends without one (the touchpoints' status counts the day's own visit).
    assert formulas.cadence_kept(anchor=D(2026, 4, 2), visits=[D(2026, 7, 2)], start=D(2026, 7, 1),
                                 end=D(2026, 9, 28), cadence_days=90)
    assert not formulas.cadence_kept(anchor=D(2026, 4, 2), visits=[D(2026, 7, 3)], start=D(2026, 7, 1),
                                     end=D(2026, 9, 28), cadence_days=90)
    # The last visit of the period must carry it to its end: 1 July + 90 days is 29 September.
    assert formulas.cadence_kept(anchor=D(2026, 4, 2), visits=[D(2026, 7, 1)], start=D(2026, 7, 1),
                                 end=D(2026, 9, 29), cadence_days=90)
    assert not formulas.cadence_kept(anchor=D(2026, 4, 2), visits=[D(2026, 7, 1)], start=D(2026, 7, 1),
                                     end=D(2026, 9, 30), cadence_days=90)


def test_an_overdue_stretch_before_the_period_does_not_count():
    # Overdue from 1 April, visited on the period's first day: nothing overdue within the period.
    assert formulas.cadence_kept(anchor=D(2025, 12, 1), visits=[D(2026, 7, 1)], start=D(2026, 7, 1),
                                 end=D(2026, 7, 31), cadence_days=90)
    assert not formulas.cadence_kept(anchor=D(2025, 12, 1), visits=[D(2026, 7, 2)], start=D(2026, 7, 1),
                                     end=D(2026, 7, 31), cadence_days=90)


def test_ratio_target_and_quarters():
    assert formulas.ratio(1, 3, scale=100) == Decimal("33.3")
    assert formulas.ratio(2, 3, scale=100) == Decimal("66.7")
    assert formulas.ratio(1, 0) is None
    assert formulas.target_met(Decimal("95.0"), Decimal("95"), higher_is_better=True) is True
    assert formulas.target_met(Decimal("4.1"), Decimal("4"), higher_is_better=False) is False
    assert formulas.target_met(None, Decimal("4"), higher_is_better=False) is None
    assert formulas.quarters(D(2026, 1, 1), D(2029, 12, 31)) == 16  # 1,461 days


def test_presets():
    today = D(2026, 12, 1)
    assert formulas.preset_period("last_quarter", today) == (D(2026, 7, 1), D(2026, 9, 30))
    assert formulas.preset_period("last_quarter", D(2026, 2, 10)) == (D(2025, 10, 1), D(2025, 12, 31))
    assert formulas.preset_period("this_quarter", today) == (D(2026, 10, 1), today)
    assert formulas.preset_period("year_to_date", today) == (D(2026, 1, 1), today)
    assert formulas.preset_period("last_year", today) == (D(2025, 1, 1), D(2025, 12, 31))
    assert formulas.preset_period("last_12_months", today) == (D(2025, 12, 2), today)
    assert formulas.preset_period("last_12_months", D(2028, 2, 29)) == (D(2027, 3, 1), D(2028, 2, 29))
