"""The shortlist page cache: a vacancy's ranked page of match scores, as the REST API sends it, kept in the shared
cache until anything it shows changes.

A page of 50 explained match scores is ~270 KB of JSON that PostgreSQL assembles from ~5,000 stored rows of the
vacancy (rank, counts, explanations) on every request; the data changes only when scores, candidates or
vacancies are written.  So a page is cached under the **generation** of that data: a random token replaced
after every transaction that wrote a match score, a candidate or a vacancy commits.  A page stored under an old
token is never read again; it expires after ``SHORTLIST_PAGE_CACHE_SECONDS``.

Why this is never stale: a writer replaces the token *after* its commit, a reader reads the token *before* its
page query.  A reader that read the old token may have seen the data before or after the commit; either way it
stores under the old token, which is already dead or dies with the writer's replacement.  A reader that read the
new token runs its query after the commit and sees it.

What replaces the token (the one home of that rule): every write through ``ShortlistDataQuerySet`` (``update``,
``delete``, ``bulk_create``, ``bulk_update`` of match scores, candidates, vacancies), a saved or deleted
candidate, vacancy or match score (``recruiting.signals``; a candidate's or vacancy's delete cascades to its
scores), the bulk writers that bypass the ORM (``matching.storage``, ``matching.bulk_rows``) and ``migrate``.
A write outside all of these (SQL typed into ``psql``) shows after at most ``SHORTLIST_PAGE_CACHE_SECONDS``.

The cache must be one for every process (Redis): a worker's write must reach the web's cache.  With the
local-memory cache (the embedded set-up without Redis) the page cache is off unless the setting asks for it.
Pages are stored zlib-compressed (≈ 8× smaller) so the broker's Redis does not fill with them.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import zlib

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction

logger = logging.getLogger(__name__)

_GENERATION_KEY = "shortlist:generation"
_PAGE_KEY = "shortlist:page:{generation}:{digest}"
#: Models whose rows a shortlist page shows (``app_label.model_name``): their writes replace the generation.
SHORTLIST_MODELS = frozenset({"matching.matchscore", "recruiting.candidate", "recruiting.vacancy"})
#: Pages larger than this (uncompressed bytes) are not cached: ``?limit=500`` pages are rare and large.
PAGE_MAX_BYTES = 2_000_000


def page_cache_seconds() -> int:
    """How long a cached page lives, in seconds (``SHORTLIST_PAGE_CACHE_SECONDS``); 0 when the cache is off."""
    return int(getattr(settings, "SHORTLIST_PAGE_CACHE_SECONDS", 0))


def _replace_generation() -> None:
    try:
        cache.set(_GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # a cache outage must not fail a committed write; pages then expire by their timeout
        logger.warning("Could not replace the shortlist cache generation", exc_info=True)


def shortlist_data_changed(using: str | None = None) -> None:
    """Replace the shortlist generation once the current transaction on ``using`` commits (at once outside one),
    so no page cached before the write is served again.  Call it after a write the ORM hooks do not see (raw
    SQL, COPY).  Nothing to do when the page cache is off."""
    if page_cache_seconds() > 0:
        transaction.on_commit(_replace_generation, using=using)


def model_written(model: type[models.Model], using: str | None = None) -> None:
    """``shortlist_data_changed`` when ``model`` is one a shortlist page shows (``SHORTLIST_MODELS``)."""
    if model._meta.label_lower in SHORTLIST_MODELS:
        shortlist_data_changed(using)


def current_generation() -> str | None:
    """The current generation token; a new one when none is stored (a flushed or restarted cache); None when the
    cache does not answer (the page is then built from the database and not cached)."""
    try:
        token = cache.get(_GENERATION_KEY)
        if token is None:
            cache.add(_GENERATION_KEY, secrets.token_hex(8), timeout=None)
            token = cache.get(_GENERATION_KEY)
    except Exception:
        logger.warning("Shortlist cache generation unreadable", exc_info=True)
        return None
    return None if token is None else str(token)


def page_key(generation: str, *parts: str) -> str:
    """The cache key of a page: the generation and a SHA-256 of ``parts`` (the page's absolute URI, the page
    format's version) — no personal data in a key."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return _PAGE_KEY.format(generation=generation, digest=digest)


def page_get(key: str) -> bytes | None:
    """The cached page's bytes under ``key``, or None (not cached, or the cache does not answer)."""
    try:
        packed = cache.get(key)
    except Exception:
        logger.warning("Shortlist page cache read failed", exc_info=True)
        return None
    return None if packed is None else zlib.decompress(packed)


def page_set(key: str, body: bytes) -> None:
    """Cache ``body`` under ``key`` for ``SHORTLIST_PAGE_CACHE_SECONDS`` (not when larger than
    ``PAGE_MAX_BYTES``); a cache that does not answer is logged and ignored."""
    if len(body) > PAGE_MAX_BYTES:
        return
    try:
        cache.set(key, zlib.compress(body, 1), timeout=page_cache_seconds())
    except Exception:
        logger.warning("Shortlist page cache write failed", exc_info=True)


class ShortlistDataQuerySet(models.QuerySet):
    """The manager's queryset of the models a shortlist page shows: its bulk writes replace the generation
    (``shortlist_data_changed``) after they run.  Single saves and deletes are ``recruiting.signals``' part."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        shortlist_data_changed(self.db)
        return rows

    update.alters_data = True

    def delete(self):
        result = super().delete()
        shortlist_data_changed(self.db)
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        shortlist_data_changed(self.db)
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        shortlist_data_changed(self.db)
        return rows

    bulk_update.alters_data = True
