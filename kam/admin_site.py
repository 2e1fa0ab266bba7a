"""The administration site without a sign-in page of its own.

Django's admin has its own login form, which the site's throttle (kam/login.py) does not cover: a
superuser's password could be guessed there without limit. Its login address sends people to the
site's sign-in instead, so that every password is checked in one place, throttled the same way."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class KamAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME) or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = index
        if self.has_permission(request):
            return redirect(target)
        if request.user.is_authenticated:
            # Signed in without staff rights: sending them to sign in again would only loop back here.
            raise PermissionDenied
        # Whatever was posted here is dropped unread: passwords are checked only by the site's form.
        return redirect_to_login(target, settings.LOGIN_URL)
