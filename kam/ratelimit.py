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

from django.core.cache import cache

log = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The peer address. X-Forwarded-For is not trusted: anyone can send it, and trusting it would let
    an attacker pick a fresh key for every attempt. Behind a proxy, the proxy sets REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or "unknown"


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
