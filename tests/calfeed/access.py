"""Everyone signed in has their own calendar address page and makes and revokes their own address; the
feed itself is opened with its token, without a session (calendar apps have none)."""

from tests.access import NOT_ALLOWED, OK, POST_PERSONAS, Case, expect, may_post


def build(world):
    from calfeed.services import calendar_feed_create

    world.calendar_feed, world.calendar_token = calendar_feed_create(actor=world.kam, user=world.kam)


def _everyone_has_an_address(w):
    from calfeed.services import calendar_feed_create
    for persona in SIGNED_IN:
        user = getattr(w, persona)
        if user is not None:
            calendar_feed_create(actor=user, user=user)
    return {}


SIGNED_IN = tuple(p for p in POST_PERSONAS if p != "anonymous")

CASES = {
    "calfeed:settings": Case(expect(OK), post=lambda w: {}, post_expected=may_post(*SIGNED_IN, status=OK)),
    "calfeed:revoke": Case(expect(NOT_ALLOWED), post=_everyone_has_an_address,
                           post_expected=may_post(*SIGNED_IN)),
    # The token is the credential: the same feed whoever asks, signed in or not.
    "calfeed:feed": Case(expect(OK, anonymous=OK), kwargs=lambda w: {"token": w.calendar_token}),
}
