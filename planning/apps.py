from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self):
        from accounts import personal_data

        from . import messages, selectors, services  # noqa: F401  (messages registers this app's kinds)

        personal_data.register(personal_data.Source("planning", selectors.personal_data,
                                                    services.personal_data_erase))
