"""Retention observed in the base (metrics.retention, the recompute's estimates) and the CLV that uses
it, hand-computed; the rates' validation in the settings form and the service."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from accounts.models import FinancialRecord
from kam.errors import Invalid
from kam.models import ProgrammeSettings
from metrics import retention, services
from metrics.models import AccountSnapshot, RetentionEstimate
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics.factories import month_start

pytestmark = pytest.mark.django_db


# --- the estimator, by hand --------------------------------------------------------------------------
def test_retention_rate_is_retained_over_sample_to_four_decimals():
    assert retention.retention_rate(7, 20) == D("0.3500")
    assert retention.retention_rate(1, 3) == D("0.3333")
    assert retention.retention_rate(2, 3) == D("0.6667")  # half up
    assert retention.retention_rate(0, 5) == D("0")
    assert retention.retention_rate(0, 0) is None
    with pytest.raises(ValueError):
        retention.retention_rate(4, 3)


def test_estimates_sum_pairs_into_overall_tier_and_industry():
    counts = [("standard", "retail", 20, 7), ("key", "steel", 5, 5), ("standard", "steel", 4, 1)]
    got = {(e.segment, e.value): (e.sample, e.retained) for e in retention.estimates_from_counts(counts)}
    assert got == {("overall", ""): (29, 13), ("tier", "standard"): (24, 8), ("tier", "key"): (5, 5),
                   ("industry", "retail"): (20, 7), ("industry", "steel"): (9, 6)}


def test_an_account_is_in_the_sample_when_it_bought_the_year_before_and_retained_when_it_bought_again():
    years = [("key", "steel", D("10"), D("5")), ("key", "steel", D("10"), D("0")), ("key", "steel", D("0"), D("9")),
             ("key", "steel", None, D("9")), ("key", "retail", D("1"), None), ("key", "retail", D("-1"), D("1"))]
    assert sorted(retention.counts_from_years(years)) == [("key", "retail", 1, 0), ("key", "steel", 2, 1)]


def _table(*estimates):
    return {(e.segment, e.value): e for e in estimates}


def test_the_most_specific_segment_with_a_large_enough_sample_is_used():
    table = _table(retention.Estimate("overall", "", 100, 50), retention.Estimate("tier", "key", 40, 30),
                   retention.Estimate("industry", "steel", 10, 10))
    kw = {"observed": True, "min_sample": 30, "fixed_rate": D("0.9"), "discount": D("0.1")}
    # steel has 10 < 30: the tier decides; a tier below the minimum falls to the whole base.
    assert retention.choose_retention("key", "steel", table, **kw) == retention.RetentionChoice(D("0.75"), "tier", 40)
    assert retention.choose_retention("standard", "steel", table, **kw).source == "overall"
    assert retention.choose_retention("key", "steel", table, **{**kw, "min_sample": 10}).source == "industry"
    # Nothing large enough: the programme's rate, and it says so.
    assert (retention.choose_retention("key", "steel", table, **{**kw, "min_sample": 101})
            == retention.RetentionChoice(D("0.9"), "fallback", None))
    # The lead's fixed rate overrides what was observed.
    assert retention.choose_retention("key", "steel", table, **{**kw, "observed": False}).source == "fixed"


def test_an_observed_rate_the_clv_formula_cannot_take_is_passed_over():
    table = _table(retention.Estimate("overall", "", 50, 40), retention.Estimate("industry", "steel", 50, 50))
    got = retention.choose_retention("key", "steel", table, observed=True, min_sample=30, fixed_rate=D("0.9"),
                                     discount=D("0"))
    assert got == retention.RetentionChoice(D("0.8"), "overall", 50)  # r = 1 with d = 0 would be infinite


# --- a small base with known repeat purchases ------------------------------------------------------
def _months(account, months, revenue="100", cogs="0"):
    FinancialRecord.objects.bulk_create(
        FinancialRecord(account=account, month=month_start(m), revenue=D(revenue), cost_of_goods=D(cogs),
                        cost_to_serve=D("0")) for m in months)


@pytest.fixture
def base():
    """20 retail standard accounts bought in months 13–24 ago; 7 bought again in months 1–12. 5 steel key
    accounts bought in both years. One new retail account bought only last year (not in any sample)
    and one bought only the year before last, then was archived (a customer lost, still counted)."""
    retail = [AccountFactory(industry="retail", tier="standard") for _ in range(20)]
    steel = [AccountFactory(industry="steel", tier="key") for _ in range(5)]
    for a in retail + steel:
        _months(a, range(13, 25))
    for a in retail[:7]:
        _months(a, range(2, 13))
    # m = 12 × 100 − 200 = 1,000.00 for the first retail account, 1,200.00 for a steel one.
    _months(retail[0], [1], cogs="200")
    for a in steel:
        _months(a, range(1, 13))
    new = AccountFactory(industry="retail", tier="standard")
    _months(new, range(1, 13))
    gone = AccountFactory(industry="retail", tier="standard")
    _months(gone, range(13, 25))
    gone.archived_at = gone.created_at
    gone.save(update_fields=["archived_at"])
    return {"retail": retail, "steel": steel, "new": new}


def _settings(**values):
    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(**values)


def test_observed_retention_and_clv_to_the_cent(base):
    _settings(retention_min_sample=21, clv_discount=D("0.100"), clv_retention=D("0.900"))
    services.recompute_metrics()
    rows = {(e.segment, e.value): (e.sample, e.retained, e.rate, e.used) for e in RetentionEstimate.objects.all()}
    # 21 retail (the archived one too) of which 7 kept; 5 steel key, all kept; 26 overall, 12 kept.
    assert rows == {("overall", ""): (26, 12, D("0.4615"), True), ("tier", "standard"): (21, 7, D("0.3333"), True),
                    ("tier", "key"): (5, 5, D("1.0000"), False), ("industry", "retail"): (21, 7, D("0.3333"), True),
                    ("industry", "steel"): (5, 5, D("1.0000"), False)}
    snap = AccountSnapshot.objects.get(account=base["retail"][0])
    assert snap.contribution_12m == D("1000.00")
    # CLV = m · r / (1 + d − r) = 1000 × 0.3333 / 0.7667 = 434.7202…
    assert (snap.clv_retention, snap.clv_retention_source, snap.clv) == (D("0.3333"), "industry", D("434.72"))
    # steel (5) and key (5) are below 21: the whole base, 12 / 26 = 0.4615; 1200 × 0.4615 / 0.6385 = 867.3453…
    key = AccountSnapshot.objects.get(account=base["steel"][0])
    assert (key.clv_retention, key.clv_retention_source, key.clv) == (D("0.4615"), "overall", D("867.35"))
    # A new customer is valued with its segment's rate: 1200 × 0.3333 / 0.7667 = 521.6643…
    assert AccountSnapshot.objects.get(account=base["new"]).clv == D("521.66")


def test_too_small_a_sample_falls_back_to_the_programme_rate_and_says_so(base):
    services.recompute_metrics()  # default minimum sample: 30 > 26
    snap = AccountSnapshot.objects.get(account=base["retail"][0])
    # 1000 × 0.9 / (1.1 − 0.9) = 4,500.00
    assert (snap.clv_retention, snap.clv_retention_source, snap.clv) == (D("0.9000"), "fallback", D("4500.00"))
    assert not RetentionEstimate.objects.filter(used=True).exists()
    assert RetentionEstimate.objects.get(segment="overall").sample == 26


def test_the_lead_can_keep_the_fixed_rate(base):
    _settings(retention_min_sample=5, clv_retention_mode="fixed", clv_retention=D("0.800"))
    services.recompute_metrics()
    snap = AccountSnapshot.objects.get(account=base["retail"][0])
    # 1000 × 0.8 / 0.3 = 2,666.666…
    assert (snap.clv_retention, snap.clv_retention_source, snap.clv) == (D("0.8000"), "fixed", D("2666.67"))


def test_the_programme_dashboard_shows_the_estimates_with_their_samples(base, personas):
    _settings(retention_min_sample=21)
    services.recompute_metrics()
    html = client_for(personas.lead).get(reverse("metrics:dashboard_program")).content.decode()
    table = html[html.index('data-testid="retention-table"'):]
    table = table[:table.index("</table>")]
    assert "Retail chains" in table and "0.3333" in table and "<td class=\"text-end\">21</td>" in table
    assert "sample too small" in table  # steel and key: 5 accounts


def test_the_dashboard_says_what_to_do_before_any_retention_is_observed(personas):
    html = client_for(personas.lead).get(reverse("metrics:dashboard_program")).content.decode()
    assert "No retention observed yet" in html


# --- rates: 0 ≤ r < 1 + d ------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    {"clv_retention": D("1.05")},
    {"clv_retention": D("1.000"), "clv_discount": D("0.000")},
    {"retention_at_health_100": D("1.000"), "clv_discount": D("0.000")},
    {"clv_retention": D("-0.100")},
])
def test_the_service_refuses_a_retention_outside_0_to_1_plus_d(personas, data):
    s = ProgrammeSettings.current()
    with pytest.raises(Invalid) as refused:
        services.programme_settings_update(actor=personas.lead, expected_version=s.version, data=data)
    assert set(refused.value.errors) & {"clv_retention", "retention_at_health_100"}
    s.refresh_from_db()
    assert s.clv_retention == D("0.900") and s.clv_discount == D("0.100")


def test_the_form_refuses_retention_1_05_with_a_message(personas):
    from tests.metrics.settings_form import settings_post_data

    s = ProgrammeSettings.current()
    data = settings_post_data(clv_retention="1.05", clv_discount="0.000")
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"), data)
    assert response.status_code == 200
    assert "lower than 1 + the discount rate (1.000)" in response.content.decode()
    s.refresh_from_db()
    assert s.clv_retention == D("0.900")


def test_the_settings_form_saves_the_retention_mode_and_minimum_sample(personas):
    from tests.metrics.settings_form import settings_post_data

    s = ProgrammeSettings.current()
    data = settings_post_data(clv_retention_mode="fixed", retention_min_sample="50")
    response = client_for(personas.lead).post(reverse("metrics:programme_settings"), data)
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.clv_retention_mode, s.retention_min_sample) == ("fixed", 50)
    data.update(version=s.version, retention_min_sample="0")
    assert client_for(personas.lead).post(reverse("metrics:programme_settings"), data).status_code == 200
