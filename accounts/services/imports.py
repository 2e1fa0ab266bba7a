"""Imports as background jobs: an upload is checked without writing (the preview), confirmed by the
lead, then imported by a worker in one transaction, with its progress visible to the page meanwhile.

States: uploaded -> previewed -> queued -> running -> done | failed, and cancelled before it runs.
"""

import datetime
import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.errors import Forbidden, Invalid
from kam.tasks import enqueue_long

from ..models import ImportJob, ImportKind, ImportStatus
from ..selectors import import_progress_key
from .base import advisory_lock, permission_require

if TYPE_CHECKING:
    from ..imports.reading import ImportResult

log = logging.getLogger(__name__)

# Imports write across the accounts table: one at a time, whatever else a worker is running.
IMPORT_LOCK = 7_306_010
# Confirmations check for a queued or running import under this lock, so two at once see each other.
IMPORT_CONFIRM_LOCK = 7_306_011

DECIMALS = (",", ".")
DATE_ORDERS = ("dmy", "mdy", "ymd")


def import_lease() -> datetime.timedelta:
    """How long a confirmed import may take before it is given up as lost (its worker died): longer than
    the largest file takes (150,000 rows: a few minutes)."""
    return datetime.timedelta(seconds=getattr(settings, "KAM_IMPORT_LEASE_SECONDS", 30 * 60))


@transaction.atomic
def import_job_create(*, actor, kind: str, filename: str, data: bytes, decimal: str = ",",
                      dates: str = "dmy") -> ImportJob:
    """Keep an uploaded file and have it checked in the background (the preview)."""
    permission_require(actor=actor, perm="accounts.import_data")
    errors: dict[str | None, list[str]] = {}
    if kind not in ImportKind.values:
        errors["kind"] = [_("Choose what the file holds.")]
    if decimal not in DECIMALS:
        errors["decimal"] = [_("Choose the decimal separator.")]
    if dates not in DATE_ORDERS:
        errors["dates"] = [_("Choose the order of day, month and year.")]
    if len(data) > settings.KAM_UPLOAD_MAX_BYTES:
        errors["file"] = [_("The file is larger than %(mb)s MB; split it.") % {
            "mb": settings.KAM_UPLOAD_MAX_BYTES // (1024 * 1024)}]
    if errors:
        raise Invalid(errors=errors)
    job = ImportJob.objects.create(kind=kind, filename=filename[:200], data=data, size=len(data), decimal=decimal,
                                   dates=dates, created_by=actor, language=translation.get_language() or "")
    from ..tasks import import_job_preview_task

    enqueue_long(import_job_preview_task, job.pk)
    return job


def _locked(job_id: int) -> ImportJob:
    # Without the file's bytes, which no caller of the lock reads (one that empties them saves b"").
    return ImportJob.objects.select_for_update().defer("data").get(pk=job_id)


def _conventions(job: ImportJob):
    from ..imports.run import Conventions

    return Conventions(decimal=job.decimal, dates=job.dates)


def _unexpected(exc: Exception) -> str:
    log.exception("import failed")
    return _("The import stopped on an unexpected error (%(error)s); nothing was written.") % {
        "error": type(exc).__name__}


def _in_language(service):
    """Run the job's service in the uploader's language (a worker has none of its own)."""

    def run(*, job_id: int) -> ImportJob:
        language = ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
        with translation.override(language or settings.LANGUAGE_CODE):
            return service(job_id=job_id)

    run.__doc__, run.__name__ = service.__doc__, service.__name__
    return run


@_in_language
def import_job_preview(*, job_id: int) -> ImportJob:
    """The dry run of an uploaded file: what it would create, update, leave unchanged and overwrite, and
    its errors. Idempotent: a job already checked is left as it is."""
    from ..imports import run_import
    from ..imports.report import result_report

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportStatus.UPLOADED:
        return job
    report, message, checked_plan = None, "", b""
    try:
        result = run_import(actor=job.created_by, kind=job.kind, data=bytes(job.data), filename=job.filename,
                            conventions=_conventions(job), dry_run=True)
        report, checked_plan = result_report(result), result.checked_plan
    except Forbidden as exc:  # the uploader is no longer the lead
        message = str(exc)
    except Exception as exc:  # a fault: the job says so rather than staying "checking" for ever
        message = _unexpected(exc)
    with transaction.atomic():
        job = _locked(job_id)
        if job.status != ImportStatus.UPLOADED:  # cancelled while it was being checked
            return job
        job.previewed_at = timezone.now()
        # The file's bytes (up to 10 MB) are written again only to empty them.
        saved = ["previewed_at", "status"]
        if report is None:
            job.status, job.message, job.finished_at, job.data = ImportStatus.FAILED, message, job.previewed_at, b""
            saved += ["message", "finished_at", "data"]
        else:
            job.status, job.preview, job.rows_total = ImportStatus.PREVIEWED, report, report["rows"]
            job.checked_plan = checked_plan
            saved += ["preview", "rows_total", "checked_plan"]
            if not preview_ok(report):
                job.data = job.checked_plan = b""  # it can never be imported: the file is not kept
                saved.append("data")
        job.save(update_fields=saved)
    return job


def preview_ok(report: dict) -> bool:
    return bool(report) and not report.get("file_error") and not report.get("rows_with_errors")


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Queue a checked import. Confirming again (a double submit) changes nothing; confirming while
    another import is queued or running is refused, so two imports never interleave."""
    permission_require(actor=actor, perm="accounts.import_data")
    advisory_lock(IMPORT_CONFIRM_LOCK)
    import_jobs_reap()
    job = _locked(job.pk)
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE):
        return job
    if job.status != ImportStatus.PREVIEWED or not preview_ok(job.preview):
        raise Invalid(_("This import cannot be confirmed: only a file checked without errors can be imported."))
    if ImportJob.objects.filter(status__in=ImportJob.ACTIVE).exclude(pk=job.pk).exists():
        raise Invalid(_("Another import is queued or running. Wait until it has finished, then confirm this "
                        "one: its figures may depend on that one."))
    job.status, job.queued_at = ImportStatus.QUEUED, timezone.now()
    job.save(update_fields=["status", "queued_at"])
    from ..tasks import import_job_run_task

    enqueue_long(import_job_run_task, job.pk)
    return job


@transaction.atomic
def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Drop an import that has not started; one that runs finishes (all or nothing)."""
    permission_require(actor=actor, perm="accounts.import_data")
    job = _locked(job.pk)
    if job.status == ImportStatus.CANCELLED:
        return job
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.QUEUED):
        raise Invalid(_("Only an import that has not started can be cancelled."))
    job.status, job.finished_at, job.data, job.checked_plan = ImportStatus.CANCELLED, timezone.now(), b"", b""
    job.save(update_fields=["status", "finished_at", "data", "checked_plan"])
    return job


class _ProgressRecorder:
    """progress(done, total) of a running import, seen by the page while the import's transaction is
    still open: in the cache (shared by web and worker), and on PostgreSQL also in the job's row through
    a connection of its own, at most once a second (the page falls back to the row when the cache is
    away). SQLite has one writer at a time, so there the cache alone carries it (web and the in-process
    thread share it)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.written_at = 0.0
        self.side = connections.create_connection("default") if connection.vendor == "postgresql" else None

    def __call__(self, done: int, total: int) -> None:
        cache.set(import_progress_key(self.job_id), (done, total), timeout=int(import_lease().total_seconds()))
        now = time.monotonic()
        if self.side is not None and done and (now - self.written_at >= 1.0 or done >= total):
            self.written_at = now
            try:
                with self.side.cursor() as cursor:
                    cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s "
                                   "WHERE id = %s", [done, total, self.job_id])
            except Exception:  # progress is a courtesy: it never stops the import
                log.warning("import progress not recorded", exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


@_in_language
def import_job_run(*, job_id: int) -> ImportJob:
    """Import a confirmed file as its uploader, in one transaction: everything or, on any error, nothing
    (the job then says why). Idempotent: a job not queued (done, cancelled, or claimed by another
    worker) is not run again."""
    from ..imports import run_import
    from ..imports.report import result_report

    now = timezone.now()
    with transaction.atomic():
        job = _locked(job_id)
        if job.status != ImportStatus.QUEUED:
            return job
        job.status, job.started_at, job.lease_until, job.rows_done = ImportStatus.RUNNING, now, now + import_lease(), 0
        job.save(update_fields=["status", "started_at", "lease_until", "rows_done"])
    # The file's bytes are read only if the file is planned again (not for a file unchanged since its check).
    job = ImportJob.objects.select_related("created_by").defer("data").get(pk=job_id)
    recorder = _ProgressRecorder(job_id)
    result: ImportResult | None = None
    try:
        with transaction.atomic():
            advisory_lock(IMPORT_LOCK)
            report = _unchanged_since_check(job)
            if report is not None:
                permission_require(actor=job.created_by, perm="accounts.import_data")
            else:
                result = run_import(actor=job.created_by, kind=job.kind, data=bytes(job.data),
                                    filename=job.filename, conventions=_conventions(job), progress=recorder,
                                    checked=_checked(job))
                report = result_report(result)
            if result is None or result.ok:
                # In the import's own transaction: the job says "done" exactly when the rows are in.
                ImportJob.objects.filter(pk=job_id).update(
                    status=ImportStatus.DONE, result=report, rows_total=report["rows"], rows_done=report["rows"],
                    finished_at=timezone.now(), lease_until=None, data=b"", checked_plan=b"")
                return ImportJob.objects.get(pk=job_id)
            message = report["file_error"] or _("Some rows have errors; nothing was written.")
    except Forbidden as exc:
        report, message = {}, str(exc)
    except Exception as exc:
        report, message = {}, _unexpected(exc)
    finally:
        recorder.close()
        cache.delete(import_progress_key(job_id))
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, result=report, message=message,
                                               finished_at=timezone.now(), lease_until=None, data=b"", checked_plan=b"")
    return ImportJob.objects.get(pk=job_id)


def _checked(job: ImportJob):
    from ..imports.run import Checked

    preview = job.preview or {}
    if not preview.get("stored_state"):
        return None
    return Checked(state=preview["stored_state"], rows=preview.get("rows", 0), plan=bytes(job.checked_plan))


def _unchanged_since_check(job: ImportJob) -> dict | None:
    """The check's report, when the check found nothing to write and nothing it compared the file with
    has changed since (imports.state): planning the file again would find the same, so the import is
    done without reading the file twice. Called under IMPORT_LOCK, in the import's transaction."""
    from ..imports.state import stored_state

    preview = job.preview or {}
    if not preview_ok(preview) or not preview.get("stored_state"):
        return None
    if preview.get("created") or preview.get("updated") or preview.get("overwritten"):
        return None
    if stored_state(job.kind) != preview["stored_state"]:
        return None
    return preview


def import_jobs_reap(*, now: datetime.datetime | None = None) -> int:
    """Give up imports whose worker was lost: running past their lease, or confirmed and never started
    within it. Their transaction died with the worker, so nothing of them was written."""
    now = now or timezone.now()
    running = ImportJob.objects.filter(status=ImportStatus.RUNNING, lease_until__lt=now).update(
        status=ImportStatus.FAILED, finished_at=now, lease_until=None, data=b"", checked_plan=b"",
        message=_("The import stopped without finishing (its worker was lost); nothing was written. Upload the "
                  "file again."))
    never = ImportJob.objects.filter(status=ImportStatus.QUEUED, queued_at__lt=now - import_lease()).update(
        status=ImportStatus.FAILED, finished_at=now, data=b"", checked_plan=b"",
        message=_("The import was never started (no worker took it); nothing was written. Upload the file "
                  "again."))
    return running + never
