"""Planning's own permissions, composed from kam.permissions' account predicates.

Objects passed to these are the plan's account, except `planning.update_commitment` (a commitment).
"""

import rules

from kam.permissions import (
    can_edit_plan_text,
)


@rules.predicate
def owns_commitment(user, commitment):
    return commitment is not None and user.is_authenticated and commitment.owner_id == user.id


@rules.predicate
def may_edit_commitment_plan(user, commitment):
    return commitment is not None and can_edit_plan_text.test(user, commitment.plan.account)


# Whoever owns a commitment reports its status (on the account's team or not: being asked to deliver
# it is what lets them open the plan), without touching the plan's text.
rules.add_perm("planning.update_commitment", may_edit_commitment_plan | owns_commitment)
