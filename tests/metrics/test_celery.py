"""The recompute through a real Celery worker on Redis (broker and results on database 9 of our own
Redis numbers), and the import hook when the broker is away."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from kam.celery import app
from metrics.models import AccountSnapshot, RecomputeRun
from metrics.tasks import recompute_metrics
from tests.celery_helpers import celery_using, redis_server
from tests.metrics import factories as mf

BROKER = f"{redis_server()}/9"


@pytest.fixture
def on_redis():
    import redis

    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis not reachable at {BROKER}")
    with celery_using(BROKER, BROKER) as celery_app:
        yield celery_app


@pytest.mark.django_db(transaction=True)
def test_recompute_runs_on_a_real_worker_and_writes_snapshots(on_redis):
    from tests.factories import AccountFactory

    key = AccountFactory(tier="key")
    other = AccountFactory()
    mf.financial_year(key)
    with start_worker(on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = recompute_metrics.delay(trigger="worker-test")
        outcome = result.get(timeout=60)
        again = recompute_metrics.delay(trigger="worker-test").get(timeout=60)
    today = timezone.localdate()
    assert outcome == {"day": today.isoformat(), "accounts": 2, "seconds": outcome["seconds"]}
    assert again["accounts"] == 2
    snaps = {s.account_id: s for s in AccountSnapshot.objects.filter(day=today)}
    assert set(snaps) == {key.pk, other.pk}  # once per account and day, even after two runs
    assert str(snaps[key.pk].revenue_12m) == "120000.00"
    assert snaps[key.pk].clv is not None and snaps[other.pk].clv is None
    assert RecomputeRun.objects.filter(trigger="worker-test").count() == 2
    key.refresh_from_db()
    assert key.health_score == snaps[key.pk].health


@pytest.mark.django_db(transaction=True)
def test_a_recompute_asked_for_while_the_broker_is_down_runs_once_it_is_back(personas, on_redis):
    from accounts.models import FinancialRecord
    from accounts.signals import financials_imported
    from kam.models import OutboxTask

    mf.financial_year(personas.account)
    with celery_using("redis://127.0.0.1:1/0"):
        financials_imported.send(sender=FinancialRecord, account_ids=[personas.account.pk])
    # Nothing computed yet, nothing lost: the request waits in the outbox.
    assert AccountSnapshot.objects.count() == 0
    request = OutboxTask.objects.get(done_at__isnull=True)
    assert (request.task, request.kwargs) == (recompute_metrics.name, {"trigger": "import"})
    # Debounced: it waits a minute for more changes, then runs.
    assert request.run_after > timezone.now() + datetime.timedelta(seconds=30)
    OutboxTask.objects.filter(pk=request.pk).update(run_after=timezone.now())

    with start_worker(on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert on_redis.send_task("kam.tasks.outbox_dispatch").get(timeout=60) == {"done": 1, "failed": 0}
    assert RecomputeRun.objects.get().trigger == "import"
    assert str(AccountSnapshot.objects.get(account=personas.account).revenue_12m) == "120000.00"


def test_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, f"{entry['task']} is not a registered task"
        task = app.tasks[entry["task"]]
        assert task.autoretry_for and task.retry_backoff, f"{entry['task']} is not retried with backoff"
