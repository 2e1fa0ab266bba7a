from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("KAM roster")

    def ready(self):
        from . import messages  # noqa: F401  (registers this app's kinds of kam.messages)
        from .competences import restore_standard_competences

        post_migrate.connect(restore_standard_competences, sender=self, dispatch_uid="roster-competences")
