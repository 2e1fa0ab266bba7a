from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Framework agreements")

    def ready(self):
        from django.urls import reverse

        from accounts import attachments

        from . import messages, selectors  # noqa: F401  (messages registers this app's kinds)
        from .models import FrameworkAgreement

        # The signed agreement and its annexes: read by whoever reads the agreement, attached by its
        # editors, whatever its status (an ended agreement's signed copy stays on record).
        attachments.register(
            FrameworkAgreement, account_of=selectors.account_of, label=_("framework agreement"),
            may_read=selectors.may_read, may_change=selectors.may_change, select_related=("account",),
            url_of=lambda agreement: reverse("agreements:detail", args=[agreement.pk]))
