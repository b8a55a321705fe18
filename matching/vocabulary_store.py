"""The stored skill vocabulary, read once per version and cached per process: the skill extractor, related skills,
categories, and the one reading of a CV's skills (``cv_evidence``).

Reads only (the vocabulary is written by ``import_skills``).  The caches are built under a lock: a gthread web
worker has several threads, and on a cold cache each of them built its own extractor (1.9 s) at once on the same
cores (issue 16, load).  Re-entrant: fitting a model reads the vocabulary.  ``matching.model_store``'s model lock
is always taken before the extractor lock, never after.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence

from matching import evidence as skill_evidence
from matching.extraction import (
    SkillEntry,
    SkillExtractor,
    extract_role_titles,
    role_skills,
    vocabulary_version,
)
from matching.language import detect_language, detect_languages
from matching.models import Skill

_extractors: dict[str, SkillExtractor] = {}
_extractor_lock = threading.RLock()


def vocabulary_entries() -> list[SkillEntry]:
    """The skill vocabulary as stored, ordered by name."""
    return [
        SkillEntry(
            name=s.name,
            category=s.category,
            aliases=tuple(s.aliases or ()),
            ambiguous=s.ambiguous,
            broader=tuple(s.broader or ()),
        )
        for s in Skill.objects.order_by("name").only("name", "category", "aliases", "ambiguous", "broader")
    ]


def current_vocabulary_version() -> str:
    """The version (a content hash) of the stored vocabulary."""
    return vocabulary_version(vocabulary_entries())


_by_digest: dict[str, tuple[SkillExtractor, str]] = {}


def _vocabulary_digest() -> str | None:
    """On PostgreSQL, an MD5 of the stored vocabulary computed by the database (one row back instead of every
    skill), so a worker re-reads the vocabulary only when it changed; ``None`` elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(string_agg(concat_ws(chr(31), name, aliases::text, category, ambiguous::text, "
            f"broader::text), chr(30) ORDER BY name)) FROM {Skill._meta.db_table}"
        )
        return cursor.fetchone()[0] or ""


_held = threading.local()


@contextlib.contextmanager
def vocabulary_held() -> Iterator[None]:
    """Inside the block, ``skill_extractor`` checks the stored vocabulary's digest once, not on every call: for bulk
    work in one transaction (an import chunk extracts a thousand profiles, two digest queries each otherwise).  A
    vocabulary imported meanwhile is seen by the next block.  Nested blocks join the outer one."""
    if getattr(_held, "active", False):
        yield
        return
    _held.active, _held.found = True, None
    try:
        yield
    finally:
        _held.active, _held.found = False, None


def skill_extractor() -> tuple[SkillExtractor, str]:
    """The extractor for the stored vocabulary and that vocabulary's version; built once per version (checked once
    per ``vocabulary_held`` block)."""
    if getattr(_held, "active", False):
        if _held.found is None:
            _held.found = _skill_extractor_checked()
        return _held.found
    return _skill_extractor_checked()


def _skill_extractor_checked() -> tuple[SkillExtractor, str]:
    digest = _vocabulary_digest()
    if digest is not None and digest in _by_digest:
        return _by_digest[digest]
    with _extractor_lock:
        if digest is not None and digest in _by_digest:  # built by another thread meanwhile
            return _by_digest[digest]
        return _skill_extractor_build(digest)


def _skill_extractor_build(digest: str | None) -> tuple[SkillExtractor, str]:
    entries = vocabulary_entries()
    version = vocabulary_version(entries)
    extractor = _extractors.get(version)
    if extractor is None:
        extractor = SkillExtractor(entries)
        _extractors.clear()
        _extractors[version] = extractor
    if digest is not None:
        _by_digest.clear()
        _by_digest[digest] = (extractor, version)
    return extractor, version


def language_of(text: str) -> str:
    """ISO 639-1 code of the language ``text`` is written in, or ``""`` (too short, unreadable); see
    :func:`matching.language.detect_language`."""
    return detect_language(text).code


def languages_of(texts: Sequence[str]) -> list[str]:
    """``language_of`` of each of ``texts``, in order, detected together (:func:`matching.language.detect_languages`:
    the same codes, faster for many texts)."""
    return [guess.code for guess in detect_languages(texts)]


_related: dict[str, dict[str, frozenset[str]]] = {}


def related_skills(vocab_version: str) -> dict[str, frozenset[str]]:
    """Skill → the skills that corroborate it (vocabulary broader, narrower and sibling skills), cached per
    vocabulary version (``matching.evidence.related_skills``)."""
    if vocab_version not in _related:
        _related.clear()
        _related[vocab_version] = skill_evidence.related_skills(
            {name: wide or () for name, wide in Skill.objects.values_list("name", "broader")}
        )
    return _related[vocab_version]


_narrower: dict[str, dict[str, frozenset[str]]] = {}


def narrower_skills(vocab_version: str) -> dict[str, frozenset[str]]:
    """Skill → every skill narrower than it (vocabulary broader links, transitively), cached per vocabulary
    version (``matching.evidence.narrower_skills``)."""
    if vocab_version not in _narrower:
        _narrower.clear()
        _narrower[vocab_version] = skill_evidence.narrower_skills(
            {name: wide or () for name, wide in Skill.objects.values_list("name", "broader")}
        )
    return _narrower[vocab_version]


def cv_evidence(text: str) -> skill_evidence.CvEvidence:
    """Every vocabulary skill a (neutralised) CV text shows, with its evidence level, strength and line, and the
    keyword-list verdict: the one reading of a CV's skills for profiles, uploads and free-text scoring."""
    extractor, version = skill_extractor()
    return skill_evidence.assess(
        text, extractor.find(text), related_skills(version), narrower_skills(version)
    )


def cv_roles(text: str, evidence: skill_evidence.CvEvidence) -> tuple[list[str], list[str], list[str]]:
    """``(titles, backed, claims)``: the job titles a (neutralised) CV text shows (``extraction.extract_role_titles``)
    and the skills they name, split by ``evidence.corroborated_roles`` over ``evidence`` (the CV's
    :func:`cv_evidence`) into those the rest of the CV backs and bare claims: the one reading of a CV's roles for
    profiles and free-text scoring."""
    extractor, version = skill_extractor()
    titles = extract_role_titles(text)
    backed, claims = skill_evidence.corroborated_roles(
        role_skills(titles, extractor), evidence, related_skills(version)
    )
    return titles, backed, claims


_categories: dict[str, dict[str, str]] = {}


def skill_categories(vocab_version: str) -> dict[str, str]:
    """Skill name → category, cached per vocabulary version."""
    if vocab_version not in _categories:
        _categories.clear()
        _categories[vocab_version] = dict(Skill.objects.values_list("name", "category"))
    return _categories[vocab_version]
