from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="roster.tasks.send_course_reminders")
def send_course_reminders(self):
    """Daily (beat): courses due soon and overdue. Safe to run twice: each reminder has its event key."""
    from .services import course_reminders_send

    return course_reminders_send()
