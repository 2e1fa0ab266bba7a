"""The plan's workflow, defined once: which action each status allows and where it leads. The services
refuse an action the plan's status does not allow (`require`); the pages offer only the actions it
allows (`allowed`), so a button and its guard cannot disagree.

draft → in_review (submit) → committed (commit, once every sign-off is given) → agreed (the client's
agreement) → closed; back to draft from in_review or committed; closed from committed or agreed.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.errors import Invalid

from .models import PlanStatus


@dataclass(frozen=True)
class Action:
    sources: tuple[str, ...]
    refusal: Promise
    target: str | None = None  # None: the plan keeps its status (a sign-off, a period correction)


ACTIONS = {
    "submit": Action((PlanStatus.DRAFT,), _("Only a draft plan can be submitted for internal review."),
                     PlanStatus.IN_REVIEW),
    "sign_off": Action((PlanStatus.IN_REVIEW,), _("Sign-offs are given while the plan is in internal review.")),
    "commit": Action((PlanStatus.IN_REVIEW,), _("Only a plan in internal review can be committed."),
                     PlanStatus.COMMITTED),
    "return": Action((PlanStatus.IN_REVIEW, PlanStatus.COMMITTED),
                     _("Only a plan in review or committed can go back to draft."), PlanStatus.DRAFT),
    "agree": Action((PlanStatus.COMMITTED,), _("The client can agree once our teams have committed the plan."),
                    PlanStatus.AGREED),
    "close": Action((PlanStatus.COMMITTED, PlanStatus.AGREED),
                    _("Only a committed or agreed plan can be closed; a draft can simply be left or reworked."),
                    PlanStatus.CLOSED),
    "set_period": Action((PlanStatus.DRAFT,), _("The period can be corrected only while the plan is a draft.")),
}

# Every sign-off our side needs was given: the plan is committed, or was before it moved on.
SIGNED_OFF = (PlanStatus.COMMITTED, PlanStatus.AGREED, PlanStatus.CLOSED)


def is_allowed(status: str, action: str) -> bool:
    return status in ACTIONS[action].sources


def allowed(status: str) -> dict[str, bool]:
    """Each action → whether a plan in `status` allows it (for the pages: `actions.commit`)."""
    return {name: status in action.sources for name, action in ACTIONS.items()}


def require(plan, action: str) -> None:
    """Refuse (`Invalid`) an action the plan's status does not allow."""
    if not is_allowed(plan.status, action):
        if action == "agree" and plan.status == PlanStatus.AGREED:
            raise Invalid(_("The client has already agreed to this plan."))
        raise Invalid(ACTIONS[action].refusal)
