from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalfeedConfig(AppConfig):
    name = "calfeed"
    verbose_name = _("Calendar feed")
