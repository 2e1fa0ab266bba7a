"""The recompute as a job: one at a time, recorded as a run, failures kept per account."""

import datetime
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts import services as account_services
from kam.errors import Forbidden
from kam.models import ProgrammeSettings

from .. import retention
from ..models import AccountSnapshot, RecomputeRun, RetentionEstimate
from .snapshots import AccountFailure, accounts_write_latest, snapshots_compute, snapshots_save

log = logging.getLogger(__name__)

RECOMPUTE_LOCK = 7_306_001  # any constant unique to this job among the project's advisory locks


def _serialise_recomputes() -> None:
    """Two recomputes at once (the nightly run and one after an import) would update the same account
    rows in different orders and could deadlock; on PostgreSQL the second waits for the first, for the
    length of the transaction. SQLite already allows a single writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])


@dataclass
class RecomputeResult:
    day: datetime.date
    accounts: int
    snapshots: int
    seconds: float
    run: RecomputeRun | None = None



def recompute_metrics(*, day: datetime.date | None = None, trigger: str = "manual") -> RecomputeResult:
    """Recompute every active account's snapshot for `day` (default: today) and, when `day` is the
    newest day on record, its denormalised health and CLV. Idempotent: the same data on the same day
    gives the same rows (the upsert replaces them).

    An account whose figures fail is left out and counted on the run (status "partial"); the others are
    saved. A run that fails whole rolls back and is recorded as failed, then the error is raised again
    (the task retries, the command exits with it)."""
    started = timezone.now()
    t0 = time.monotonic()
    day = day or timezone.localdate()
    try:
        return _recompute(day=day, trigger=trigger, started=started, t0=t0)
    except Exception as exc:
        seconds = time.monotonic() - t0
        log.exception("metrics recompute for %s failed after %.2f s", day, seconds)
        try:
            RecomputeRun.objects.create(day=day, started_at=started, finished_at=timezone.now(),
                                        seconds=seconds, trigger=trigger[:40], status=RecomputeRun.Status.FAILED,
                                        error=f"{type(exc).__name__}: {exc}"[:2000])
        except DatabaseError:  # the database itself is what failed: the log is all there is
            log.exception("metrics recompute for %s: the failure could not be recorded", day)
        raise


@transaction.atomic
def _recompute(*, day, trigger, started, t0) -> RecomputeResult:
    _serialise_recomputes()
    latest = AccountSnapshot.objects.aggregate(m=Max("day"))["m"]
    is_latest = latest is None or day >= latest
    if is_latest:
        account_services.revenue_recompute(today=day)
    failures: list[AccountFailure] = []
    estimates: list[retention.Estimate] = []
    snapshots = snapshots_compute(day=day, failures=failures, estimates=estimates)
    accounts = len(snapshots) + len(failures)
    written = snapshots_save(snapshots, failures)
    if is_latest:
        accounts_write_latest(day=day)
    seconds = time.monotonic() - t0
    run = RecomputeRun.objects.create(
        day=day, started_at=started, finished_at=timezone.now(), accounts=accounts, snapshots_written=written,
        seconds=seconds, trigger=trigger[:40],
        status=RecomputeRun.Status.PARTIAL if failures else RecomputeRun.Status.OK,
        failed_accounts=len(failures), error="\n".join(str(f) for f in failures[:20])[:2000])
    retention_estimates_save(run=run, estimates=estimates, min_sample=ProgrammeSettings.current().retention_min_sample)
    if failures:
        log.error("metrics recompute for %s: %d of %d accounts failed", day, len(failures), accounts)
    log.info("metrics recompute for %s: %d accounts in %.2f s", day, accounts, seconds)
    return RecomputeResult(day=day, accounts=accounts, snapshots=written, seconds=seconds, run=run)


def retention_estimates_save(*, run: RecomputeRun, estimates: list[retention.Estimate], min_sample: int) -> int:
    """Keep the run's observed retention with its sample sizes (shown on the programme dashboard)."""
    rows = [RetentionEstimate(run=run, day=run.day, segment=e.segment, value=e.value, sample=e.sample,
                              retained=e.retained, rate=e.rate or Decimal(0), used=e.sample >= min_sample)
            for e in estimates]
    RetentionEstimate.objects.bulk_create(rows)
    return len(rows)


def recompute_request(*, actor):
    """The programme lead asks for today's figures now (after changing the settings, say) instead of
    waiting for the night: recorded in the outbox (kam.tasks.enqueue), or run when this transaction
    commits on the embedded default (None then)."""
    from django.utils.translation import gettext as _

    from ..scheduling import recompute_schedule

    if not actor.has_perm("accounts.manage_programme"):
        raise Forbidden(_("Only the programme lead recomputes the figures."))
    # A recompute already waiting for a burst of changes to end is brought forward rather than doubled.
    return recompute_schedule(trigger="lead", delay=datetime.timedelta(0))


# --- Programme settings --------------------------------------------------------------------------------
