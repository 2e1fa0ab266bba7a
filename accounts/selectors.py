from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from kam.roles import LEAD, OPERATIONS, SPONSOR, user_roles

from .models import Account, AccountTeamMember, Tier


def account_visibility_q(user) -> Q | None:
    """The filter for accounts `user` may see (None: all of them). Mirrors
    kam.permissions.can_view_account, as a query instead of a per-object test."""
    roles = user_roles(user)
    if roles & {LEAD, OPERATIONS}:
        return None
    on_team = Exists(AccountTeamMember.objects.filter(account=OuterRef("pk"), user_id=user.pk))
    q = Q(kam_id=user.pk) | Q(sponsor_id=user.pk) | Q(on_team)
    if SPONSOR in roles:
        q |= Q(tier=Tier.KEY)
    return q


def accounts_visible_to(user, *, include_archived: bool = False) -> QuerySet[Account]:
    qs = Account.objects.select_related("kam", "sponsor")
    if not include_archived:
        qs = qs.active()
    if not user.is_authenticated:
        return qs.none()
    q = account_visibility_q(user)
    return qs if q is None else qs.filter(q)


def account_get_for_user(user, pk) -> Account:
    """The account if `user` may see it, else 404 (archived accounts stay reachable by their page)."""
    return get_object_or_404(accounts_visible_to(user, include_archived=True).select_related("parent"), pk=pk)
