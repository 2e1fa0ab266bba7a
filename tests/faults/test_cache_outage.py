"""The cache backend treats a Redis outage as misses (kam/cache.py), and the rate limiter opens."""

import time

import pytest
from django.core.cache import caches

from kam.ratelimit import RateLimit
from tests.faults.conftest import cache_settings

# Nothing listens on port 1: every connection is refused at once.
DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = cache_settings(DEAD)
    return caches["default"]


def test_every_cache_operation_degrades_to_a_miss(dead_cache):
    started = time.monotonic()
    assert dead_cache.get("k") is None
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.has_key("k") is False
    assert dead_cache.add("k", 1) is False
    dead_cache.set("k", 1)
    dead_cache.set_many({"a": 1})
    dead_cache.delete("k")
    dead_cache.delete_many(["a"])
    assert dead_cache.incr("n") == 0
    assert dead_cache.get_or_set("k", lambda: "computed") == "computed"
    dead_cache.clear()
    # Refused connections fail at once; a page must not wait on a dead cache.
    assert time.monotonic() - started < 5


def test_rate_limiter_opens_when_the_cache_is_down(dead_cache):
    limiter = RateLimit("outage", limit=1, window=60)
    for _ in range(5):
        limiter.hit("k")
    assert not limiter.exceeded("k")


def test_the_same_backend_works_normally_when_redis_is_up(private_redis, settings):
    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    cache = caches["default"]
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}
    assert cache.add("n", 1) and cache.incr("n") == 2
    limiter = RateLimit("up", limit=2, window=60)
    limiter.hit("x")
    limiter.hit("x")
    assert limiter.exceeded("x")


def test_a_hung_cache_costs_one_timeout_then_is_skipped_for_a_while(private_redis, settings, monkeypatch):
    """Hung (SIGSTOP), Redis accepts connections and never answers: each operation would wait for the
    socket timeout, several times per page. After one timeout the cache is left alone for a few seconds."""
    from kam import cache as fail_soft

    settings.CACHES = cache_settings(f"{private_redis.url}/1")
    cache = caches["default"]
    cache.set("k", 1, 30)
    private_redis.pause()
    try:
        started = time.monotonic()
        assert cache.get("k") is None  # the one timeout (1 s)
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            assert cache.get("k") is None
            cache.set("k", 2, 30)
        rest = time.monotonic() - started
        assert 0.5 < first < 3 and rest < 0.2
        # After the pause the cache is tried again (and times out again while still hung).
        monkeypatch.setattr(fail_soft, "RETRY_AFTER", 0.0)
        fail_soft._down_until.clear()
        started = time.monotonic()
        assert cache.get("k") is None
        assert time.monotonic() - started > 0.5
    finally:
        private_redis.resume()
        fail_soft._down_until.clear()
    assert cache.get("k") == 1
