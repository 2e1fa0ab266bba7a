from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TouchpointsConfig(AppConfig):
    name = "touchpoints"
    verbose_name = _("Touchpoints")

    def ready(self):
        from accounts import personal_data

        from . import messages, selectors, services  # noqa: F401  (messages registers this app's kinds)
        from .reference import restore_after_migrate

        personal_data.register(personal_data.Source("touchpoints", selectors.personal_data,
                                                    services.personal_data_erase))
        post_migrate.connect(restore_after_migrate, sender=self, dispatch_uid="touchpoints-sla-defaults")
