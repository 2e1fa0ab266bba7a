from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self):
        from accounts import attachments, personal_data

        from . import messages, selectors, services  # noqa: F401  (messages registers this app's kinds)
        from .models import AccountPlan, Negotiation

        personal_data.register(personal_data.Source("planning", selectors.personal_data,
                                                    services.personal_data_erase))
        # A plan's files are read by whoever may open the plan; a negotiation's only by its commercial
        # readers, as the negotiation itself. Both are changed by the plan's editors.
        attachments.register(
            AccountPlan, account_of=lambda plan: plan.account, label=_("plan"),
            may_read=lambda user, plan: (user.has_perm("planning.view_plan", plan.account)
                                         or selectors.is_participant(user, plan)),
            may_change=lambda user, plan: user.has_perm("planning.change_plan", plan.account),
            select_related=("account",))
        attachments.register(
            Negotiation, account_of=lambda negotiation: negotiation.account, label=_("negotiation"),
            may_read=lambda user, negotiation: (user.has_perm("planning.view_plan", negotiation.account)
                                                and user.has_perm("accounts.view_commercial", negotiation.account)),
            may_change=lambda user, negotiation: user.has_perm("planning.change_plan", negotiation.account),
            select_related=("account",), url_of=lambda negotiation: reverse("planning:negotiation_detail",
                                                                            args=[negotiation.pk]))
