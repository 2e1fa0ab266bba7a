"""The recompute follows the data: an import, a settings change and a tier decision each ask for one,
and requests in a row make a single debounced run (metrics.scheduling, kam.tasks.enqueue_once)."""

import datetime
from decimal import Decimal as D

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts import services as account_services
from accounts.models import FinancialRecord
from accounts.signals import financials_imported
from kam.models import OutboxTask, ProgrammeSettings
from metrics import scheduling, services
from metrics.models import RecomputeRun
from metrics.tasks import recompute_metrics
from tests.celery_helpers import celery_using

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_mode():
    """Production's mode: requests go to the outbox for a worker (the broker is never contacted)."""
    with celery_using("redis://127.0.0.1:1/0") as app:
        yield app


def _pending():
    return list(OutboxTask.objects.filter(task=recompute_metrics.name, done_at__isnull=True))


def _three_triggers(personas):
    financials_imported.send(sender=FinancialRecord, account_ids=[personas.account.pk])
    s = ProgrammeSettings.current()
    services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                       data={"clv_discount": D("0.120")})
    account_services.tier_decide(actor=personas.lead, account=personas.other_account, to_tier="development",
                                 reason="Crece en dos regiones")


def test_an_import_a_settings_change_and_a_tier_decision_queue_one_recompute(personas, broker_mode):
    before = timezone.now()
    _three_triggers(personas)
    [row] = _pending()
    assert row.kwargs == {"trigger": "import+settings+tier"}
    # Debounced: a minute after the last request, not at once.
    assert row.run_after >= before + scheduling.RECOMPUTE_DEBOUNCE


def test_a_settings_change_that_no_figure_uses_asks_for_nothing(personas, broker_mode):
    s = ProgrammeSettings.current()
    services.programme_settings_update(actor=personas.lead, expected_version=s.version,
                                       data={"plan_review_days": 45, "key_account_cap": 30})
    assert _pending() == []
    services.programme_settings_update(actor=personas.lead, expected_version=s.version + 1,
                                       data={"retention_min_sample": 10})
    assert len(_pending()) == 1


def test_a_request_while_the_recompute_runs_queues_another(personas, broker_mode):
    first = scheduling.recompute_schedule(trigger="import")
    OutboxTask.objects.filter(pk=first.pk).update(claimed_until=timezone.now() + datetime.timedelta(minutes=5))
    second = scheduling.recompute_schedule(trigger="tier")
    assert second.pk != first.pk and second.kwargs == {"trigger": "tier"}
    # ...and the next request joins the new one, not the one running.
    assert scheduling.recompute_schedule(trigger="settings").pk == second.pk
    assert len(_pending()) == 2


def test_a_stream_of_requests_cannot_postpone_the_recompute_for_ever(personas, broker_mode):
    row = scheduling.recompute_schedule(trigger="import")
    long_ago = timezone.now() - scheduling.RECOMPUTE_MAX_WAIT + datetime.timedelta(seconds=20)
    OutboxTask.objects.filter(pk=row.pk).update(created_at=long_ago)
    row = scheduling.recompute_schedule(trigger="import")
    assert row.run_after == long_ago + scheduling.RECOMPUTE_MAX_WAIT


def test_the_leads_recompute_now_brings_a_waiting_one_forward(personas, broker_mode):
    waiting = scheduling.recompute_schedule(trigger="import")
    assert services.recompute_request(actor=personas.lead).pk == waiting.pk
    waiting.refresh_from_db()
    assert waiting.run_after <= timezone.now() and waiting.kwargs == {"trigger": "import+lead"}


def test_in_process_the_three_triggers_run_one_recompute_when_the_transaction_commits(personas):
    with TestCase.captureOnCommitCallbacks(execute=True):
        _three_triggers(personas)
    assert list(RecomputeRun.objects.values_list("trigger", flat=True)) == ["import+settings+tier"]
