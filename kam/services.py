import datetime
import hashlib
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import messages
from .errors import Forbidden, Invalid
from .models import Notification, OutboxTask, UserProfile
from .text import single_line

log = logging.getLogger(__name__)


@transaction.atomic
def notification_send(*, recipients: Iterable, event_key: str, title: str = "", body: str = "",
                      link: str = "", message: str = "", params: dict | None = None) -> list[Notification]:
    """Notify each recipient of one event, in-app and by e-mail, at most once per (person, event).

    `event_key` names the event (e.g. ``incident:42:ack-breach``); a second call with the same key
    creates nothing, which keeps escalation jobs idempotent. `message` is a kind of kam.messages and
    `params` its parameters: each recipient reads the notice in their own language; `title` and `body`
    are then written from them in the programme's language. Returns the notifications created now.
    """
    stored_params = messages.encode(message, params or {}) if message else {}
    if message:
        with translation.override(settings.LANGUAGE_CODE):
            title = messages.render(message, stored_params) or title
            body = messages.render(message, stored_params, part="body") or body
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
                    defaults={"title": title[:200], "body": body, "link": link[:300],
                              "message": message, "params": stored_params},
                )
        except IntegrityError:  # a concurrent job created it first: still exactly once
            continue
        if was_created:
            created.append(notification)
    if created:
        from .tasks import enqueue, send_notification_emails

        # In this transaction: the e-mails are asked for if and only if the notices are committed.
        enqueue(send_notification_emails, [n.pk for n in created])
    return created


def user_language(user) -> str:
    """The language a person chose on their profile, else the programme's (for e-mails and jobs,
    which have no browser to ask)."""
    try:
        chosen = user.kam_profile.language
    except UserProfile.DoesNotExist:
        chosen = ""
    return chosen or settings.LANGUAGE_CODE


@transaction.atomic
def user_language_set(*, actor, user, language: str) -> UserProfile:
    """Record the language `user` reads the platform and their e-mails in; a person sets only their own."""
    if actor is None or actor.pk != user.pk:
        raise Forbidden(_("You can change only your own language."))
    if language not in dict(settings.LANGUAGES):
        raise Invalid(errors={"language": [_("Choose one of the languages offered.")]})
    profile, __ = UserProfile.objects.select_for_update().get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


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
                 .select_related("recipient__kam_profile").filter(pk=pk).first())
            if n is None:
                continue
            if n.recipient.email:
                link = f"\n\n{settings.KAM_SITE_URL.rstrip('/')}{n.link}" if n.link else ""
                try:
                    # In the recipient's language, whoever raised the notice and in whatever language.
                    with translation.override(user_language(n.recipient)):
                        # A name put into the title now may hold a line break, which the header refuses.
                        subject = single_line(n.title_text) if n.message else n.title
                        text = n.body_text
                    send_mail(subject, f"{text}{link}", None, [n.recipient.email])
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


def notification_mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


# --- Outbox: background work asked for in a transaction, run by a worker -------------------------------
# A failed task is tried again after 30 s, 1, 2, 4... minutes (at most an hour apart), this many times.
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_RETRY_MAX = datetime.timedelta(hours=1)
# A dispatch stops taking new rows after this long; the next one (beat, seconds later) goes on.
OUTBOX_DISPATCH_BUDGET = datetime.timedelta(seconds=60)


def _outbox_lease() -> datetime.timedelta:
    """How long a claimed row is left to its worker before another may take it over (the worker died):
    longer than any task runs."""
    return datetime.timedelta(seconds=getattr(settings, "KAM_OUTBOX_LEASE_SECONDS", 900))


def outbox_task_add(*, task: str, args: list | tuple = (), kwargs: dict | None = None) -> OutboxTask:
    """Record a request for background work in the current transaction (it disappears with a rollback).
    Arguments must be JSON: ids and ISO dates, never model instances."""
    return OutboxTask.objects.create(task=task, args=list(args), kwargs=dict(kwargs or {}))


def _outbox_lock(task: str) -> None:
    """Serialise the coalescing of one task's requests: two transactions that each find no pending row
    would otherwise both add one (PostgreSQL; SQLite has a single writer already)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha1(f"outbox:{task}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def outbox_task_coalesce(*, task: str, kwargs: dict, delay: datetime.timedelta, max_wait: datetime.timedelta,
                         combine=None) -> OutboxTask:
    """Ask for `task` once however often it is asked for: while a request not yet taken by a worker is
    pending, a new one joins it instead of adding a row (debounced: it then runs `delay` after the last
    request, but never later than `max_wait` after the first, so a steady stream of requests cannot
    postpone it for ever). A request that arrives while the task runs adds a new row: the run under way
    may have read the data before the change that asked again. `delay` of zero runs it as soon as
    possible. `combine(old_kwargs, new_kwargs)` gives the joined row's arguments (default: the old)."""
    _outbox_lock(task)
    now = timezone.now()
    row = (OutboxTask.objects.filter(task=task, done_at__isnull=True, failed_at__isnull=True)
           .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
           .select_for_update().order_by("pk").first())
    if row is None:
        return OutboxTask.objects.create(task=task, kwargs=dict(kwargs), run_after=now + delay)
    if delay <= datetime.timedelta(0):
        row.run_after = now
    else:
        row.run_after = min(max(row.run_after, now + delay), max(row.created_at + max_wait, now))
    if combine is not None:
        row.kwargs = combine(dict(row.kwargs), dict(kwargs))
    row.save(update_fields=["run_after", "kwargs"])
    return row


def _outbox_pending(now):
    return (OutboxTask.objects.filter(done_at__isnull=True, failed_at__isnull=True, run_after__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)))


def _outbox_claim() -> OutboxTask | None:
    """The oldest runnable row, taken for this worker for the lease (its own short transaction, so that
    the task then runs and commits on its own)."""
    now = timezone.now()
    with transaction.atomic():
        row = _outbox_pending(now).select_for_update(skip_locked=True).order_by("pk").first()
        if row is None:
            return None
        row.attempts += 1
        row.claimed_until = now + _outbox_lease()
        row.save(update_fields=["attempts", "claimed_until"])
    return row


def _outbox_run(row: OutboxTask) -> bool:
    from .celery import app

    try:
        task = app.tasks[row.task]
        # Called in this process, not published: the row is the message. A task that raises is retried
        # by the outbox (below), not by Celery's autoretry, which does not apply to direct calls.
        task(*row.args, **row.kwargs)
    except Exception as exc:
        now = timezone.now()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= OUTBOX_MAX_ATTEMPTS:
            OutboxTask.objects.filter(pk=row.pk).update(failed_at=now, claimed_until=None, last_error=error)
            log.error("background task %s #%s given up after %d attempts: %s", row.task, row.pk, row.attempts,
                      error, exc_info=True)
        else:
            delay = min(datetime.timedelta(seconds=30 * 2 ** (row.attempts - 1)), OUTBOX_RETRY_MAX)
            OutboxTask.objects.filter(pk=row.pk).update(run_after=now + delay, claimed_until=None,
                                                        last_error=error)
            log.warning("background task %s #%s failed (attempt %d of %d), retried in %s: %s", row.task, row.pk,
                        row.attempts, OUTBOX_MAX_ATTEMPTS, delay, error)
        return False
    OutboxTask.objects.filter(pk=row.pk).update(done_at=timezone.now(), claimed_until=None)
    return True


def outbox_dispatch(*, limit: int = 200) -> dict:
    """Run pending background tasks, oldest first, each on its own: claimed under a lease (so two
    workers never run the same row, and a row whose worker died is run again once the lease is over),
    run, then marked done, or scheduled again with a growing delay, or given up after
    OUTBOX_MAX_ATTEMPTS with the error kept. The tasks are idempotent, so a rerun after a lost worker
    does no harm. Returns {"done": n, "failed": n}."""
    done = failed = 0
    deadline = timezone.now() + OUTBOX_DISPATCH_BUDGET
    for _turn in range(limit):
        if timezone.now() > deadline:
            break
        row = _outbox_claim()
        if row is None:
            break
        if _outbox_run(row):
            done += 1
        else:
            failed += 1
    return {"done": done, "failed": failed}


OUTBOX_KEEP_DONE = datetime.timedelta(days=30)


def outbox_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete rows done more than OUTBOX_KEEP_DONE ago (nightly); pending and given-up rows stay."""
    cutoff = (now or timezone.now()) - OUTBOX_KEEP_DONE
    deleted, _by_model = OutboxTask.objects.filter(done_at__lt=cutoff).delete()
    return deleted


# --- Password reset ---------------------------------------------------------------------------------
def password_reset_request(*, email: str, language: str) -> None:
    """Ask for the reset e-mails of `email` to be sent, in `language`.

    The web request only publishes a job: looking the address up and sending happen in the worker, so
    the answer takes as long whether or not the address has an account (Django's own view sends while
    the person waits, and the time it takes tells existing addresses from others). The request goes
    through the outbox like all background work, so a broker outage delays it rather than losing it."""
    from .tasks import enqueue, send_password_reset_emails

    enqueue(send_password_reset_emails, email=email, language=language)


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
