"""One bad e-mail never stalls the others: line breaks are taken out of subjects before they are stored,
and a message that fails anyway is marked, retried a few times and skipped, while the rest go out."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kam import services
from kam.models import Notification
from kam.services import notification_emails_deliver, notification_send
from kam.text import single_line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw, clean", [
    ("Aceros del Norte\nS.A.", "Aceros del Norte S.A."),
    ("Aceros\r\nBcc: todos@example.com", "Aceros Bcc: todos@example.com"),
    ("  Minera\tdel\x00Sur\x1b[31m  ", "Minera del Sur [31m"),
    ("Línea\u2028separada\u2029aquí", "Línea separada aquí"),
    ("Sin cambios S.L.", "Sin cambios S.L."),
    ("", ""),
])
def test_single_line(raw, clean):
    assert single_line(raw) == clean


def test_a_line_break_in_the_title_is_taken_out_and_the_email_goes(django_capture_on_commit_callbacks):
    ana = UserFactory(username="ana")
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notification_send(recipients=[ana], event_key="incident:9:opened",
                                 title="Nueva incidencia en Aceros\r\nBcc: todos@example.com")
    assert n.title == "Nueva incidencia en Aceros Bcc: todos@example.com"
    assert [m.subject for m in mail.outbox] == [n.title]


def _stored(user, key, title):
    """A notification as an older version stored it: its title never went through the cleaning."""
    return Notification.objects.create(recipient=user, event_key=key, title=title)


def test_a_bad_subject_is_marked_and_the_other_emails_still_go_out():
    ana = UserFactory(username="ana")
    older = _stored(ana, "a", "Revisión del plan pendiente")
    bad = _stored(ana, "b", "Nueva incidencia en Aceros\nNorte")
    newer = _stored(ana, "c", "SLA incumplido")

    assert notification_emails_deliver() == 2
    assert sorted(m.subject for m in mail.outbox) == ["Revisión del plan pendiente", "SLA incumplido"]
    for n in (older, newer):
        n.refresh_from_db()
        assert n.emailed_at is not None and n.email_attempts == 0
    bad.refresh_from_db()
    assert bad.emailed_at is None
    assert bad.email_attempts == 1 and bad.email_failed_at is not None
    assert "BadHeaderError" in bad.email_error

    # The next sweep, a minute later, neither resends the good ones nor hammers the bad one.
    assert notification_emails_deliver() == 0
    bad.refresh_from_db()
    assert bad.email_attempts == 1


def test_a_failed_email_is_retried_after_a_while_a_bounded_number_of_times():
    ana = UserFactory(username="ana")
    bad = _stored(ana, "b", "Nueva incidencia en Aceros\nNorte")
    for attempt in range(1, services.EMAIL_MAX_ATTEMPTS + 3):
        notification_emails_deliver()
        bad.refresh_from_db()
        assert bad.email_attempts == min(attempt, services.EMAIL_MAX_ATTEMPTS)
        # Time passes beyond the retry delay.
        Notification.objects.filter(pk=bad.pk).update(
            email_failed_at=timezone.now() - services.EMAIL_RETRY_AFTER - datetime.timedelta(seconds=1))
    assert bad.emailed_at is None
    assert mail.outbox == []


def test_a_message_that_fails_to_send_is_retried_and_then_goes_out(monkeypatch):
    ana = UserFactory(username="ana")
    n = _stored(ana, "x", "Revisión del plan")
    real_send = services.send_mail

    def refused_once(*args, **kwargs):
        monkeypatch.setattr(services, "send_mail", real_send)
        import smtplib

        raise smtplib.SMTPDataError(451, b"try again later")

    monkeypatch.setattr(services, "send_mail", refused_once)
    assert notification_emails_deliver() == 0
    n.refresh_from_db()
    assert n.email_attempts == 1 and "SMTPDataError" in n.email_error
    Notification.objects.filter(pk=n.pk).update(email_failed_at=timezone.now() - services.EMAIL_RETRY_AFTER)
    assert notification_emails_deliver() == 1
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_an_unreachable_mail_server_stops_the_sweep_without_blaming_the_messages(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ana = UserFactory(username="ana")
    n = _stored(ana, "a", "Revisión del plan")
    with pytest.raises(OSError):
        notification_emails_deliver()
    n.refresh_from_db()
    assert (n.emailed_at, n.email_attempts, n.email_failed_at) == (None, 0, None)
