from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import (
            attachments,
            messages,  # noqa: F401  (registers this app's kinds of kam.messages)
        )
        from .criteria_names import restore_default_criteria
        from .models import Account

        # The account's own files: whoever sees the account reads them; its editors add and remove them.
        attachments.register(Account, account_of=lambda account: account, may_read=lambda user, account: True,
                             may_change=lambda user, account: user.has_perm("accounts.change_account", account),
                             label=_("account"), url_of=lambda account: reverse("accounts:detail", args=[account.pk]))

        post_migrate.connect(restore_default_criteria, sender=self, dispatch_uid="accounts-default-criteria")
