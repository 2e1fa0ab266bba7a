from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KamConfig(AppConfig):
    name = "kam"
    verbose_name = _("KAM programme")

    def ready(self):
        from . import datastamps, health, services
        from .reference import restore_after_migrate

        datastamps.install()
        health.register("outbox", services.outbox_status)

        post_migrate.connect(restore_after_migrate, sender=self, dispatch_uid="kam-reference-data")
