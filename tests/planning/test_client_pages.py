"""The client's page never shows what is ours: every state (before the code, a wrong code, verified,
changes requested, accepted, expired, revoked) for every combination of hidden sections, on the demo
plans. A later client document joins by yielding (state, hidden, text) to `assert_no_internal_values`."""

import os

import pytest
from django.core.management import call_command

from planning.models import AccountPlan, PlanStatus
from tests.planning.client_pages import (
    ALL_HIDDEN_COMBINATIONS,
    STATES,
    assert_no_internal_values,
    client_pages,
    client_pdfs,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, seeded once for the module and rolled back afterwards."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), open(os.devnull, "w") as quiet:
        with transaction.atomic():
            call_command("seed_demo", stdout=quiet)
            yield
            transaction.set_rollback(True)


def _demo_plan(status):
    plan = (AccountPlan.objects.filter(status=status, account__contacts__email__gt="")
            .select_related("account__kam").order_by("pk").first())
    assert plan is not None, f"the demo has no {status} plan with a contact to share it with"
    contact = plan.account.contacts.exclude(email="").filter(left_at__isnull=True).order_by("pk").first()
    return plan, contact


@pytest.mark.parametrize("status", [PlanStatus.COMMITTED, PlanStatus.AGREED, PlanStatus.IN_REVIEW])
def test_no_internal_value_reaches_the_client(demo, status, mailoutbox):
    plan, contact = _demo_plan(status)
    states = set()

    def pages():
        for state, hidden, html in client_pages(plan, plan.account.kam, contact):
            states.add(state)
            yield state, hidden, html

    seen = assert_no_internal_values(plan, pages())
    expected = set(STATES) if status == PlanStatus.COMMITTED else set(STATES) - {"changes_requested", "accepted"}
    if status == PlanStatus.AGREED:
        expected.add("accepted")
    assert states == expected
    assert seen == len(expected) * len(ALL_HIDDEN_COMBINATIONS)


@pytest.mark.parametrize("status", [PlanStatus.COMMITTED, PlanStatus.AGREED, PlanStatus.IN_REVIEW])
def test_no_internal_value_reaches_the_client_pdf(demo, status, mailoutbox):
    plan, contact = _demo_plan(status)
    assert assert_no_internal_values(plan, client_pdfs(plan, plan.account.kam, contact)) == len(ALL_HIDDEN_COMBINATIONS)
