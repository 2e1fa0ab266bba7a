"""Health measures what the platform holds: "not measured" where nothing is, the commercial trajectory from
the financials, the plan's grace period and next-period plans, and a panel that reproduces the health shown
from the weights recorded with it (also after the settings changed and before any recompute)."""

import datetime
import re
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.models import TierDecision
from kam.models import ProgrammeSettings
from metrics import services
from metrics.models import AccountSnapshot
from planning.models import AccountPlan
from tests.conftest import client_for
from tests.factories import AccountFactory
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


def _snap(account):
    return AccountSnapshot.objects.get(account=account, day=timezone.localdate())


def _dashboard_row(html, name):
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(name) + r"(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, name
    return row.group(0)


def _imported(personas):
    """Two accounts of the KAM as an import leaves them: one with nothing, one with only two years of
    financials (last 12 months: 11 000 revenue / 6 000 goods / 1 000 cost to serve a month; the 12
    before: 10 000 / 6 000 / 1 000)."""
    nothing = AccountFactory(name="Recién Llegada S.L.", kam=personas.kam)
    only_fin = AccountFactory(name="Solo Cifras S.A.", kam=personas.kam)
    mf.financial_year(only_fin, revenue="11000")
    mf.financial_year(only_fin, revenue="10000", months=range(13, 25))
    return nothing, only_fin


def test_an_account_with_nothing_is_not_measured_anywhere(personas):
    nothing, _ = _imported(personas)
    services.recompute_metrics()
    s = _snap(nothing)
    assert s.health is None
    assert [s.health_engagement, s.health_service, s.health_plan, s.health_sponsor, s.health_satisfaction,
            s.health_commercial] == [None] * 6
    nothing.refresh_from_db()
    assert nothing.health_score is None
    row = _dashboard_row(client_for(personas.kam).get(reverse("metrics:dashboard_kam")).content.decode(),
                         "Recién Llegada S.L.")
    assert "not measured" in row and "badge" not in row
    listing = client_for(personas.lead).get(reverse("accounts:list")).content.decode()
    assert "not measured" in _dashboard_row(listing, "Recién Llegada S.L.")
    unmeasured = client_for(personas.lead).get(reverse("accounts:list"), {"health": "unknown"}).content.decode()
    watch = client_for(personas.lead).get(reverse("accounts:list"), {"health": "watch"}).content.decode()
    assert "Recién Llegada S.L." in unmeasured and "Recién Llegada S.L." not in watch
    panel = client_for(personas.lead).get(reverse("accounts:panel", args=[nothing.pk, "metrics"])).content.decode()
    assert 'data-health=""' in panel and "No component is measured yet" in panel


def test_an_account_with_only_financials_has_the_commercial_component_as_its_health(personas):
    _, only_fin = _imported(personas)
    services.recompute_metrics()
    s = _snap(only_fin)
    # revenue 132 000 vs 120 000 → 50 + 10 = 60; contribution 48 000 vs 36 000 → 50 + 33.33 = 83.33;
    # (60 + 83.33) / 2 = 71.67 → 72; bought last month: no penalty. Nothing else is measured.
    assert s.health_commercial == 72
    assert [s.health_engagement, s.health_service, s.health_plan, s.health_sponsor,
            s.health_satisfaction] == [None] * 5
    assert s.health == 72
    row = _dashboard_row(client_for(personas.kam).get(reverse("metrics:dashboard_kam")).content.decode(),
                         "Solo Cifras S.A.")
    assert ">72<" in row
    assert s.parameters["commercial_inputs"] == {
        "revenue_12m": "132000.00", "revenue_prev_12m": "120000.00", "contribution_12m": "48000.00",
        "contribution_prev_12m": "36000.00", "months_since_purchase": 0}
    panel = client_for(personas.lead).get(reverse("accounts:panel", args=[only_fin.pk, "metrics"])).content.decode()
    detail = re.search(r'data-testid="panel-commercial-detail">(.*?)</p>', panel, re.S).group(1)
    assert "€132,000 against €120,000" in detail and "→ 60 points" in detail and "→ 83.33 points" in detail


def test_a_customer_who_stopped_buying_scores_low_not_neutral(personas):
    gone = AccountFactory(kam=personas.kam)
    mf.financial_year(gone, revenue="10000", months=range(8, 25))  # nothing in the last 7 months
    services.recompute_metrics()
    s = _snap(gone)
    # revenue 5 · 10 000 = 50 000 vs 120 000 → 50 − 58.33 → 0; contribution 15 000 vs 36 000 → 50 − 58.33
    # → 0; last purchase 7 complete months ago → 6 months since → 10 · (6 − 3) = 30 off 0 → 0
    assert s.health_commercial == 0 and s.health == 0


def test_a_new_key_account_has_a_grace_period_before_no_plan_counts(personas):
    a = AccountFactory(tier="key", kam=personas.kam)
    mf.financial_year(a)
    decision = TierDecision.objects.create(account=a, from_tier="development", to_tier="key",
                                           decided_by=personas.lead, reason="Encaje estratégico",
                                           decided_at=timezone.now() - datetime.timedelta(days=10))
    services.recompute_metrics()
    assert _snap(a).health_plan is None  # 10 days as key, grace 90
    assert _snap(a).health == _snap(a).health_commercial == 100
    TierDecision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - datetime.timedelta(days=120))
    services.recompute_metrics()
    assert _snap(a).health_plan == 0
    ProgrammeSettings.objects.update(key_account_grace_days=150)
    services.recompute_metrics()
    assert _snap(a).health_plan is None
    assert _snap(a).parameters["key_account_grace_days"] == 150


def test_a_plan_agreed_for_the_next_period_counts(personas):
    a = AccountFactory(tier="key", kam=personas.kam)
    today = timezone.localdate()
    nxt = AccountPlan.objects.create(account=a, period_start=today + datetime.timedelta(days=30),
                                     period_end=today + datetime.timedelta(days=395), status="agreed")
    AccountPlan.objects.filter(pk=nxt.pk).update(pct_conocimiento=30, pct_vision=30, pct_compromiso=30)
    services.recompute_metrics()
    # (0.4 · 100 + 0.3 · 30) / 0.7 = 70, not 0 for "no current plan"
    assert _snap(a).health_plan == 70


def test_the_snapshot_records_the_weights_and_parameters_it_used(personas):
    mf.financial_year(personas.account)
    services.recompute_metrics()
    p = _snap(personas.account).parameters
    assert p["weights"] == {"engagement": "20", "service": "20", "plan": "16", "sponsor": "12",
                            "satisfaction": "12", "commercial": "20"}
    assert p["clv_retention"] == "0.9" and p["clv_discount"] == "0.1"
    assert p["settings_version"] == ProgrammeSettings.current().version


def _panel_figures(html):
    """(health shown, [(weight, score or None)]) as the panel shows them."""
    shown = re.search(r'data-testid="panel-health" data-health="(\d*)"', html).group(1)
    rows = [(D(w), None if s == "" else int(s)) for s, w in
            re.findall(r'<tr data-component="\w+" data-score="(\d*)" data-weight="([\d.]+)">', html)]
    assert len(rows) == 6
    return (int(shown) if shown else None), rows


def test_every_panel_adds_up_after_a_weights_change_before_any_recompute(personas):
    """Σ weight × component ÷ Σ weight over the measured components = the health shown, for every account,
    with the weights the panel shows: the snapshot's, not today's."""
    nothing, only_fin = _imported(personas)
    mf.financial_year(personas.account)
    mf.incident(personas.account, ago=40, ack_breached_ago=10)
    mf.touchpoint(personas.account, ago=20)
    mf.plan(personas.account, pct=60)
    mf.feedback(personas.account, 8)
    declining = AccountFactory(kam=personas.kam)
    mf.financial_year(declining, revenue="8000", months=range(5, 13))
    mf.financial_year(declining, revenue="10000", months=range(13, 25))
    mf.touchpoint(declining, ago=200)
    services.recompute_metrics()
    before = ProgrammeSettings.current()
    services.programme_settings_update(actor=personas.lead, expected_version=before.version, data={
        "weight_engagement": D("5"), "weight_service": D("5"), "weight_plan": D("40"), "weight_sponsor": D("5"),
        "weight_satisfaction": D("5"), "weight_commercial": D("40")})
    lead = client_for(personas.lead)
    accounts = [personas.account, nothing, only_fin, declining]
    for account in accounts:
        html = lead.get(reverse("accounts:panel", args=[account.pk, "metrics"])).content.decode()
        shown, rows = _panel_figures(html)
        measured = [(w, s) for w, s in rows if s is not None]
        if not measured:
            assert shown is None
            continue
        expected = (sum(w * s for w, s in measured) / sum(w for w, _ in measured)).quantize(D(1), ROUND_HALF_UP)
        assert shown == int(expected) == _snap(account).health, account
        assert [w for w, _ in rows] == [D("20"), D("20"), D("16"), D("12"), D("12"), D("20")]
        assert 'data-testid="panel-settings-changed"' in html and "weight: commercial trajectory" in html
        assert 'data-testid="panel-recompute-now"' in html
    kam_view = client_for(personas.kam).get(reverse("accounts:panel", args=[only_fin.pk, "metrics"]))
    assert b'data-testid="panel-settings-changed"' in kam_view.content
    assert b'data-testid="panel-recompute-now"' not in kam_view.content  # the lead's button
    services.recompute_metrics()
    html = lead.get(reverse("accounts:panel", args=[personas.account.pk, "metrics"])).content.decode()
    assert 'data-testid="panel-settings-changed"' not in html
    shown, rows = _panel_figures(html)
    assert [w for w, _ in rows] == [D("5"), D("5"), D("40"), D("5"), D("5"), D("40")]


def test_risk_adjusted_clv_says_how_health_moves_it(personas):
    mf.financial_year(personas.account)
    services.recompute_metrics()
    s = _snap(personas.account)
    html = client_for(personas.lead).get(reverse("accounts:panel", args=[personas.account.pk, "metrics"])
                                         ).content.decode()
    effect = re.search(r'data-testid="panel-clv-effect">(.*?)</div>', html, re.S).group(1)
    direction = "raises" if s.clv_risk_adjusted > s.clv else "lowers"
    assert f"Health {direction} the lifetime value by" in effect
    assert "0.9" in effect  # the base retention the CLV assumed, from the snapshot


def test_not_measured_reads_in_spanish(personas):
    nothing, _ = _imported(personas)
    services.recompute_metrics()
    client = client_for(personas.kam)
    with override("es"):
        client.cookies["django_language"] = "es"
        html = client.get(reverse("metrics:dashboard_kam"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "sin medir" in _dashboard_row(html, "Recién Llegada S.L.")


def test_the_settings_migration_makes_room_for_the_commercial_weight(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("kam.migrations.0011_health_settings")
    ProgrammeSettings.objects.all().delete()
    ProgrammeSettings.objects.create(weight_engagement=25, weight_service=25, weight_plan=20, weight_sponsor=15,
                                     weight_satisfaction=15, weight_commercial=20)
    migration.make_room_for_commercial(apps, None)
    s = ProgrammeSettings.current()
    # each × 0.8, the commercial weight takes what is left of the same total (100)
    assert [s.weight_engagement, s.weight_service, s.weight_plan, s.weight_sponsor, s.weight_satisfaction,
            s.weight_commercial] == [D("20"), D("20"), D("16"), D("12"), D("12"), D("20")]
    ProgrammeSettings.objects.update(weight_engagement=D("33.33"), weight_service=D("33.33"), weight_plan=D("33.34"),
                                     weight_sponsor=0, weight_satisfaction=0)
    migration.make_room_for_commercial(apps, None)
    s = ProgrammeSettings.current()
    # 33.33 × 0.8 = 26.664 → 26.66 (twice), 33.34 × 0.8 = 26.672 → 26.67; 100 − 79.99 = 20.01
    assert (s.weight_engagement, s.weight_plan, s.weight_commercial) == (D("26.66"), D("26.67"), D("20.01"))
