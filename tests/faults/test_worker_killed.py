"""A Celery worker killed (SIGKILL) in the middle of the metrics recompute: nothing half-written is
left, and the next run completes with one consistent snapshot per account.

A real `celery -A kam worker` subprocess on a private Redis consumes the task against the test
database. To kill it mid-run rather than before or after, the test holds a lock that lets the
recompute read and update accounts but makes it wait at the snapshot insert; the worker is killed
while it waits there.
"""

import datetime
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from tests.celery_helpers import celery_using
from tests.factories import AccountFactory, FinancialRecordFactory
from tests.faults.conftest import admin_connection, database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "kam-fault-worker"
TASK = "metrics.tasks.recompute_metrics"
DISPATCH = "kam.tasks.outbox_dispatch"


@pytest.fixture(autouse=True)
def _requirements():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a worker process shares the test database)")
    if not apps.is_installed("metrics"):
        pytest.skip("metrics not installed")


class Worker:
    def __init__(self, redis_url, **env):
        self.redis_url = redis_url
        self.extra_env = {k: str(v) for k, v in env.items()}
        self.log = tempfile.NamedTemporaryFile(prefix="kam-worker-", suffix=".log", delete=False)
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")}
        env.update({
            "DATABASE_URL": database_url(APP_NAME), "REDIS_URL": f"{self.redis_url}/0",
            "REDIS_CACHE_URL": f"{self.redis_url}/1", "CELERY_RESULT_BACKEND": f"{self.redis_url}/2",
            "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "KAM_SITE_URL": "http://127.0.0.1",
            "DB_POOL_MAX": "2", **self.extra_env,
        })
        celery = str(Path(sys.executable).parent / "celery")
        self.proc = subprocess.Popen(
            [celery, "-A", "kam", "worker", "-P", "solo", "-c", "1", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO", "-n", f"fault-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait(lambda: "ready." in self.output(), 60, "worker did not become ready")

    def output(self):
        return Path(self.log.name).read_text(errors="replace")

    def _wait(self, condition, timeout, message):
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.output()[-3000:]}")
            assert time.monotonic() < deadline, f"{message}:\n{self.output()[-3000:]}"
            time.sleep(0.1)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        Path(self.log.name).unlink(missing_ok=True)


def _worker_backends(admin):
    return admin.execute("SELECT pid, wait_event_type, state FROM pg_stat_activity WHERE application_name = %s",
                         [APP_NAME]).fetchall()


def _wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


@pytest.fixture
def accounts(db):
    # A seeded set: key and standard accounts with two years of monthly financials.
    today = timezone.localdate()
    made = []
    for i in range(30):
        account = AccountFactory(tier="key" if i < 8 else "standard")
        made.append(account)
        months = [datetime.date(today.year, today.month, 1) - datetime.timedelta(days=31 * m) for m in range(1, 25)]
        for m in months:
            FinancialRecordFactory(account=account, month=m.replace(day=1), revenue=Decimal(10000 + 1000 * i),
                                   cost_of_goods=Decimal(6000), cost_to_serve=Decimal(500 + 10 * i))
    return made


def test_killed_mid_recompute_leaves_nothing_half_done_and_the_next_run_completes(accounts, private_redis):
    Account = apps.get_model("accounts", "Account")
    AccountSnapshot = apps.get_model("metrics", "AccountSnapshot")
    RecomputeRun = apps.get_model("metrics", "RecomputeRun")
    revenue_before = dict(Account.objects.values_list("pk", "revenue_12m"))
    assert AccountSnapshot.objects.count() == 0

    worker = Worker(private_redis.url)
    admin = admin_connection()
    blocker = admin_connection(autocommit=False)
    try:
        # Reads stay allowed (ACCESS SHARE); the snapshot INSERT (ROW EXCLUSIVE) must wait for us.
        blocker.execute(f'LOCK TABLE "{AccountSnapshot._meta.db_table}" IN EXCLUSIVE MODE')
        worker.start()
        with celery_using(f"{private_redis.url}/0", f"{private_redis.url}/2") as app:
            app.send_task(TASK, kwargs={"trigger": "fault-test"})
            _wait_for(lambda: any(w == "Lock" for _pid, w, _s in _worker_backends(admin)), 60,
                      "the recompute never reached the snapshot insert")
            worker.kill()
            blocker.rollback()  # the orphaned backend gets its lock, then finds its client gone
            _wait_for(lambda: not _worker_backends(admin), 30, "the killed worker's transaction lingered")

            # Nothing of the killed run is visible: no snapshots, no run record, accounts untouched.
            assert AccountSnapshot.objects.count() == 0
            assert RecomputeRun.objects.count() == 0
            assert dict(Account.objects.values_list("pk", "revenue_12m")) == revenue_before

            # The next run (the nightly beat, or the redelivered message) completes.
            worker = Worker(private_redis.url)
            worker.start()
            result = app.send_task(TASK, kwargs={"trigger": "fault-test-rerun"})
            outcome = result.get(timeout=120)
    finally:
        blocker.close()
        admin.close()
        worker.stop()

    today = timezone.localdate()
    active = Account.objects.filter(archived_at__isnull=True)
    assert outcome["accounts"] == active.count() == len(accounts)
    snaps = AccountSnapshot.objects.filter(day=today)
    assert snaps.count() == active.count()
    assert snaps.values("account").distinct().count() == active.count()
    assert RecomputeRun.objects.filter(day=today).count() == 1
    # The accounts carry exactly what their snapshot says (the denormalised copy is consistent).
    by_account = {s.account_id: s for s in snaps}
    for account in active:
        snap = by_account[account.pk]
        assert account.health_score == snap.health
        assert account.clv == snap.clv
        assert account.revenue_12m > revenue_before[account.pk]


def test_a_recompute_asked_for_through_the_outbox_survives_a_worker_killed_while_running_it(accounts,
                                                                                          private_redis):
    """The lead's "Recompute now" while the worker dies mid-run: the request is neither lost nor left
    for Redis' visibility timeout (an hour by default): the next dispatch after the row's lease runs it."""
    from kam.models import OutboxTask
    from kam.tasks import enqueue
    from metrics.tasks import recompute_metrics

    AccountSnapshot = apps.get_model("metrics", "AccountSnapshot")
    RecomputeRun = apps.get_model("metrics", "RecomputeRun")
    lease = 10
    worker = Worker(private_redis.url, KAM_OUTBOX_LEASE_SECONDS=lease)
    admin = admin_connection()
    blocker = admin_connection(autocommit=False)
    try:
        with celery_using(f"{private_redis.url}/0", f"{private_redis.url}/2") as app:
            request = enqueue(recompute_metrics, trigger="lead")
            blocker.execute(f'LOCK TABLE "{AccountSnapshot._meta.db_table}" IN EXCLUSIVE MODE')
            worker.start()
            app.send_task(DISPATCH)
            _wait_for(lambda: any(w == "Lock" for _pid, w, _s in _worker_backends(admin)), 60,
                      "the recompute never reached the snapshot insert")
            worker.kill()
            blocker.rollback()
            _wait_for(lambda: not _worker_backends(admin), 30, "the killed worker's transaction lingered")
            request.refresh_from_db()
            assert request.done_at is None and request.attempts == 1 and request.claimed_until is not None
            assert AccountSnapshot.objects.count() == 0 and RecomputeRun.objects.count() == 0

            worker = Worker(private_redis.url, KAM_OUTBOX_LEASE_SECONDS=lease)
            worker.start()
            # Within the lease the row is still the dead worker's; after it, the next tick runs it.
            if timezone.now() < request.claimed_until - datetime.timedelta(seconds=2):
                assert app.send_task(DISPATCH).get(timeout=60) == {"done": 0, "failed": 0}
            _wait_for(lambda: timezone.now() > request.claimed_until, lease + 5, "the lease never ended")
            assert app.send_task(DISPATCH).get(timeout=120) == {"done": 1, "failed": 0}
    finally:
        blocker.close()
        admin.close()
        worker.stop()
    request.refresh_from_db()
    assert request.done_at is not None and request.attempts == 2
    assert not OutboxTask.objects.filter(done_at__isnull=True).exists()
    run = RecomputeRun.objects.get()
    assert run.trigger == "lead" and run.status == "ok"
    assert AccountSnapshot.objects.filter(day=timezone.localdate()).count() == len(accounts)
