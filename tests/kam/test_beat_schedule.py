"""Every job in the beat schedule names a task a worker actually has: a typo there would make the
nightly recompute or the escalations silently never run."""

import pytest
from django.conf import settings

from kam.celery import app


@pytest.fixture(scope="module")
def registered():
    app.loader.import_default_modules()
    return set(app.tasks)


@pytest.mark.parametrize("job", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_scheduled_task_exists(registered, job):
    task = settings.CELERY_BEAT_SCHEDULE[job]["task"]
    assert task in registered, f"beat job {job!r} names {task!r}, which no app defines"


def test_the_contract_jobs_are_scheduled():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "metrics.tasks.recompute_metrics",
        "planning.tasks.send_plan_reminders",
        "touchpoints.tasks.escalate_sla_breaches",
        "touchpoints.tasks.remind_overdue_sponsor_visits",
        "kam.tasks.send_notification_emails",
    } <= scheduled
