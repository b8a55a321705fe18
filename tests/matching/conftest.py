"""Fixtures of the matching tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The stale sweep remembers candidates in flight in the cache; ids are reused between tests."""
    cache.clear()
    yield
    cache.clear()
