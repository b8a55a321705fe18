"""The shared cache's backend (``recruiting.cache.RedisCache``): Django's RedisCache, one Redis client per
connection pool.  Against the Redis of CELERY_BROKER_URL (skipped without it, failed under CI=true)."""

from __future__ import annotations

import os
import uuid

from recruiting.cache import RedisCache
from tests import integration


def test_values_round_trip_and_every_call_shares_one_client():
    cache = RedisCache(integration.broker_url(), {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    try:
        cache.set("a", {"x": [1, 2]}, 30)
        cache.set_many({"b": b"\x00bytes", "c": 3}, 30)
        assert cache.get("a") == {"x": [1, 2]}
        assert cache.get_many(["a", "b", "c", "missing"]) == {"a": {"x": [1, 2]}, "b": b"\x00bytes", "c": 3}
        assert cache.incr("c") == 4
        assert cache._cache.get_client(write=True) is cache._cache.get_client("a")
    finally:
        cache.delete_many(["a", "b", "c"])


def test_a_forked_child_uses_connections_of_its_own():
    """gunicorn and Celery fork after the parent may have used the cache: redis-py's pool starts afresh in the
    child, so the shared client never writes on the parent's socket."""
    cache = RedisCache(integration.broker_url(), {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    cache.set("k", "parent", 30)
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if it reads and writes through the inherited client
        try:
            ok = cache.get("k") == "parent" and cache.set("k", "child", 30) is None
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("k") == "child"
    cache.delete("k")
