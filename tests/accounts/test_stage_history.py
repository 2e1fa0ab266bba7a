"""The relationship-stage history tells one story: in date order, every change starts from the stage the
one before it reached, and the account's stage is where the latest one arrived. A change dated before
the latest is inserted in its place."""

import datetime

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import Account, RelationshipStageChange
from kam.errors import Invalid
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def history(account):
    return [(r.changed_on, r.from_stage, r.to_stage)
            for r in RelationshipStageChange.objects.filter(account=account).order_by("changed_on", "pk")]


def assert_one_story(account):
    rows = history(account)
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row[1] == previous[2], rows
    account.refresh_from_db()
    assert account.relationship_stage == rows[-1][2]


@pytest.fixture
def account(personas):
    """Recorded 100 days ago as exploratory, cooperative since 10 days ago."""
    a = personas.account
    RelationshipStageChange.objects.create(account=a, from_stage="", to_stage="exploratory", changed_on=ago(100))
    services.stage_change(actor=personas.kam, account=a, to_stage="cooperative", changed_on=ago(10))
    return a


def test_a_backdated_change_is_inserted_in_date_order_and_the_next_change_relinked(personas, account):
    services.stage_change(actor=personas.kam, account=account, to_stage="basic", changed_on=ago(30))
    assert history(account) == [(ago(100), "", "exploratory"), (ago(30), "exploratory", "basic"),
                                (ago(10), "basic", "cooperative")]
    assert_one_story(account)
    assert Account.objects.get(pk=account.pk).relationship_stage == "cooperative"  # still the latest


def test_a_change_dated_on_or_after_the_latest_moves_the_current_stage(personas, account):
    services.stage_change(actor=personas.kam, account=account, to_stage="interdependent", changed_on=ago(10))
    services.stage_change(actor=personas.kam, account=account, to_stage="integrated", changed_on=TODAY)
    assert_one_story(account)
    assert Account.objects.get(pk=account.pk).relationship_stage == "integrated"


@pytest.mark.parametrize("to_stage, day, field, message", [
    ("exploratory", 50, "to_stage", "already at that stage"),       # the stage in force on that day
    ("cooperative", 50, "to_stage", "moved to Cooperative"),        # the next change already goes there
    ("basic", 200, "changed_on", "history starts on"),              # before the account was recorded
])
def test_a_backdated_change_that_would_contradict_the_history_is_refused(personas, account, to_stage, day,
                                                                          field, message):
    before = history(account)
    with pytest.raises(Invalid) as caught:
        services.stage_change(actor=personas.kam, account=account, to_stage=to_stage, changed_on=ago(day))
    assert message in " ".join(caught.value.errors[field])
    assert history(account) == before


def test_several_backdated_changes_in_any_order_keep_one_story(personas, account):
    for stage, day in (("interdependent", 5), ("basic", 60), ("disintegrating", 40), ("integrated", 20)):
        services.stage_change(actor=personas.kam, account=account, to_stage=stage, changed_on=ago(day))
        assert_one_story(account)
    assert [row[2] for row in history(account)] == [
        "exploratory", "basic", "disintegrating", "integrated", "cooperative", "interdependent"]


def test_the_form_shows_a_refused_backdating_on_its_field(personas, account):
    response = client_for(personas.kam).post(f"/accounts/{account.pk}/stage/", {
        "to_stage": "cooperative", "changed_on": ago(50).isoformat()})
    assert response.status_code == 200 and "moved to Cooperative" in response.content.decode()
