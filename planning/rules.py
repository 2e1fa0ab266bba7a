"""Planning's own permissions, composed from kam.permissions' account predicates.

Objects passed to these are the plan's account, except `planning.update_commitment` (a commitment).
"""

import rules

from kam.permissions import (
    can_edit_plan_text,
    can_view_plan,
    is_account_sponsor,
    is_lead,
)


@rules.predicate
def owns_commitment(user, commitment):
    return commitment is not None and user.is_authenticated and commitment.owner_id == user.id


@rules.predicate
def may_edit_commitment_plan(user, commitment):
    return commitment is not None and can_edit_plan_text.test(user, commitment.plan.account)


@rules.predicate
def may_view_commitment_plan(user, commitment):
    return commitment is not None and can_view_plan.test(user, commitment.plan.account)


# Team members own commitments and report their status, without touching the plan's text.
rules.add_perm("planning.update_commitment",
               may_edit_commitment_plan | (owns_commitment & may_view_commitment_plan))
rules.add_perm("planning.sign_off_as_sponsor", is_lead | is_account_sponsor)
