"""Reads for calendar feeds: the token's feed, and a person's active address."""

import hashlib

from .models import CalendarFeed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_resolve(token: str) -> CalendarFeed | None:
    """The working feed for `token`, or None for unknown and revoked alike (the caller answers 404 to
    both: nothing tells them apart)."""
    return (CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(token),
                                                               revoked_at__isnull=True,
                                                               user__is_active=True).first())


def active_feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
