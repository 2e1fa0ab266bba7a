from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=300,
             max_retries=5, name="touchpoints.tasks.escalate_sla_breaches")
def escalate_sla_breaches(self):
    """Every few minutes (beat): stamp and escalate deadlines passed; safe to run twice."""
    from .services import sla_breaches_escalate

    return sla_breaches_escalate()


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="touchpoints.tasks.remind_overdue_sponsor_visits")
def remind_overdue_sponsor_visits(self):
    """Daily (beat): remind sponsors of overdue visits, once per account per cadence window."""
    from .services import sponsor_visits_remind

    return sponsor_visits_remind()


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="touchpoints.tasks.send_client_surveys")
def send_client_surveys(self):
    """Daily (beat): send the client survey to the key accounts' contacts due for it (programme cadence);
    safe to run twice (a contact asked within the cadence is not asked again)."""
    from .services import surveys_send_due

    return surveys_send_due()


@shared_task(bind=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, retry_backoff_max=600,
             max_retries=5, name="touchpoints.tasks.remind_follow_ups_due")
def remind_follow_ups_due(self):
    """Daily (beat): remind owners of follow-ups falling due, once per follow-up and due date."""
    from .services import touchpoint_follow_ups_remind

    return touchpoint_follow_ups_remind()
