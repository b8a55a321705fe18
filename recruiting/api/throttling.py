"""The API's throttles: DRF's anonymous, per-user and per-scope rates, counted atomically in one Redis round trip.

DRF's ``SimpleRateThrottle`` keeps a client's request times as a pickled list in the cache and reads it, trims it
and writes it back: two round trips per request, and a race between them — concurrent requests of one client
read the same history and each writes back its own, so under concurrency the limit lets more through than it
says.  With Redis as the cache (production, ``settings.CACHES``) the history is a sorted set of request times
trimmed, counted and extended by one Lua script, which Redis runs atomically: one round trip, no lost request.
The rule is DRF's own — at most ``num_requests`` in any ``duration`` seconds, a refused request not counted, the
same ``wait()`` (the ``Retry-After`` seconds) — so rates and scopes are unchanged; the history lives under DRF's
key plus ``:log`` (a sorted set, not DRF's pickled list).  With another cache (the local-memory default of one
process) DRF's implementation runs as it is.
"""

from __future__ import annotations

import secrets

from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling

# KEYS[1]: the client's history (a sorted set of request times, in seconds); ARGV: now, duration (s), limit, a
# unique member.  Trims the times at or before now - duration (DRF's rule), then counts; below the limit, adds
# now.  Returns {1 if allowed, the count before this request, the oldest time kept (a string, "" if none)}.
SLIDING_LOG_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local duration = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('EXPIRE', key, math.ceil(duration))
  allowed = 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {allowed, count, oldest[2] or ''}
"""

_scripts: dict = {}  # connection pool -> its registered script


def _script(client):
    """The registered script for ``client``'s connection pool (its SHA-1 computed once per pool)."""
    script = _scripts.get(client.connection_pool)
    if script is None:
        script = _scripts[client.connection_pool] = client.register_script(SLIDING_LOG_SCRIPT)
    return script


class AtomicSimpleRateThrottle(throttling.SimpleRateThrottle):
    """DRF's ``SimpleRateThrottle`` whose ``allow_request`` and ``wait`` run one atomic Redis script when the
    throttle's cache is Redis, and are DRF's own otherwise.  Raises what the Redis client raises when Redis does
    not answer (a 500, as DRF's own cache calls would)."""

    _count: int | None = None  # requests in the window before this one (None: DRF's own path ran)
    _oldest: float = 0.0  # the oldest request time kept, in seconds since the epoch

    def allow_request(self, request, view) -> bool:
        self._count = None
        if self.rate is None or not isinstance(self.cache, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        # A key of its own: DRF's pickled history under ``self.key`` (a process of an older deploy, mid-rollout)
        # would be the wrong type for the script's sorted set.
        redis_key = self.cache.make_and_validate_key(f"{self.key}:log")
        client = self.cache._cache.get_client(redis_key, write=True)
        allowed, count, oldest = _script(client)(
            keys=[redis_key],
            args=[repr(self.now), self.duration, self.num_requests, f"{self.now!r}:{secrets.token_hex(4)}"],
            client=client,
        )
        self._count, self._oldest = int(count), float(oldest) if oldest else self.now
        return bool(allowed)

    def wait(self) -> float | None:
        """Seconds until a refused request may be retried: DRF's formula over the history the script saw."""
        if self._count is None:
            return super().wait()
        remaining = self.duration - (self.now - self._oldest) if self._count else self.duration
        available = self.num_requests - self._count + 1
        return None if available <= 0 else remaining / float(available)


# DRF's classes first, so that the scoped throttle picks its rate before the atomic count runs.
class AnonRateThrottle(throttling.AnonRateThrottle, AtomicSimpleRateThrottle):
    """Anonymous requests, per client address: the ``anon`` rate."""


class UserRateThrottle(throttling.UserRateThrottle, AtomicSimpleRateThrottle):
    """Authenticated requests, per user: the ``user`` rate."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, AtomicSimpleRateThrottle):
    """Requests of views with a ``throttle_scope``, per user (or address): that scope's rate."""
