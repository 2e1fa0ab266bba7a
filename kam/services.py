import datetime
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification, ProgrammeSettings
from .text import single_line

log = logging.getLogger(__name__)


@transaction.atomic
def notification_send(*, recipients: Iterable, event_key: str, title: str, body: str = "",
                      link: str = "") -> list[Notification]:
    """Notify each recipient of one event, in-app and by e-mail, at most once per (person, event).

    `event_key` names the event (e.g. ``incident:42:ack-breach``); a second call with the same key
    creates nothing, which keeps escalation jobs idempotent. Returns the notifications created now.
    """
    # The title is the e-mail's subject: a line break (from an account's name, say) would make Django
    # refuse the header.
    title = single_line(title)
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


# An e-mail that failed for a reason of its own (a refused header, a refused recipient) is tried again
# on later sweeps, this many times in all, at least EMAIL_RETRY_AFTER apart.
EMAIL_MAX_ATTEMPTS = 5
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=10)
# The mail server itself is away or refusing us: no message is to blame, the sweep stops and the next
# one tries again. Every other error (a refused header, recipient or message) belongs to the message.
_SERVER_SMTP_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
                       smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError)


def _mail_server_unavailable(exc: Exception) -> bool:
    if isinstance(exc, _SERVER_SMTP_ERRORS):
        return True
    # Sockets, DNS and TLS failures are OSErrors; smtplib's replies about one message are too, but
    # they are SMTPExceptions.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _emails_pending(now):
    return (Notification.objects.filter(emailed_at__isnull=True, email_attempts__lt=EMAIL_MAX_ATTEMPTS)
            .filter(Q(email_failed_at__isnull=True) | Q(email_failed_at__lte=now - EMAIL_RETRY_AFTER)))


def notification_emails_deliver(*, notification_ids: Iterable[int] | None = None) -> int:
    """Send the e-mail for notifications not yet e-mailed (all pending ones when no ids are given),
    oldest first. Returns how many were sent.

    Marks each before sending inside a row lock, so two workers never send the same e-mail twice. Each
    message is sent in its own try: one that fails is marked (attempts, time, error), logged and left
    for a later sweep, and the others go out. When the mail server itself cannot be reached the sweep
    stops and raises, without counting the attempt against the message.
    """
    now = timezone.now()
    qs = _emails_pending(now)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    sent = 0
    for pk in list(qs.order_by("pk").values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            n = (_emails_pending(now).select_for_update(skip_locked=True, of=("self",))
                 .select_related("recipient").filter(pk=pk).first())
            if n is None:
                continue
            if n.recipient.email:
                link = f"\n\n{settings.KAM_SITE_URL.rstrip('/')}{n.link}" if n.link else ""
                try:
                    send_mail(n.title, f"{n.body}{link}", None, [n.recipient.email])
                except Exception as exc:
                    if _mail_server_unavailable(exc):
                        raise
                    # This message's own failure: record it and carry on with the others.
                    n.email_attempts += 1
                    n.email_failed_at = timezone.now()
                    n.email_error = f"{type(exc).__name__}: {exc}"[:300]
                    n.save(update_fields=["email_attempts", "email_failed_at", "email_error"])
                    log.log(logging.ERROR if n.email_attempts >= EMAIL_MAX_ATTEMPTS else logging.WARNING,
                            "e-mail of notification %s failed (attempt %d of %d): %s", n.pk, n.email_attempts,
                            EMAIL_MAX_ATTEMPTS, n.email_error)
                    continue
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
