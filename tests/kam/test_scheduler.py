"""`make run` (no broker, no beat) runs the beat schedule in the serving process, once per due time."""

import datetime
import subprocess
from pathlib import Path

import pytest
from celery import shared_task
from celery.schedules import crontab
from django.utils import timezone

from kam import scheduler
from kam.celery import app

ROOT = Path(__file__).resolve().parents[2]
calls: list[str] = []


@shared_task(name="tests.scheduler_probe")
def probe(label="x"):
    calls.append(label)


@shared_task(name="tests.scheduler_broken")
def broken():
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear():
    calls.clear()


def _beat(schedule, start):
    return scheduler.InProcessBeat(schedule, app=app, now=start)


def test_a_due_entry_runs_once_not_twice():
    start = timezone.now() - datetime.timedelta(seconds=61)
    beat = _beat({"probe": {"task": "tests.scheduler_probe", "schedule": 60.0, "args": ("a",)}}, start)
    ran, _wait = beat.tick()
    assert ran == ["probe"] and calls == ["a"]
    ran, wait = beat.tick()
    assert ran == [] and calls == ["a"]
    assert 0 < wait <= 60


def test_an_entry_not_yet_due_does_not_run():
    beat = _beat({"probe": {"task": "tests.scheduler_probe", "schedule": 3600.0}}, timezone.now())
    assert beat.tick()[0] == [] and calls == []


def test_a_crontab_entry_runs_after_its_time_passed_since_the_last_run():
    # Started yesterday: every day's 06:00 has passed once since, so it is due now, then not again.
    start = timezone.now() - datetime.timedelta(days=1, minutes=1)
    beat = _beat({"daily": {"task": "tests.scheduler_probe", "schedule": crontab(hour=6, minute=0)}}, start)
    assert beat.tick()[0] == ["daily"]
    assert beat.tick()[0] == []
    assert calls == ["x"]


def test_a_failing_job_does_not_stop_the_others():
    start = timezone.now() - datetime.timedelta(minutes=5)
    beat = _beat({"broken": {"task": "tests.scheduler_broken", "schedule": 60.0},
                  "probe": {"task": "tests.scheduler_probe", "schedule": 60.0}}, start)
    assert beat.tick()[0] == ["broken", "probe"]
    assert calls == ["x"]


def test_the_real_schedule_loads():
    from django.conf import settings

    beat = scheduler.InProcessBeat(settings.CELERY_BEAT_SCHEDULE, app=app)
    assert {e.task for e in beat.entries} >= {"touchpoints.tasks.escalate_sla_breaches",
                                               "metrics.tasks.recompute_metrics"}


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True),  # the serving child
    (["manage.py", "runserver", "127.0.0.1:8000"], {}, False),  # the autoreloader's watcher
    (["manage.py", "runserver", "--noreload"], {}, True),
    (["manage.py", "migrate"], {"RUN_MAIN": "true"}, False),
    (["gunicorn", "kam.wsgi"], {}, False),
])
def test_started_only_by_the_serving_runserver_process(settings, argv, environ, expected):
    settings.REDIS_URL = ""
    assert scheduler.wanted(argv, environ) is expected


def test_not_with_a_broker(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # beat and the workers run the schedule
    assert scheduler.wanted(["manage.py", "runserver", "--noreload"], {}) is False


def test_the_switch_turns_it_off(settings):
    settings.REDIS_URL = ""
    settings.KAM_INPROCESS_BEAT = False
    assert scheduler.wanted(["manage.py", "runserver", "--noreload"], {}) is False


def test_start_runs_one_thread(settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(scheduler, "_started", [])
    settings.CELERY_BEAT_SCHEDULE = {}
    thread = scheduler.start(["manage.py", "runserver", "--noreload"], {})
    assert thread is not None and thread.daemon
    assert scheduler.start(["manage.py", "runserver", "--noreload"], {}) is None


@pytest.mark.parametrize(("args", "port"), [([], "8000"), (["PORT=8001"], "8001")])
def test_make_run_honours_port(args, port):
    out = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    assert f"runserver 127.0.0.1:{port}" in out
