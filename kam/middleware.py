"""Site-wide middleware: session timeouts, the content security policy, and an opt-in query counter
for the benchmark."""

import time
from contextlib import ExitStack
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.db import connections
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

# Unix times kept in the session by SessionTimeoutMiddleware.
SEEN, SIGNED_IN = "kam_last_seen", "kam_signed_in_at"
# The signed-in person's chosen language, copied from their profile into the session at sign-in (and
# when they choose another), so their requests are in it without a query each.
LANGUAGE = "kam_language"


def language_remember(sender, request, user, **kwargs):
    """user_logged_in receiver: the person's chosen language from now on, whatever the browser says."""
    from .models import UserProfile

    chosen = UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
    if chosen:
        request.session[LANGUAGE] = chosen
    else:
        request.session.pop(LANGUAGE, None)


class UserLanguageMiddleware:
    """Activates the signed-in person's chosen language; until they choose one, LocaleMiddleware's
    answer (the language switcher's cookie, else the browser's Accept-Language) stands. After the
    session, locale and authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(LANGUAGE)
        if chosen and chosen in dict(settings.LANGUAGES) and request.user.is_authenticated:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


def session_started(sender, request, user, **kwargs):
    """user_logged_in receiver: the absolute maximum and the idle time both count from here."""
    now = int(time.time())
    request.session[SEEN] = now
    request.session[SIGNED_IN] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for KAM_SESSION_IDLE_MINUTES, or older than KAM_SESSION_MAX_HOURS.

    Sliding expiry without a write per request: the last-seen time (and with it the stored session's
    expiry, SESSION_COOKIE_AGE from that write) moves on at most once every KAM_SESSION_REFRESH_SECONDS,
    so pages keep their query budgets and the timeout is exact to that step. Installed after the
    authentication and message middleware (it signs out and leaves a message)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        ended = False
        if SESSION_KEY in session:
            now = int(time.time())
            seen, signed_in = session.get(SEEN), session.get(SIGNED_IN)
            if seen is None or signed_in is None:
                # Made outside login() or before these limits existed: they count from now.
                session[SEEN] = session[SIGNED_IN] = now
            elif (now - seen > settings.KAM_SESSION_IDLE_MINUTES * 60
                  or now - signed_in > settings.KAM_SESSION_MAX_HOURS * 3600):
                logout(request)
                ended = True
            elif now - seen >= settings.KAM_SESSION_REFRESH_SECONDS:
                session[SEEN] = now
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME) and session.session_key is None:
            # A session cookie whose stored session is gone: it expired (signing out deletes the cookie).
            ended = True
        response = self.get_response(request)
        htmx = request.headers.get("HX-Request") == "true"
        if (ended or htmx) and self._to_sign_in(response):
            if ended:
                messages.info(request, _("Your session has ended. Please sign in again."))
            if htmx:
                # A fragment request would get the sign-in page inside the fragment: reload the whole page,
                # and come back to it (not to the fragment) after signing in.
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                back = (current.path + (f"?{current.query}" if current.query else "")) or "/"
                return HttpResponseClientRedirect(redirect_to_login(back, resolve_url(settings.LOGIN_URL)).url)
        return response

    @staticmethod
    def _to_sign_in(response) -> bool:
        return (response.status_code == 302
                and urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL))


class NoStoreForSignedInMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person (and on the answer
    to signing in): their pages hold customer data that must not stay in a shared machine's browser
    cache, in the back button's history after signing out, or in any cache between us and them.

    Installed after the session timeout, so that a session it has just ended counts as signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if SESSION_KEY in request.session:
            patch_cache_control(response, private=True, no_store=True)
        return response


# No inline code anywhere: scripts and styles come only from our own static files, chart data from
# `json_script` blocks (type application/json, which the policy does not execute). `data:` images are
# Bootstrap's inline SVG icons (form validation, select arrows) referenced from its stylesheet.
DEFAULT_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not already carry one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "KAM_CSP", DEFAULT_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class QueryCountHeaderMiddleware:
    """Counts the SQL statements of a request and reports them in `X-Query-Count`.

    Enabled only when KAM_QUERY_COUNT_HEADER=1 (the benchmark): it tells anyone who can load a page how
    much work it took, which is no business of a production client. Installed first in MIDDLEWARE so
    that the session, user and message queries of the other middleware are counted too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = {"n": 0}

        def count(execute, sql, params, many, context):
            counter["n"] += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(count))
            response = self.get_response(request)
        response["X-Query-Count"] = str(counter["n"])
        return response


class DomainErrorMiddleware:
    """Answers a domain error no view handled with its page: 403 refused, 409 conflict (both versions
    shown), 400 invalid. One place, so that every app refuses the same way; a query string no view can
    use (kam.query) is refused here too, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .errors import Invalid
        from .query import query_problem

        problem = query_problem(request.GET)
        return self.process_exception(request, Invalid(problem)) if problem else None

    def process_exception(self, request, exception):
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        from .errors import Conflict, DomainError

        if not isinstance(exception, DomainError):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = ""
        template = "partials/domain_error.html" if getattr(request, "htmx", False) else "domain_error.html"
        return render(request, template, {"error": exception, "is_conflict": isinstance(exception, Conflict),
                                          "back": back}, status=exception.status)
