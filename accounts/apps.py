from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import messages  # noqa: F401  (registers this app's kinds of kam.messages)
        from .criteria_names import restore_default_criteria

        post_migrate.connect(restore_default_criteria, sender=self, dispatch_uid="accounts-default-criteria")
