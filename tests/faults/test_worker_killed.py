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

import psycopg
import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from tests.celery_helpers import celery_using
from tests.factories import AccountFactory, FinancialRecordFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "kam-fault-worker"
TASK = "metrics.tasks.recompute_metrics"


@pytest.fixture(autouse=True)
def _requirements():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a worker process shares the test database)")
    if not apps.is_installed("metrics"):
        pytest.skip("metrics not installed")


def _pg(autocommit=True):
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"] or None, password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None, autocommit=autocommit)


def _database_url():
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    auth = f"{user}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{user}@"
    return f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}?application_name={APP_NAME}"


class Worker:
    def __init__(self, redis_url):
        self.redis_url = redis_url
        self.log = tempfile.NamedTemporaryFile(prefix="kam-worker-", suffix=".log", delete=False)
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")}
        env.update({
            "DATABASE_URL": _database_url(), "REDIS_URL": f"{self.redis_url}/0",
            "REDIS_CACHE_URL": f"{self.redis_url}/1", "CELERY_RESULT_BACKEND": f"{self.redis_url}/2",
            "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "KAM_SITE_URL": "http://127.0.0.1",
            "DB_POOL_MAX": "2",
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
    admin = _pg()
    blocker = _pg(autocommit=False)
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
