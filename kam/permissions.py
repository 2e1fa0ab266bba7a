"""Object permissions (django-rules). Predicates are duck-typed on the account (`kam_id`, `sponsor_id`,
`tier`, `team_members`) so that `kam` imports no app of its own; apps may compose these predicates in
their own `rules.py`.

Who may do what is the README's table "Who owns what".
"""

import rules

from . import departments
from .roles import KAM, LEAD, OPERATIONS, SPONSOR, has_role

KEY_TIER = "key"


@rules.predicate
def is_lead(user):
    return has_role(user, LEAD)


@rules.predicate
def is_operations(user):
    return has_role(user, OPERATIONS)


@rules.predicate
def is_sponsor_role(user):
    return has_role(user, SPONSOR)


@rules.predicate
def is_kam_role(user):
    return has_role(user, KAM)


@rules.predicate
def is_account_kam(user, account):
    return account is not None and user.is_authenticated and account.kam_id == user.id


@rules.predicate
def is_account_sponsor(user, account):
    return account is not None and user.is_authenticated and account.sponsor_id == user.id


@rules.predicate
def is_team_member(user, account):
    if account is None or not user.is_authenticated:
        return False
    # Cached per account object: several rules ask the same question while rendering one page.
    cache = account.__dict__.setdefault("_team_member_cache", {})
    if user.id not in cache:
        cache[user.id] = account.team_members.filter(user_id=user.id).exists()
    return cache[user.id]


def _team_department(user, account) -> str | None:
    """The code of the user's department on the account's team (None when not on it), cached per
    account object like `is_team_member`."""
    if account is None or not user.is_authenticated:
        return None
    cache = account.__dict__.setdefault("_team_department_cache", {})
    if user.id not in cache:
        cache[user.id] = (account.team_members.filter(user_id=user.id)
                          .values_list("department__code", flat=True).first())
    return cache[user.id]


@rules.predicate
def is_commercial_team_member(user, account):
    return _team_department(user, account) in departments.COMMERCIAL


@rules.predicate
def is_finance_team_member(user, account):
    return _team_department(user, account) == departments.FINANCE


@rules.predicate
def is_key_account(user, account):
    return account is not None and account.tier == KEY_TIER


can_view_account = (
    is_lead
    | is_operations
    | is_account_kam
    | is_account_sponsor
    | is_team_member
    | (is_sponsor_role & is_key_account)
)
can_change_account = is_lead | is_account_kam | (is_kam_role & is_team_member)
# Operations work incidents on every account but must not read plans' commercial content.
can_view_plan = is_lead | is_account_kam | is_account_sponsor | is_team_member | (is_sponsor_role & is_key_account)
can_edit_plan_text = is_lead | is_account_kam | (is_kam_role & is_team_member)
can_log_touchpoint = can_view_account
# Commercial data (margins, contribution, CLV, negotiation preparation, opportunity values): the
# account's KAM and sponsor, the lead, KAMs and commercial departments on its team. Same rule on every
# page, panel, export and print view.
can_view_commercial = (is_lead | is_account_kam | is_account_sponsor | is_commercial_team_member
                       | (is_kam_role & is_team_member))
# Financial figures come from finance: the lead (and the imports the lead runs) or Finance on the team.
can_change_financials = is_lead | is_finance_team_member
can_work_incident = is_lead | is_operations | is_account_kam | is_team_member
can_log_sponsor_visit = is_lead | is_account_sponsor

rules.add_perm("accounts.view_account", can_view_account)
rules.add_perm("accounts.change_account", can_change_account)
rules.add_perm("accounts.manage_programme", is_lead)
rules.add_perm("accounts.view_commercial", can_view_commercial)
rules.add_perm("planning.view_plan", can_view_plan)
rules.add_perm("planning.change_plan", can_edit_plan_text)
rules.add_perm("touchpoints.log_touchpoint", can_log_touchpoint)
rules.add_perm("touchpoints.work_incident", can_work_incident)
rules.add_perm("touchpoints.log_sponsor_visit", can_log_sponsor_visit)
