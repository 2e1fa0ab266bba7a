"""The rules several apps share, each defined once (kam.people, kam.tones, kam.validators, accounts.health)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone

from accounts.health import health_band, health_band_q
from accounts.models import Account
from kam.errors import Invalid
from kam.people import person_label
from kam.tones import badge_class
from kam.validators import not_in_future, require_not_in_future
from tests.factories import AccountFactory, UserFactory


@pytest.mark.django_db
def test_a_person_is_their_full_name_else_their_username_everywhere():
    named = UserFactory(username="ana.garcia", first_name="Ana", last_name="García")
    unnamed = UserFactory(username="svc.erp", first_name="", last_name="")
    assert (person_label(named), person_label(unnamed), person_label(None)) == ("Ana García", "svc.erp", "")
    rendered = Template("{% load kam_tags %}{{ a|person }}/{{ b|person }}/{{ c|person|default:'–' }}").render(
        Context({"a": named, "b": unnamed, "c": None}))
    assert rendered == "Ana García/svc.erp/–"


def test_a_status_has_one_colour_and_unknown_ones_a_neutral_one():
    assert badge_class("severity", "critical") == "text-bg-danger"
    assert badge_class("severity", "low") == "text-bg-light border"
    assert badge_class("health", health_band(70)) == "text-bg-success"
    assert badge_class("activity", "touchpoint") == "text-bg-secondary"
    assert Template("{% load kam_tags %}{{ s|tone:'plan' }}").render(Context({"s": "agreed"})) == "text-bg-success"


@pytest.mark.django_db
def test_health_bands_are_the_same_for_the_badge_and_the_filter():
    scores = {70: "good", 69: "watch", 40: "watch", 39: "poor", None: ""}
    accounts = {score: AccountFactory(health_score=score) for score in scores}
    for score, band in scores.items():
        assert health_band(score) == band
        if band:
            assert accounts[score] in Account.objects.filter(health_band_q(band))
    assert list(Account.objects.filter(health_band_q("unknown"))) == [accounts[None]]


def test_today_is_not_the_future_tomorrow_is():
    today = timezone.localdate()
    not_in_future(today)
    with pytest.raises(ValidationError):
        not_in_future(today + datetime.timedelta(days=1))
    with pytest.raises(Invalid) as refused:
        require_not_in_future("held_on", today + datetime.timedelta(days=1), "Not yet held.")
    assert refused.value.errors == {"held_on": ["Not yet held."]}
