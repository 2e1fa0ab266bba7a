"""Guessing share-link tokens: each guess looks exactly like an expired or withdrawn link (nothing
tells a near miss from a far one), and guessing from one address is soon rate-limited."""

import datetime
import secrets

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(personas):
    try:
        reverse("planning:share", kwargs={"token": "x"})
    except NoReverseMatch:
        pytest.skip("planning not installed")
    from tests.planning.factories import PlanFactory, share_link

    plan = PlanFactory(account=personas.account)
    link, token = share_link(personas.kam, plan)
    return plan, link, token


def _get(client, token, addr):
    return client.get(reverse("planning:share", kwargs={"token": token}), REMOTE_ADDR=addr)


def _visible_text(response):
    # The CSRF token differs per response, and the language switcher echoes the requested path;
    # everything else must be the same.
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|name="next" type="hidden" '
                  r'value="[^"]*"', "", response.content.decode())


def test_wrong_expired_and_revoked_tokens_are_indistinguishable(client, personas, shared):
    from planning import services

    plan, link, token = shared
    assert _get(client, token, "10.1.0.1").status_code == 200

    wrong = _get(client, secrets.token_urlsafe(32), "10.1.0.2")
    near_miss = _get(client, token[:-1] + ("A" if token[-1] != "A" else "B"), "10.1.0.3")
    truncated = _get(client, token[:10], "10.1.0.4")
    huge = _get(client, "x" * 5000, "10.1.0.5")

    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.save(update_fields=["expires_at"])
    expired = _get(client, token, "10.1.0.6")
    link.expires_at = timezone.now() + datetime.timedelta(days=30)
    link.save(update_fields=["expires_at"])
    services.share_link_revoke(actor=personas.kam, link=link)
    revoked = _get(client, token, "10.1.0.7")

    responses = [wrong, near_miss, truncated, huge, expired, revoked]
    assert {r.status_code for r in responses} == {404}
    assert len({_visible_text(r) for r in responses}) == 1
    body = _visible_text(wrong)
    assert plan.account.name not in body and personas.kam.get_full_name() not in body


def test_guessing_from_one_address_is_rate_limited(client, shared):
    _plan, _link, token = shared
    statuses = [_get(client, secrets.token_urlsafe(32), "10.2.0.1").status_code for _ in range(60)]
    assert statuses[0] == 404
    assert 429 in statuses, "60 guesses a minute from one address were never slowed down"
    first_refusal = statuses.index(429)
    assert all(s == 429 for s in statuses[first_refusal:])
    # Once limited, even the right token is refused from that address: guessing cannot confirm a hit.
    limited = _get(client, token, "10.2.0.1")
    assert limited.status_code == 429
    assert _plan.account.name not in limited.content.decode()
    # Another address (the client opening their link) is not affected.
    assert _get(client, token, "10.2.0.2").status_code == 200

