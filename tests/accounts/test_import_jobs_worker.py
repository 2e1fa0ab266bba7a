"""An import through a real Celery worker on Redis: the outbox hands the check and the import to the
imports queue, which the worker consumes (as the compose file's worker service does)."""

import pytest
from celery.contrib.testing.worker import start_worker

from accounts import services
from accounts.models import Account, ImportJob, ImportStatus
from kam.celery import app
from kam.models import OutboxTask
from tests.kam.test_celery import OUTBOX_DISPATCH, TEST_BROKER, TEST_RESULTS, _wait_for, celery_on, needs_redis

CONTENT = b"name;tax_id;country\nFundiciones del Ebro S.A.;A31000001;ES\nPlasticos Norte S.L.;B31000002;ES\n"


@pytest.fixture
def import_worker():
    import redis

    redis.Redis.from_url(TEST_BROKER).flushdb()
    redis.Redis.from_url(TEST_RESULTS).flushdb()
    with celery_on(TEST_BROKER):
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
                          queues=["celery", "imports"]) as w:
            yield w


def _status(job):
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_the_worker_checks_then_imports_the_file(personas, import_worker):
    job = services.import_job_create(actor=personas.lead, kind="accounts", filename="cuentas.csv", data=CONTENT)
    assert OutboxTask.objects.get().task == "kam.tasks.publish"  # the web never talks to the broker
    app.send_task(OUTBOX_DISPATCH).get(timeout=15)
    assert _wait_for(lambda: _status(job) == ImportStatus.PREVIEWED, timeout=30)
    job.refresh_from_db()
    services.import_job_confirm(actor=personas.lead, job=job)
    app.send_task(OUTBOX_DISPATCH).get(timeout=15)
    assert _wait_for(lambda: _status(job) == ImportStatus.DONE, timeout=60)
    assert Account.objects.filter(tax_id__in=["A31000001", "B31000002"]).count() == 2
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total, job.result["created"]) == (2, 2, 2)
