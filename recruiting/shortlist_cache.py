"""The shortlist page cache: a vacancy's ranked page of match scores, as the REST API sends it, kept in the shared
cache until anything it shows changes.

A page of 50 explained match scores is ~270 KB of JSON that PostgreSQL assembles from ~5,000 stored rows of the
vacancy (rank, counts, explanations) on every request; the data changes only when scores, candidates or
vacancies are written.  So a page is cached under the **generation** of that data: a random token replaced
after every transaction that wrote a match score, a candidate or a vacancy commits.  A page is stored with the
token read before it was built and served only while that token is current; it expires after
``SHORTLIST_PAGE_CACHE_SECONDS``.

Why no page outlives a write: a writer replaces the token right *after* its commit (in the same process, before
its task or request returns), a reader reads the token *before* its page query.  A reader that read the old token
may have seen the data before or after the commit; either way its page carries the old token, which the writer
replaces.  A reader that read the new token queries after the commit and sees it.  So a page built before a write
is served at most until the writer's replacement, milliseconds after its commit.

What replaces the token (the one home of that rule: ``model_written`` and ``SHOWN_FIELDS``): every write of what a
page shows through ``ShortlistDataQuerySet`` (``update``, ``delete``, ``bulk_create``, ``bulk_update`` of match
scores, candidates, vacancies), a saved or deleted candidate, vacancy or match score (``recruiting.signals``; a
candidate's or vacancy's delete cascades to its scores), the bulk writers that bypass the ORM
(``matching.storage``, ``matching.bulk_rows``) and ``migrate``.  A candidate's profile or a new candidate does not.
A write outside all of these (SQL typed into ``psql``) shows after at most ``SHORTLIST_PAGE_CACHE_SECONDS``.

The cache must be one for every process (Redis): a worker's write must reach the web's cache.  With the
local-memory cache (the embedded set-up without Redis) the page cache is off unless the setting asks for it.
Pages are stored LZ4-compressed (≈ 12× smaller) so the broker's Redis does not fill with them; LZ4 rather than
zlib because a cached read decompresses: 0.02 ms for a 50-row page against zlib's 0.37 ms.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from lz4 import block as lz4_block

logger = logging.getLogger(__name__)

_GENERATION_KEY = "shortlist:generation"
_PAGE_KEY = "shortlist:page:lz4:{digest}"  # the codec in the key: no older deploy's zlib page is read
#: What a shortlist page shows of each model (``app_label.model_name`` → field names; ``None``: every field), as
#: ``recruiting.api.ranked``'s page SQL selects it (tests/api/test_shortlist_page_cache.py holds them equal).  A
#: write of these replaces the generation; a candidate's or vacancy's other fields (its profile, ``updated_at``)
#: and new candidates and vacancies (on no page until scored) do not.
SHOWN_FIELDS: dict[str, frozenset[str] | None] = {
    "matching.matchscore": None,
    "recruiting.candidate": frozenset({"name", "reference"}),
    "recruiting.vacancy": frozenset({"title", "reference", "status"}),
}
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
    if page_cache_seconds() <= 0:
        return
    connection = transaction.get_connection(using)
    # Once per transaction: a save writes a candidate, its profile and its scores, each through a hook.  A
    # callback already queued runs at the same commit, or is dropped with the savepoint that queued it, which
    # then also undoes every write made after it inside (``run_on_commit``: Django's list of queued callbacks).
    if connection.in_atomic_block and any(f is _replace_generation for _, f, _ in connection.run_on_commit):
        return
    transaction.on_commit(_replace_generation, using=using)


def model_written(
    model: type[models.Model],
    using: str | None = None,
    *,
    fields: Iterable[str] | None = None,
    created: bool = False,
) -> None:
    """``shortlist_data_changed`` when rows of ``model`` were written that a shortlist page may show
    (``SHOWN_FIELDS``): any match score; a candidate's or vacancy's shown ``fields`` (all when ``None``: a whole
    save, a delete) — not rows just ``created`` (no page shows a candidate or vacancy before it is scored)."""
    label = model._meta.label_lower
    if label not in SHOWN_FIELDS:
        return
    shown = SHOWN_FIELDS[label]
    if shown is not None:
        if created:
            return
        if fields is not None and not shown.intersection(fields):
            return
    shortlist_data_changed(using)


def current_generation() -> str | None:
    """The current generation token; a new one when none is stored (a flushed or restarted cache); None when the
    cache does not answer."""
    try:
        token = cache.get(_GENERATION_KEY)
        if token is None:
            cache.add(_GENERATION_KEY, secrets.token_hex(8), timeout=None)
            token = cache.get(_GENERATION_KEY)
    except Exception:
        logger.warning("Shortlist cache generation unreadable", exc_info=True)
        return None
    return None if token is None else str(token)


@dataclass(frozen=True)
class PageLookup:
    """What ``page_lookup`` found: ``body``, the cached page's bytes (None on a miss); ``key`` and ``generation``
    to store a page built now with ``page_store`` (both None when the cache is off or does not answer)."""

    body: bytes | None = None
    key: str | None = None
    generation: str | None = None


def page_lookup(*parts: str) -> PageLookup:
    """The page named by ``parts`` (its absolute URI, the page format's version), read with the current
    generation in one round trip.  A page is stored with the generation read *before* its query, so it is served
    only while that generation is still current.  The key is a SHA-256 of ``parts``: no personal data in a key."""
    if page_cache_seconds() <= 0:
        return PageLookup()
    key = _PAGE_KEY.format(digest=hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest())
    try:
        found = cache.get_many([_GENERATION_KEY, key])
    except Exception:
        logger.warning("Shortlist page cache read failed", exc_info=True)
        return PageLookup()
    generation = found.get(_GENERATION_KEY)
    if generation is None:
        generation = current_generation()
        return PageLookup(key=key, generation=generation) if generation is not None else PageLookup()
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return PageLookup(body=lz4_block.decompress(stored[1]), key=key, generation=generation)
    return PageLookup(key=key, generation=generation)


def page_store(lookup: PageLookup, body: bytes) -> None:
    """Cache ``body`` where ``lookup`` (the ``page_lookup`` made before building it) says, with the generation it
    read, for ``SHORTLIST_PAGE_CACHE_SECONDS``; not when the cache is off, nor larger than ``PAGE_MAX_BYTES``.  A
    cache that does not answer is logged and ignored."""
    if lookup.key is None or lookup.generation is None or len(body) > PAGE_MAX_BYTES:
        return
    try:
        cache.set(lookup.key, (lookup.generation, lz4_block.compress(body)), timeout=page_cache_seconds())
    except Exception:
        logger.warning("Shortlist page cache write failed", exc_info=True)


class ShortlistDataQuerySet(models.QuerySet):
    """The manager's queryset of the models a shortlist page shows: its bulk writes replace the generation
    (``model_written``) after they run.  Single saves and deletes are ``recruiting.signals``' part."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        model_written(self.model, self.db, fields=kwargs)
        return rows

    update.alters_data = True

    def delete(self):
        result = super().delete()
        model_written(self.model, self.db)
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if kwargs.get("update_conflicts"):  # an upsert: existing rows take ``update_fields``
            model_written(self.model, self.db, fields=kwargs.get("update_fields") or ())
        else:
            model_written(self.model, self.db, created=True)
        return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        model_written(self.model, self.db, fields=fields)
        return rows

    bulk_update.alters_data = True
