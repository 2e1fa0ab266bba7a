"""Site-wide response middleware: the content security policy, and an opt-in query counter for the
benchmark."""

from contextlib import ExitStack

from django.conf import settings
from django.db import connections

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
    shown), 400 invalid. One place, so that every app refuses the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

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
