"""Course reminders: due soon to the KAM, overdue to the KAM and the programme lead, each once."""

import datetime

import pytest
from django.utils import timezone

from kam.models import Notification
from roster.models import Course, RosterSettings
from roster.services import course_reminders_send
from roster.tasks import send_course_reminders

pytestmark = pytest.mark.django_db


def _course(person, days, **extra):
    return Course.objects.create(person=person, title=f"Curso {days}",
                                 due_date=timezone.localdate() + datetime.timedelta(days=days), **extra)


def test_due_soon_reminds_the_kam_once(personas):
    course = _course(personas.kam, 5)
    _course(personas.kam, RosterSettings.current().reminder_days + 5)  # not yet
    assert course_reminders_send() == 1
    assert course_reminders_send() == 0
    notes = Notification.objects.filter(event_key__startswith="roster-course:")
    expected = [(personas.kam, f"roster-course:{course.pk}:due:{course.due_date}")]
    assert [(n.recipient, n.event_key) for n in notes] == expected


def test_overdue_reminds_the_kam_and_the_lead_once_even_when_the_task_runs_twice(personas):
    course = _course(personas.kam, -3)
    send_course_reminders.apply()
    send_course_reminders.apply()
    notes = Notification.objects.filter(event_key=f"roster-course:{course.pk}:overdue:{course.due_date}")
    assert sorted(n.recipient.username for n in notes) == ["kam", "lead"]


def test_a_done_course_or_a_non_kam_is_not_reminded(personas):
    _course(personas.kam, -3, status="done", completed_on=timezone.localdate())
    _course(personas.sponsor, 2)
    assert course_reminders_send() == 0


def test_a_moved_due_date_is_a_new_reminder(personas):
    course = _course(personas.kam, 3)
    assert course_reminders_send() == 1
    Course.objects.filter(pk=course.pk).update(due_date=course.due_date + datetime.timedelta(days=4))
    assert course_reminders_send() == 1


def test_the_reminders_run_daily_from_beat(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "roster.tasks.send_course_reminders"]
    assert len(entries) == 1
