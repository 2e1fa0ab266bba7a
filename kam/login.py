"""Sign-in with throttling: after KAM_LOGIN_FAILURE_LIMIT failed attempts for one username from one
address, that pair is refused for KAM_LOGIN_FAILURE_WINDOW seconds, even with the right password
(otherwise guessing could simply continue until it succeeds)."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from .ratelimit import RateLimit, client_ip

log = logging.getLogger(__name__)


def login_failures() -> RateLimit:
    # Built per call so that settings overridden in tests (and per deployment) take effect.
    return RateLimit("login-failures", settings.KAM_LOGIN_FAILURE_LIMIT, settings.KAM_LOGIN_FAILURE_WINDOW)


class ThrottledAuthenticationForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.throttled = False

    def _limit_key(self):
        username = (self.data.get("username") or "").strip().lower()
        return username, client_ip(self.request) if self.request else "unknown"

    def clean(self):
        limiter = login_failures()
        key = self._limit_key()
        if limiter.exceeded(*key):
            self.throttled = True
            minutes = limiter.window_minutes
            log.warning("sign-in throttled for %r from %s", key[0][:150], key[1])
            raise ValidationError(
                ngettext(
                    "Too many failed sign-in attempts for this user. Please wait %(minutes)d minute "
                    "and try again.",
                    "Too many failed sign-in attempts for this user. Please wait %(minutes)d minutes "
                    "and try again.",
                    minutes,
                ) % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            limiter.hit(*key)
            raise
        limiter.reset(*key)
        return cleaned


class ThrottledLoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            # 429 tells scripts to back off; people still see the form with the message above it.
            response.status_code = 429
        return response
