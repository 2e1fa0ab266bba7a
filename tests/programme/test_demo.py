"""The demo tells the review's story: two closed quarters with targets, frozen figures and a decided
proposal each, and the current quarter in draft."""

import os

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from programme.models import Decision, ProgrammeReview, ReviewStatus
from programme.selectors import period_containing

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_reviews_two_quarters_and_drafts_the_current_one():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    reviews = list(ProgrammeReview.objects.order_by("period_start"))
    assert [r.status for r in reviews] == [ReviewStatus.CLOSED, ReviewStatus.CLOSED, ReviewStatus.DRAFT]
    assert reviews[-1].period_start == period_containing(timezone.localdate(), 3)[0]
    for closed in reviews[:2]:
        assert closed.targets["plan_coverage"] and closed.actuals["plan_coverage"]["value"] is not None
        assert closed.actuals["key_accounts"]["value"] not in (None, "0")
        assert [p.decision for p in closed.proposals.all()] in ([Decision.ACCEPTED], [Decision.REJECTED])
        assert closed.changes.exists()
    assert reviews[0].proposals.get().tier_decision is not None
    assert [p.decision for p in reviews[-1].proposals.all()] == [Decision.PROPOSED]
