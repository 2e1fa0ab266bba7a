"""Writes on calendar feeds: a person makes and revokes their own address, nobody else's."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.errors import Forbidden
from kam.tokens import token_new

from .models import CalendarFeed


@transaction.atomic
def calendar_feed_create(*, actor, user) -> tuple[CalendarFeed, str]:
    """A new address for `user`, revoking the one they had. Returns the feed and its token: the token
    is not stored and cannot be shown again."""
    if actor.pk != user.pk:
        raise Forbidden(_("Only its owner may make a calendar address."))
    for old in CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        old.revoked_at = timezone.now()
        old.save(update_fields=["revoked_at"])
    token, hashed = token_new()
    return CalendarFeed.objects.create(user=user, token_hash=hashed), token


@transaction.atomic
def calendar_feed_revoke(*, actor, feed: CalendarFeed) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if actor.pk != feed.user_id:
        raise Forbidden(_("Only its owner may revoke a calendar address."))
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
