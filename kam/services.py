import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Notification, ProgrammeSettings

log = logging.getLogger(__name__)


@transaction.atomic
def notification_send(*, recipients: Iterable, event_key: str, title: str, body: str = "",
                      link: str = "") -> list[Notification]:
    """Notify each recipient of one event, in-app and by e-mail, at most once per (person, event).

    `event_key` names the event (e.g. ``incident:42:ack-breach``); a second call with the same key
    creates nothing, which keeps escalation jobs idempotent. Returns the notifications created now.
    """
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        try:
            with transaction.atomic():
                notification, was_created = Notification.objects.get_or_create(
                    recipient=user,
                    event_key=event_key[:200],
                    defaults={"title": title[:200], "body": body, "link": link[:300]},
                )
        except IntegrityError:  # a concurrent job created it first: still exactly once
            continue
        if was_created:
            created.append(notification)
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def _enqueue_emails(notification_ids: list[int]) -> None:
    from .tasks import enqueue, send_notification_emails

    enqueue(send_notification_emails, notification_ids)


def notification_emails_deliver(*, notification_ids: Iterable[int] | None = None) -> int:
    """Send the e-mail for notifications not yet e-mailed (all pending ones when no ids are given).

    Marks each before sending inside a row lock, so two workers never send the same e-mail twice.
    """
    qs = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    sent = 0
    for pk in list(qs.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            n = (Notification.objects.select_for_update(skip_locked=True)
                 .select_related("recipient").filter(pk=pk, emailed_at__isnull=True).first())
            if n is None:
                continue
            if n.recipient.email:
                link = f"\n\n{settings.KAM_SITE_URL.rstrip('/')}{n.link}" if n.link else ""
                send_mail(n.title, f"{n.body}{link}", None, [n.recipient.email])
                sent += 1
            n.emailed_at = timezone.now()
            n.save(update_fields=["emailed_at"])
    return sent


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def programme_settings_get() -> ProgrammeSettings:
    return ProgrammeSettings.current()


# --- Password reset ---------------------------------------------------------------------------------
def password_reset_request(*, email: str, language: str) -> None:
    """Ask for the reset e-mails of `email` to be sent, in `language`.

    The web request only publishes a job: looking the address up and sending happen in the worker, so
    the answer takes as long whether or not the address has an account (Django's own view sends while
    the person waits, and the time it takes tells existing addresses from others). With the broker
    down the e-mail is sent here instead, rather than lost."""
    from .tasks import enqueue, send_password_reset_emails

    if enqueue(send_password_reset_emails, email=email, language=language) is None:
        password_reset_emails_send(email=email, language=language)


def password_reset_emails_send(*, email: str, language: str) -> int:
    """E-mail a one-time link to choose a new password to each active account with this address that
    signs in with a password here (Django's rules: accounts without a usable password are left out).
    Links point at KAM_SITE_URL. Returns how many were sent."""
    sent = 0
    site = settings.KAM_SITE_URL.rstrip("/")
    with translation.override(language):
        for user in PasswordResetForm().get_users(email):
            path = reverse("password_reset_confirm", kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            })
            context = {"user": user, "link": f"{site}{path}",
                       "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}
            subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
            body = render_to_string("registration/password_reset_email.txt", context)
            send_mail(subject, body, None, [user.email])
            sent += 1
    log.info("password reset: %d e-mail(s) sent", sent)
    return sent
