"""Django's Redis cache, made to degrade instead of failing when Redis is away.

Everything the site keeps in the cache can be recomputed (dashboard parts, rate-limit counters), so a
Redis outage must cost speed, not pages: a read is a miss, a write is dropped, and the error is logged.
Django's own RedisCache raises instead, which would turn every cached page into a server error.
"""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# After a failure the cache is not tried again for this many seconds (per process and server). A Redis
# that is hung rather than down accepts connections and never answers: each operation would wait for the
# socket timeout, and a page makes several, so without this every page would take seconds.
RETRY_AFTER = 5.0
_down_until: dict[tuple, float] = {}


def _fail_soft(default):
    def decorator(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            servers = tuple(self._servers)
            if _down_until.get(servers, 0) > time.monotonic():
                return default(*args, **kwargs) if callable(default) else default
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                _down_until[servers] = time.monotonic() + RETRY_AFTER
                log.warning("cache unavailable, %s skipped and the cache left alone for %.0f s: %s",
                            method.__name__, RETRY_AFTER, exc)
                return default(*args, **kwargs) if callable(default) else default

        return wrapper

    return decorator


def _get_default(key, default=None, *args, **kwargs):
    return default


class FailSoftRedisCache(RedisCache):
    get = _fail_soft(_get_default)(RedisCache.get)
    get_many = _fail_soft({})(RedisCache.get_many)
    has_key = _fail_soft(False)(RedisCache.has_key)
    set = _fail_soft(None)(RedisCache.set)
    set_many = _fail_soft(lambda *a, **k: [])(RedisCache.set_many)
    # add() reports "not added": a rate limiter then counts nothing rather than failing the request.
    add = _fail_soft(False)(RedisCache.add)
    touch = _fail_soft(False)(RedisCache.touch)
    delete = _fail_soft(False)(RedisCache.delete)
    delete_many = _fail_soft(None)(RedisCache.delete_many)
    clear = _fail_soft(False)(RedisCache.clear)
    # An unknown count reads as zero (see kam/ratelimit.py: limits open while the cache is down).
    incr = _fail_soft(0)(RedisCache.incr)
    decr = _fail_soft(0)(RedisCache.decr)
