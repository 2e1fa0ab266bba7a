import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from . import health, selectors, services
from .access import public, signed_in
from .celery import app as celery_app
from .forms import LanguageForm
from .login import ThrottledLoginView, ThrottledPasswordResetView
from .middleware import LANGUAGE
from .navigation import home_url_for

log = logging.getLogger(__name__)


@signed_in
def home(request):
    """Each role lands on its own home page."""
    return redirect(home_url_for(request.user))


@public
@never_cache
@require_GET
def healthz(request):
    """Database and broker status as JSON: 200 when both answer, 503 otherwise; then the apps' status
    lines (kam/health.py), which inform without changing the status code."""
    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not answering"
        log.warning("healthz: database check failed: %s", exc)
        status["database"] = "error"
    if celery_app.conf.task_always_eager:
        status["broker"] = "in-process"
    else:
        try:
            # A hung broker accepts the connection and never answers: the probe waits 2 s at most
            # (the compose healthcheck gives up after 5).
            with celery_app.connection_for_write(transport_options={"socket_timeout": 2}) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            log.warning("healthz: broker check failed: %s", exc)
            status["broker"] = "error"
    healthy = "error" not in status.values()
    # The apps' own lines (e.g. "metrics": "stale since ..."): reported, never a reason for a 503.
    extra = health.report() if status["database"] == "ok" else {}
    return JsonResponse({"status": "ok" if healthy else "error", **status, **extra},
                        status=200 if healthy else 503)


@signed_in
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    page = selectors.paginate(request, selectors.notifications_for(request.user, unread_only=unread_only))
    return render(request, "kam/notification_list.html", {"page": page, "unread_only": unread_only})


@signed_in
@require_POST
def notification_read(request, pk):
    # Someone else's notification is none of the user's business: 404, as for any object not theirs.
    notification = selectors.notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    services.notification_mark_read(actor=request.user, notification_ids=[pk])
    target = request.POST.get("next", "")
    if target == "open" and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("kam:notifications")


@signed_in
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(actor=request.user)
    messages.success(request, ngettext("%(count)d notification marked as read.",
                                       "%(count)d notifications marked as read.", count) % {"count": count})
    return redirect("kam:notifications")


def _language_remember(request, response, language: str) -> None:
    """The choice holds for this session at once and, through the cookie, on the sign-in page too."""
    request.session[LANGUAGE] = language
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, secure=settings.LANGUAGE_COOKIE_SECURE,
                        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE)


@signed_in
def profile(request):
    """The person's own settings: the language of their pages and e-mails."""
    chosen = selectors.user_language_chosen(request.user)
    form = LanguageForm(request.POST or None, initial={"language": chosen or translation.get_language()})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        services.user_language_set(actor=request.user, user=request.user, language=language)
        with translation.override(language):
            messages.success(request, _("Your language is saved: the pages and your e-mails will be in it."))
        response = redirect("kam:profile")
        _language_remember(request, response, language)
        return response
    return render(request, "kam/profile.html", {"form": form, "chosen": chosen})


@public
def language_set(request):
    """Django's language switcher; for a signed-in person it also becomes their chosen language."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (request.method == "POST" and request.user.is_authenticated
            and language in dict(settings.LANGUAGES)):
        services.user_language_set(actor=request.user, user=request.user, language=language)
        _language_remember(request, response, language)
    return response


login_view = public(ThrottledLoginView.as_view(redirect_authenticated_user=True))
logout_view = signed_in(auth_views.LogoutView.as_view())
password_change_view = signed_in(auth_views.PasswordChangeView.as_view())
password_change_done_view = signed_in(auth_views.PasswordChangeDoneView.as_view())
# For people who cannot sign in, so open to anyone; the links in the e-mail carry the authority.
password_reset_view = public(ThrottledPasswordResetView.as_view())
password_reset_done_view = public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm_view = public(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete_view = public(auth_views.PasswordResetCompleteView.as_view())


def error_500(request):
    """A plain error page that needs no database (the failure may be the database itself)."""
    return render(request, "500.html", status=500)
