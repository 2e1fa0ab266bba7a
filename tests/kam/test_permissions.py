"""The README's "Who owns what" table as object permissions, for every persona on one key account
(`personas.account`: KAM `kam`, sponsor `sponsor`, `teammate` on its team) and on another KAM's
standard account."""

import pytest

from kam.roles import KAM
from tests.factories import TeamMemberFactory, UserFactory, department

pytestmark = pytest.mark.django_db

Y, N = True, False
PERSONAS = ("kam", "teammate", "sponsor", "operator", "lead", "outsider", "other_kam")

# perm: expected on the key account, per persona in PERSONAS order
ON_KEY_ACCOUNT = {
    "accounts.view_account":          (Y, Y, Y, Y, Y, N, N),
    "accounts.change_account":        (Y, N, N, N, Y, N, N),
    "accounts.manage_programme":      (N, N, N, N, Y, N, N),
    "planning.view_plan":             (Y, Y, Y, N, Y, N, N),
    "planning.change_plan":           (Y, N, N, N, Y, N, N),
    "touchpoints.log_touchpoint":     (Y, Y, Y, Y, Y, N, N),
    "touchpoints.work_incident":      (Y, Y, N, Y, Y, N, N),
    "touchpoints.log_sponsor_visit":  (N, N, Y, N, Y, N, N),
}


@pytest.mark.parametrize("perm", sorted(ON_KEY_ACCOUNT))
def test_permissions_on_a_key_account(personas, perm):
    got = tuple(getattr(personas, p).has_perm(perm, personas.account) for p in PERSONAS)
    assert got == ON_KEY_ACCOUNT[perm], dict(zip(PERSONAS, got, strict=True))


def test_sponsors_see_every_key_account_but_not_other_tiers(personas):
    # `other_account` is a standard account with another KAM and no sponsor.
    assert not personas.sponsor.has_perm("accounts.view_account", personas.other_account)
    assert not personas.sponsor.has_perm("planning.view_plan", personas.other_account)
    personas.other_account.tier = "key"
    assert personas.sponsor.has_perm("accounts.view_account", personas.other_account)
    assert personas.sponsor.has_perm("planning.view_plan", personas.other_account)
    # Seeing is not editing, nor logging a visit for another sponsor's account.
    assert not personas.sponsor.has_perm("planning.change_plan", personas.other_account)
    assert not personas.sponsor.has_perm("touchpoints.log_sponsor_visit", personas.other_account)


def test_operations_work_incidents_everywhere_but_never_read_plans(personas):
    for account in (personas.account, personas.other_account):
        assert personas.operator.has_perm("touchpoints.work_incident", account)
        assert personas.operator.has_perm("accounts.view_account", account)
        assert not personas.operator.has_perm("planning.view_plan", account)


def test_a_kam_on_another_kams_team_may_edit_that_account(personas):
    assert not personas.other_kam.has_perm("accounts.change_account", personas.account)
    TeamMemberFactory(account=personas.account, user=personas.other_kam, department=department("sales"))
    personas.account.__dict__.pop("_team_member_cache", None)
    assert personas.other_kam.has_perm("accounts.change_account", personas.account)
    assert personas.other_kam.has_perm("planning.change_plan", personas.account)


def test_a_team_member_without_the_kam_role_may_not_edit_the_plan(personas):
    assert personas.teammate.has_perm("planning.view_plan", personas.account)
    assert not personas.teammate.has_perm("planning.change_plan", personas.account)


def test_anonymous_users_have_no_permissions(personas):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not any(anonymous.has_perm(perm, personas.account) for perm in ON_KEY_ACCOUNT)


def test_team_membership_is_asked_once_per_account_object(personas, django_assert_num_queries):
    member = UserFactory(username="miembro", roles=[KAM])
    TeamMemberFactory(account=personas.account, user=member)
    account = type(personas.account).objects.get(pk=personas.account.pk)
    member = type(member).objects.get(pk=member.pk)
    member.has_perm("accounts.view_account", account)  # roles and membership, once
    with django_assert_num_queries(0):
        for perm in ON_KEY_ACCOUNT:
            member.has_perm(perm, account)
