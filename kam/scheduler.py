"""The beat schedule run inside `manage.py runserver` on the embedded default (no REDIS_URL).

Without a broker there is no `celery beat` and no worker, so the periodic jobs of CELERY_BEAT_SCHEDULE
(SLA escalations, reminders, the nightly recompute) would never run on `make run`. A daemon thread of
the serving process asks each entry's celery schedule whether it is due (`schedule.is_due(last_run)`,
the same test beat makes) and runs the task in that thread.

Started only by the process that serves requests: with the autoreloader, Django imports the apps twice
(a watching parent and a serving child marked RUN_MAIN=true), and a thread in both would run every job
twice. KAM_INPROCESS_BEAT=0 turns it off (e.g. to step through a page without background jobs).

Like beat, an entry is first due at its next time after the start: restarting the server does not
re-run last night's recompute.
"""

import datetime
import logging
import os
import threading
from dataclasses import dataclass

from celery import current_app
from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

# The longest the thread sleeps between looks: a crontab entry runs at most this late.
MAX_SLEEP = 30.0


@dataclass
class Entry:
    name: str
    task: str
    schedule: BaseSchedule
    last_run: datetime.datetime
    args: tuple = ()
    kwargs: dict | None = None


def _schedule(value, app) -> BaseSchedule:
    if isinstance(value, BaseSchedule):
        value.app = app
        return value
    # A number of seconds or a timedelta, as beat reads them.
    return schedule(value if isinstance(value, datetime.timedelta) else datetime.timedelta(seconds=value), app=app)


class InProcessBeat:
    def __init__(self, schedule: dict, *, app=None, now: datetime.datetime | None = None):
        self.app = app or current_app
        start = now or self.app.now()
        self.entries = [
            Entry(name=name, task=spec["task"], schedule=_schedule(spec["schedule"], self.app),
                  last_run=start, args=tuple(spec.get("args", ())), kwargs=dict(spec.get("kwargs", {})))
            for name, spec in schedule.items()]

    def tick(self) -> tuple[list[str], float]:
        """Run every entry that is due; returns their names and the seconds until the next look."""
        ran: list[str] = []
        wait = MAX_SLEEP
        for entry in self.entries:
            due, next_in = entry.schedule.is_due(entry.last_run)
            if due:
                entry.last_run = self.app.now()
                ran.append(entry.name)
                self._run(entry)
            wait = min(wait, max(float(next_in), 0.5))
        return ran, wait

    def _run(self, entry: Entry) -> None:
        try:
            self.app.loader.import_default_modules()
            self.app.tasks[entry.task].apply(entry.args, entry.kwargs or {})
        except Exception:  # one failing job must not stop the others, nor the thread
            log.exception("scheduled job %s (%s) failed", entry.name, entry.task)
        finally:
            close_old_connections()

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            _ran, wait = self.tick()
            stop.wait(wait)


def wanted(argv: list[str], environ: dict | os._Environ) -> bool:
    """True in the serving process of `runserver` on the embedded default, unless switched off."""
    if settings.REDIS_URL or not getattr(settings, "KAM_INPROCESS_BEAT", True):
        return False
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    # The autoreloader's serving child has RUN_MAIN=true; with --noreload there is only one process.
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


_started: list[threading.Thread] = []


def start(argv: list[str], environ: dict | os._Environ) -> threading.Thread | None:
    if not wanted(argv, environ) or _started:
        return None
    beat = InProcessBeat(settings.CELERY_BEAT_SCHEDULE)
    thread = threading.Thread(target=beat.run_forever, args=(threading.Event(),), name="kam-beat", daemon=True)
    thread.start()
    _started.append(thread)
    log.info("running the beat schedule in-process (%d jobs)", len(beat.entries))
    return thread
