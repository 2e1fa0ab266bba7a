from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KamConfig(AppConfig):
    name = "kam"
    verbose_name = _("KAM programme")

    def ready(self):
        import os
        import sys

        from django.contrib.auth.signals import user_logged_in

        from . import datastamps, health, scheduler, selectors
        from .middleware import language_remember, session_started
        from .reference import restore_after_migrate

        datastamps.install()
        health.register("outbox", selectors.outbox_status)

        post_migrate.connect(restore_after_migrate, sender=self, dispatch_uid="kam-reference-data")
        user_logged_in.connect(session_started, dispatch_uid="kam-session-started")
        scheduler.start(sys.argv, os.environ)
        user_logged_in.connect(language_remember, dispatch_uid="kam-language-remember")


class KamAdminConfig(admin_apps.AdminConfig):
    """Django's admin on our site class (kam/admin_site.py), which signs people in at the site's page."""

    default = False  # "kam" itself stays KamConfig
    default_site = "kam.admin_site.KamAdminSite"
