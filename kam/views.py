import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .access import public, signed_in
from .celery import app as celery_app
from .login import ThrottledLoginView, ThrottledPasswordResetView
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
    """Database and broker status as JSON: 200 when both answer, 503 otherwise."""
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
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            log.warning("healthz: broker check failed: %s", exc)
            status["broker"] = "error"
    healthy = "error" not in status.values()
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


@signed_in
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    page = selectors.paginate(request, selectors.notifications_for(request.user, unread_only=unread_only))
    return render(request, "kam/notification_list.html", {"page": page, "unread_only": unread_only})


@signed_in
@require_POST
def notification_read(request, pk):
    services.notification_mark_read(user=request.user, notification_ids=[pk])
    target = request.POST.get("next", "")
    notification = selectors.notifications_for(request.user).filter(pk=pk).first()
    if target == "open" and notification and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("kam:notifications")


@signed_in
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(request, ngettext("%(count)d notification marked as read.",
                                       "%(count)d notifications marked as read.", count) % {"count": count})
    return redirect("kam:notifications")


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
