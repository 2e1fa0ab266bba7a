"""Reads for calendar feeds: the token's feed, and a person's active address."""


from kam.tokens import token_hash

from .models import CalendarFeed


def feed_resolve(token: str) -> CalendarFeed | None:
    """The working feed for `token`, or None for unknown and revoked alike (the caller answers 404 to
    both: nothing tells them apart)."""
    return (CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(token),
                                                               revoked_at__isnull=True,
                                                               user__is_active=True).first())


def active_feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
