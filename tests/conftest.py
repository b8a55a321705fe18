"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _fresh_match_bands():
    """The match bands are cached (recruiting.selectors.match_bands); each test reads them from its own scores."""
    from django.core.cache import cache

    from recruiting.selectors import BANDS_CACHE_KEY

    cache.delete(BANDS_CACHE_KEY)
    yield
    cache.delete(BANDS_CACHE_KEY)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder of real data.  Skips where absent, but fails under ``CI=true``."""
    if not (SHARED_DIR / "data").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the real data folder {SHARED_DIR} is missing")
        pytest.skip(f"real data folder {SHARED_DIR} is absent (a fresh clone without ../shared)")
    return SHARED_DIR


def ensure_vocabulary() -> None:
    """Reload the project's skill vocabulary when an earlier transactional test flushed it.

    Transactional tests flush every table when they end; ``serialized_rollback`` restores migration data, but not
    after a test that ran Playwright's event loop, so tests that need the vocabulary call this first.
    """
    from matching.models import Skill
    from matching.vocabulary import load_project_vocabulary

    if Skill.objects.exists():
        return
    Skill.objects.bulk_create(
        [
            Skill(
                name=e.name,
                aliases=list(e.aliases),
                category=e.category,
                ambiguous=e.ambiguous,
                broader=list(e.broader),
                source="project",
            )
            for e in load_project_vocabulary()
        ]
    )
