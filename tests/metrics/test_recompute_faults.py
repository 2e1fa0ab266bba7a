"""One account's figures never stop the recompute for the others, and a recompute that fails is recorded
and shown: on the programme dashboard to the programme lead and in /healthz.

The figures that broke it in production: an account billed 0.01 € a month for a year, then 29,486 € a
month: its year-on-year growth (about 2,948,599 as a fraction) does not fit NUMERIC(9,4)."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import selectors, services
from metrics.models import AccountSnapshot, RecomputeRun
from tests.conftest import client_for
from tests.metrics import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def wild(personas):
    """personas.account with ordinary figures; personas.other_account with the growth that overflowed."""
    mf.financial_year(personas.account)
    mf.financial_year(personas.other_account, revenue="0.01", cogs="0", cts="0", months=range(13, 25))
    mf.financial_year(personas.other_account, revenue="29486", cogs="20000", cts="100")
    return personas


def test_out_of_range_growth_is_stored_as_null_and_the_others_are_recomputed(wild):
    result = services.recompute_metrics()
    assert result.accounts == 2 and result.snapshots == 2
    odd = AccountSnapshot.objects.get(account=wild.other_account)
    assert odd.yoy_growth is None  # beyond what the column holds: unknown rather than wrong
    assert odd.revenue_12m == D("353832.00") and odd.revenue_prev_12m == D("0.12")
    assert odd.health is not None and odd.clv is not None
    ordinary = AccountSnapshot.objects.get(account=wild.account)
    assert ordinary.revenue_12m == D("120000.00")
    run = RecomputeRun.objects.get()
    assert run.status == RecomputeRun.Status.OK and run.failed_accounts == 0


def test_fit_clamps_what_cannot_be_null_and_nulls_what_can():
    snap = AccountSnapshot(yoy_growth=D("2948599.0000"), revenue_12m=D("-1e20"), clv=D("1e15"),
                           retention_risk_adjusted=D("0.9"))
    assert set(services.snapshot_fit(snap)) == {"yoy_growth", "revenue_12m", "clv"}
    assert snap.yoy_growth is None and snap.clv is None
    assert snap.revenue_12m == D("-99999999999999.99")
    assert snap.retention_risk_adjusted == D("0.9")


def test_an_account_that_fails_is_recorded_and_the_others_are_saved(wild, monkeypatch):
    real = services.snapshots._snapshot_for

    def fails_for_one(a, *args):
        if a["id"] == wild.other_account.pk:
            raise ArithmeticError("division impossible")
        return real(a, *args)

    monkeypatch.setattr(services.snapshots, "_snapshot_for", fails_for_one)
    result = services.recompute_metrics()
    assert result.snapshots == 1
    assert list(AccountSnapshot.objects.values_list("account_id", flat=True)) == [wild.account.pk]
    run = RecomputeRun.objects.get()
    assert run.status == RecomputeRun.Status.PARTIAL and run.failed_accounts == 1
    assert f"account {wild.other_account.pk}" in run.error and "division impossible" in run.error


def test_a_row_the_database_refuses_fails_alone(wild, monkeypatch):
    # Without the fitting, the overflow reaches PostgreSQL, which refuses the row: the others still go in.
    monkeypatch.setattr(services.snapshots, "snapshot_fit", lambda snapshot: [])
    result = services.recompute_metrics()
    assert result.snapshots == 1
    assert AccountSnapshot.objects.filter(account=wild.account).exists()
    run = RecomputeRun.objects.get()
    assert run.status == RecomputeRun.Status.PARTIAL and run.failed_accounts == 1
    assert f"account {wild.other_account.pk}" in run.error
    wild.account.refresh_from_db()
    assert wild.account.health_score is not None  # the accounts' copy was written for the saved ones


def test_a_failed_run_is_recorded_shown_to_the_lead_and_reported_by_healthz(wild, monkeypatch, client):
    services.recompute_metrics(day=timezone.localdate() - datetime.timedelta(days=1))
    good = RecomputeRun.objects.get()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.recompute, "snapshots_compute", broken)
    with pytest.raises(RuntimeError):
        services.recompute_metrics(trigger="lead")
    failed = RecomputeRun.objects.exclude(pk=good.pk).get()
    assert failed.status == RecomputeRun.Status.FAILED and failed.trigger == "lead"
    assert "disk full" in failed.error and failed.finished_at is not None

    page = client_for(wild.lead).get(reverse("metrics:dashboard_program")).content.decode()
    assert 'data-testid="metrics-stale"' in page
    assert "Figures stale since" in page and "disk full" in page
    # The run that failed is not the one the page quotes for its time.
    assert client_for(wild.lead).get(reverse("metrics:dashboard_program")).context["run"] == good
    sponsor_page = client_for(wild.sponsor).get(reverse("metrics:dashboard_program")).content.decode()
    assert 'data-testid="metrics-stale"' not in sponsor_page

    health = client.get(reverse("healthz"))
    assert health.status_code == 200  # stale figures are reported, the site is still up
    assert health.json()["metrics"].startswith("stale since ")
    assert health.json()["status"] == "ok"

    # The next run succeeds: the notice goes.
    monkeypatch.undo()
    services.recompute_metrics()
    page = client_for(wild.lead).get(reverse("metrics:dashboard_program")).content.decode()
    assert 'data-testid="metrics-stale"' not in page
    assert client.get(reverse("healthz")).json()["metrics"] == "ok"


def test_figures_not_recomputed_for_too_long_are_stale(wild, client):
    services.recompute_metrics()
    RecomputeRun.objects.update(finished_at=timezone.now() - selectors.METRICS_STALE_AFTER
                                - datetime.timedelta(minutes=1))
    assert client.get(reverse("healthz")).json()["metrics"].startswith("stale since ")
    assert 'data-testid="metrics-stale"' in client_for(wild.lead).get(
        reverse("metrics:dashboard_program")).content.decode()


def test_healthz_before_any_recompute(client):
    assert client.get(reverse("healthz")).json()["metrics"] == "never computed"
