"""The API's throttles counted atomically in Redis (``recruiting.api.throttling``): DRF's rule — at most N requests
in any window of the rate's duration, a refused request not counted, the same Retry-After — in one round trip,
and without the race of DRF's read-then-write history, which lets concurrent requests of one client through
beyond the limit.  Against the Redis of CELERY_BROKER_URL (skipped without it, failed under CI=true)."""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling as drf_throttling

from recruiting.api import throttling
from tests import integration


@pytest.fixture
def redis_cache():
    """A Redis cache of its own key prefix, emptied of its keys afterwards."""
    cache = RedisCache(integration.broker_url(), {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{cache.key_prefix}:*"):
        client.delete(key)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def user_throttle(cache, rate: str, clock=None) -> throttling.UserRateThrottle:
    throttle = throttling.UserRateThrottle()
    throttle.cache, throttle.rate = cache, rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    if clock is not None:
        throttle.timer = clock
    return throttle


def request_of(user_id: int):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=user_id), META={})


def test_n_requests_pass_in_a_window_then_the_next_is_refused_until_the_oldest_leaves_it(redis_cache):
    clock = Clock()
    throttle = user_throttle(redis_cache, "3/min", clock)
    allowed = []
    for step in range(4):
        clock.now += 10 * (step > 0)
        allowed.append(throttle.allow_request(request_of(1), None))
    assert allowed == [True, True, True, False]
    # DRF's Retry-After: the oldest request (t=0) leaves the window at t=60; now t=30, one slot to wait for
    assert throttle.wait() == pytest.approx(30.0)
    clock.now += 29  # t=59: still three in the window, and the refusal was not counted
    assert throttle.allow_request(request_of(1), None) is False
    clock.now += 1  # t=60: the first request is out (DRF drops times at or before now - duration)
    assert throttle.allow_request(request_of(1), None) is True
    # another user has a budget of their own
    assert user_throttle(redis_cache, "3/min", clock).allow_request(request_of(2), None) is True


def test_the_retry_after_is_drfs_for_the_same_history(redis_cache):
    from django.core.cache.backends.locmem import LocMemCache

    clock = Clock()
    ours = user_throttle(redis_cache, "5/min", clock)
    theirs = drf_throttling.UserRateThrottle.__new__(drf_throttling.UserRateThrottle)
    theirs.cache = LocMemCache(f"drf-{uuid.uuid4().hex}", {})
    theirs.rate, (theirs.num_requests, theirs.duration), theirs.timer = "5/min", (5, 60), clock
    for gap in (0, 7, 3, 11, 2, 5):
        clock.now += gap
        assert ours.allow_request(request_of(3), None) == theirs.allow_request(request_of(3), None)
    assert ours.wait() == pytest.approx(theirs.wait())


def test_concurrent_requests_of_one_user_never_pass_beyond_the_limit(redis_cache):
    """16 threads, 10 requests each, one user, a limit of 25: exactly 25 pass (DRF's get-then-set lets
    requests that read the same history all pass)."""
    passed, start = [], threading.Barrier(16)

    def client():
        throttle = user_throttle(redis_cache, "25/min")
        start.wait()
        passed.extend(throttle.allow_request(request_of(4), None) for _ in range(10))

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(passed) == 25


def test_the_history_expires_with_its_window_and_keeps_the_cache_prefix(redis_cache):
    throttle = user_throttle(redis_cache, "2/hour")
    assert throttle.allow_request(request_of(5), None)
    client = redis_cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{redis_cache.key_prefix}:*"))
    assert len(keys) == 1 and b"throttle_user_5:log" in keys[0]
    assert 0 < client.ttl(keys[0]) <= 3600


def test_without_redis_drfs_own_throttle_counts(db):
    from django.core.cache.backends.locmem import LocMemCache

    throttle = user_throttle(LocMemCache(f"t-{uuid.uuid4().hex}", {}), "2/min", Clock())
    assert [throttle.allow_request(request_of(6), None) for _ in range(3)] == [True, True, False]
    assert throttle.wait() == pytest.approx(60.0)


def test_a_history_an_older_deploy_left_under_drfs_key_breaks_nothing(redis_cache):
    """Mid-rollout, a process still on DRF's throttle writes a pickled list under the user's key: the script's
    sorted set lives under a key of its own, so neither answers a type error (a 500)."""
    redis_cache.set("throttle_user_7", [1_800_000_000.0], 60)
    throttle = user_throttle(redis_cache, "2/min")
    assert [throttle.allow_request(request_of(7), None) for _ in range(3)] == [True, True, False]
    assert redis_cache.get("throttle_user_7") == [1_800_000_000.0]
