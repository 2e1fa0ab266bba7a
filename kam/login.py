"""Sign-in and password reset, throttled.

Sign-in: after KAM_LOGIN_FAILURE_LIMIT failed attempts for one username from one
address, that pair is refused for KAM_LOGIN_FAILURE_WINDOW seconds, even with the right password
(otherwise guessing could simply continue until it succeeds). An address that fails
KAM_LOGIN_ADDRESS_FAILURE_LIMIT times in the window, whatever the usernames, is refused too, so that
trying one password against many people is slowed as much as many passwords against one.

Password reset (Django's views): at most KAM_PASSWORD_RESET_ADDRESS_LIMIT requests per client address
and KAM_PASSWORD_RESET_EMAIL_LIMIT e-mails per address asked for, per KAM_PASSWORD_RESET_WINDOW; the
answer is the same whether or not the e-mail address has an account, and whether or not its limit
was reached."""

import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import get_language, ngettext

from . import services
from .ratelimit import RateLimit, client_ip

log = logging.getLogger(__name__)


def login_failures() -> RateLimit:
    # Built per call so that settings overridden in tests (and per deployment) take effect.
    return RateLimit("login-failures", settings.KAM_LOGIN_FAILURE_LIMIT, settings.KAM_LOGIN_FAILURE_WINDOW)


def login_address_failures() -> RateLimit:
    return RateLimit("login-address-failures", settings.KAM_LOGIN_ADDRESS_FAILURE_LIMIT,
                     settings.KAM_LOGIN_FAILURE_WINDOW)


def identifier_key(value: str) -> str:
    """The throttle's form of a username or e-mail address: every spelling that signs in as the same
    person gives the same key. Django's form NFKC-normalises the username ("ｉrene" signs in as "irene"),
    so keying on the text as typed would give each Unicode variant a fresh allowance; case-folding on
    top also covers case-insensitive look-ups (e-mail addresses). NFKC again after case-folding, as
    Unicode's NFKC_Casefold does, because case-folding can undo the normalisation."""
    folded = unicodedata.normalize("NFKC", value).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


class ThrottledAuthenticationForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.throttled = False

    def _limit_key(self):
        address = client_ip(self.request) if self.request else "unknown"
        return identifier_key(self.data.get("username") or ""), address

    def clean(self):
        limiter, per_address = login_failures(), login_address_failures()
        key = self._limit_key()
        if limiter.exceeded(*key):
            self._refuse(key, limiter.window_minutes, ngettext(
                "Too many failed sign-in attempts for this user. Please wait %(minutes)d minute and try again.",
                "Too many failed sign-in attempts for this user. Please wait %(minutes)d minutes and try again.",
                limiter.window_minutes))
        if per_address.exceeded(key[1]):
            self._refuse(key, per_address.window_minutes, ngettext(
                "Too many failed sign-in attempts from your network. Please wait %(minutes)d minute and try "
                "again.",
                "Too many failed sign-in attempts from your network. Please wait %(minutes)d minutes and try "
                "again.",
                per_address.window_minutes))
        try:
            cleaned = super().clean()
        except ValidationError:
            limiter.hit(*key)
            per_address.hit(key[1])
            raise
        # The address's count is not reset: one account of one's own would otherwise clear it at will.
        limiter.reset(*key)
        return cleaned

    def _refuse(self, key, minutes, message):
        self.throttled = True
        log.warning("sign-in throttled for %r from %s", key[0][:150], key[1])
        raise ValidationError(message % {"minutes": minutes}, code="throttled")


class ThrottledLoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            # 429 tells scripts to back off; people still see the form with the message above it.
            response.status_code = 429
        return response


def password_reset_address_limit() -> RateLimit:
    return RateLimit("password-reset-address", settings.KAM_PASSWORD_RESET_ADDRESS_LIMIT,
                     settings.KAM_PASSWORD_RESET_WINDOW)


def password_reset_email_limit() -> RateLimit:
    return RateLimit("password-reset-email", settings.KAM_PASSWORD_RESET_EMAIL_LIMIT,
                     settings.KAM_PASSWORD_RESET_WINDOW)


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's view for asking, throttled; the e-mail is left to services.password_reset_request."""

    def form_valid(self, form):
        address = client_ip(self.request)
        per_address = password_reset_address_limit()
        if per_address.hit(address) > per_address.limit:
            log.warning("password reset throttled for %s", address)
            minutes = per_address.window_minutes
            form.add_error(None, ngettext(
                "Too many password reset requests from your network. Please wait %(minutes)d minute and try again.",
                "Too many password reset requests from your network. Please wait %(minutes)d minutes and try again.",
                minutes) % {"minutes": minutes})
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        email = form.cleaned_data["email"]
        per_email = password_reset_email_limit()
        if per_email.hit(identifier_key(email)) > per_email.limit:
            # Nothing is sent, and nothing says so: the same answer as for any other address.
            log.warning("password reset e-mails throttled for one address (asked from %s)", address)
        else:
            services.password_reset_request(email=email, language=get_language())
        return redirect(self.get_success_url())
