"""The administration site without a sign-in page of its own, and without deletes.

Django's admin has its own login form, which the site's throttle (kam/login.py) does not cover: a
superuser's password could be guessed there without limit. Its login address sends people to the
site's sign-in instead, so that every password is checked in one place, throttled the same way.

Nothing is deleted from the back office, one object or in bulk, whatever the model: a domain object
ends its life through the app's own states (an account archived, a plan closed, a link revoked, a
sign-off cleared, a contact gone or erased, a person deactivated), each kept with its history. The
rule is the site's, so a model registered later cannot forget it."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class KeepRecords(admin.ModelAdmin):
    """Mixed into every model admin of the site (KamAdminSite.register): no delete page, and inlines
    that cannot delete their rows through the parent's form."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.can_delete = False
        return inlines


class ReadOnlyAdmin:
    """Records read in the back office, with their history, and changed only on their own pages, whose
    services check who may change them, from which version, and what follows from the change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KamAdminSite(admin.AdminSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disable_action("delete_selected")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, KeepRecords):
            admin_class = type(admin_class.__name__, (KeepRecords, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

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
