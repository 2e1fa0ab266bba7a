"""The accounts app's background work: imports, checked then run (accounts.services.imports)."""

from celery import shared_task
from django.db import OperationalError

from .services.imports import import_lease

# A hung import is stopped before its lease ends, so the reaper's "lost" is true when it says it.
_TIME_LIMIT = int(import_lease().total_seconds()) - 60


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             time_limit=_TIME_LIMIT, name="accounts.tasks.import_job_preview")
def import_job_preview_task(self, job_id):
    from .services import import_job_preview

    import_job_preview(job_id=job_id)


@shared_task(bind=True, time_limit=_TIME_LIMIT, name="accounts.tasks.import_job_run")
def import_job_run_task(self, job_id):
    # No automatic retry: a job that failed says why, and the lead uploads the file again.
    from .services import import_job_run

    import_job_run(job_id=job_id)


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             name="accounts.tasks.import_jobs_reap")
def import_jobs_reap_task(self):
    """Beat, every minute: imports whose worker was lost are marked failed."""
    from .services import import_jobs_reap

    return import_jobs_reap()


@shared_task(name="accounts.tasks.attachment_orphans_sweep")
def attachment_orphans_sweep_task():
    """Beat, nightly: stored files that no attachment names (an upload whose transaction rolled back)."""
    from .services import attachment_orphans_sweep

    return attachment_orphans_sweep()
