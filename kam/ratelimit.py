"""A small fixed-window rate limiter kept in the cache, shared by every process of the site.

Used to throttle sign-in failures (per username and address) and guessing of share-link tokens
(per address). The cache is Redis in production, so the count is shared by all gunicorn workers.

A cache outage must not lock people out or break pages: every cache error is logged and the limiter
then lets the request through ("fail open"). Brute force is slowed, not made impossible, during the
outage; refusing every sign-in while Redis is down would be worse.
"""

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from .security import parse_address, parse_networks

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]):
    return parse_networks(entries)


def client_ip(request) -> str:
    """The client's address: what every throttle and every record of "who asked" must use.

    Only a request that comes from a configured proxy (KAM_TRUSTED_PROXIES) has its X-Forwarded-For
    believed, and then only the right-most hop that is not itself one of our proxies: the hops to its
    left are whatever the client sent, and believing them would let anyone pick a fresh address (a
    fresh allowance) for every attempt. Without the setting, behind a proxy, every client would share
    the proxy's address, so one person could lock out everyone.

    Always a valid address or "" (unknown), so that it can be stored in an address column as it is."""
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return ""  # a Unix socket, or a server that does not say: nothing to go on
    remote = str(peer)
    trusted = _trusted_networks(tuple(settings.KAM_TRUSTED_PROXIES))
    if not any(peer in net for net in trusted):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = None
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Our proxy would not write this; something is off, so fall back to what we know.
            return remote
        client = str(address)
        if not any(address in net for net in trusted):
            return client
    # No hop, or every hop is one of our proxies (a client inside the proxies' network).
    return client or remote


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` hits per `window` seconds for one key (e.g. username + address)."""

    name: str
    limit: int
    window: int

    def _key(self, *parts: str) -> str:
        # Hashed so that user input (usernames) never reaches the cache key as-is (length, spaces).
        digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}"

    def count(self, *parts: str) -> int:
        try:
            return int(cache.get(self._key(*parts), 0))
        except Exception as exc:  # any cache backend error: fail open
            log.warning("rate limit %s: cache unavailable, not limiting: %s", self.name, exc)
            return 0

    def exceeded(self, *parts: str) -> bool:
        return self.count(*parts) >= self.limit

    def hit(self, *parts: str) -> int:
        """Count one hit and return the count in the current window (0 when the cache is down)."""
        key = self._key(*parts)
        try:
            # add() starts the window only if the key is absent; incr() is atomic in Redis.
            if cache.add(key, 1, timeout=self.window):
                return 1
            try:
                return cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=self.window)
                return 1
        except Exception as exc:
            log.warning("rate limit %s: cache unavailable, not limiting: %s", self.name, exc)
            return 0

    def reset(self, *parts: str) -> None:
        try:
            cache.delete(self._key(*parts))
        except Exception as exc:
            log.warning("rate limit %s: cache unavailable, could not reset: %s", self.name, exc)

    @property
    def window_minutes(self) -> int:
        return max(1, (self.window + 59) // 60)
