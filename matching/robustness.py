"""Robustness probes for rankers (issue 12 item 9): keyword stuffing, hard negatives, rewording, ties.

Pure Python, no Django imports: texts, an extractor-like object (anything with ``find(text)`` returning mentions
with ``skill``, ``start`` and ``end``, such as :class:`matching.extraction.SkillExtractor`) and lists of scores in,
texts and numbers out.  ``manage.py evaluate --robustness`` applies them to the candidates and vacancies in the
database; ``tests/matching/test_robustness.py`` tests them with literal texts.

* :func:`stuffing_cvs` writes four keyword-stuffed CVs for a vacancy.  A robust ranker puts them low: a list of
  skill names shows no use of any of them.
* :func:`strip_skill_sentences` removes every sentence that names a skill, giving a *hard negative*: the same
  CV with its evidence gone must score strictly lower than the original.
* :func:`synonym_rewrite` renames every skill by another alias of the same entry (``sklearn`` for
  ``scikit-learn``): a ranker that understands skills should barely move the CV.
* :func:`rank_of` and :func:`count_ties` make ties explicit instead of hiding them behind an arbitrary order.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

__all__ = [
    "SHAPES",
    "count_ties",
    "rank_of",
    "sortable_score",
    "strip_skill_sentences",
    "stuffing_cvs",
    "synonym_rewrite",
]

SHAPES = ("repeated_list", "vacancy_copy", "hidden_block", "sixty_mentions")

REPEATED_LIST_SIZE = 35
REPEATED_LIST_TIMES = 20
HIDDEN_BLOCK_SIZE = 40
SIXTY = 60
_PER_LINE = 10  # names per comma-separated line in "sixty_mentions"


class _Mention(Protocol):
    skill: str
    start: int
    end: int


class _Extractor(Protocol):
    def find(self, text: str) -> Sequence[_Mention]: ...


class _Entry(Protocol):
    name: str
    aliases: Sequence[str]


def _unique(names: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        key = name.strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(name.strip())
    return out


def _skill_list(vacancy_skills: Sequence[str], others: Sequence[str], size: int) -> list[str]:
    """The vacancy's skills first (all of them, even beyond ``size``), then other names up to ``size``."""
    head = _unique(vacancy_skills)
    taken = {n.lower() for n in head}
    return head + [n for n in others if n.lower() not in taken][: max(0, size - len(head))]


def stuffing_cvs(vacancy_skills: list[str], vocabulary: list[str], weak_cv: str, seed: int) -> dict[str, str]:
    """Four keyword-stuffed CVs aimed at a vacancy, keyed by shape (see :data:`SHAPES`).

    ``vacancy_skills`` are the skill names the vacancy asks for (required first), ``vocabulary`` the names a
    stuffer might add, ``weak_cv`` a real but weak CV for the vacancy.  The shapes:

    * ``repeated_list`` — about 35 names (the vacancy's first, then other vocabulary names) repeated 20 times,
      each repetition a shuffled comma-separated line; no roles, dates or degree;
    * ``vacancy_copy`` — a one-line headline and the vacancy's own skills as a bulleted "Skills" list;
    * ``hidden_block`` — ``weak_cv`` with a block appended: a line ``Keywords:`` and about 40 names, including
      all of the vacancy's;
    * ``sixty_mentions`` — one mention each of 60 names (the vacancy's first), ten to a comma-separated line.

    The same arguments give the same texts.  Nothing in them names a dataset, file, label or person.
    """
    rng = random.Random(seed)
    pool = sorted(set(_unique(vocabulary)), key=str.lower)
    others = rng.sample(pool, len(pool))  # a seeded order of the other names

    repeated = _skill_list(vacancy_skills, others, REPEATED_LIST_SIZE)
    lines = []
    for _ in range(REPEATED_LIST_TIMES):
        line = list(repeated)
        rng.shuffle(line)
        lines.append(", ".join(line))
    repeated_list = "\n".join(lines)

    own = _unique(vacancy_skills)
    vacancy_copy = "Experienced professional with all the skills you need\n\nSkills\n" + "\n".join(
        f"• {name}" for name in own
    )

    block = _skill_list(vacancy_skills, others, HIDDEN_BLOCK_SIZE)
    hidden_block = weak_cv.rstrip() + "\n\nKeywords:\n" + ", ".join(block)

    sixty = _skill_list(vacancy_skills, others, SIXTY)
    sixty_mentions = "\n".join(", ".join(sixty[i : i + _PER_LINE]) for i in range(0, len(sixty), _PER_LINE))

    return {
        "repeated_list": repeated_list,
        "vacancy_copy": vacancy_copy,
        "hidden_block": hidden_block,
        "sixty_mentions": sixty_mentions,
    }


# A sentence ends at . ! ? ; followed by white space or the end, at a line break, or before a bullet.
_BOUNDARY = re.compile(r"[.!?;](?=\s|$)|\n|(?=[•●▪■◦➢➤►✓✔❖◆·])")


def _segments(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans covering ``text``; each ends just after its boundary (or at the end of text)."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if end > start:
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def strip_skill_sentences(text: str, extractor: _Extractor) -> str:
    """``text`` without every sentence that holds a recognised skill mention.

    Sentences are split at ``.``, ``!``, ``?`` and ``;`` (before white space), at line breaks and before
    bullets; a sentence overlapping any mention's ``[start, end)`` is dropped whole.  Line breaks of the kept
    sentences stay; runs of blank lines are collapsed to one.
    """
    mentions = sorted((m.start, m.end) for m in extractor.find(text))
    if not mentions:
        return text
    kept = []
    for start, end in _segments(text):
        if any(ms < end and me > start for ms, me in mentions):
            if text[start:end].endswith("\n"):
                kept.append("\n")  # keep the line structure of what remains
            continue
        kept.append(text[start:end])
    out = re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", "".join(kept))
    return out.strip()


def _alternative(surface: str, entry: _Entry) -> str | None:
    """The longest name or alias of ``entry`` other than ``surface`` (case-insensitive); ties by spelling."""
    key = surface.strip().lower()
    options = sorted(
        {t for t in (entry.name, *entry.aliases) if t.strip() and t.strip().lower() != key},
        key=lambda t: (-len(t), t),
    )
    return options[0] if options else None


def synonym_rewrite(text: str, extractor: _Extractor, entries: Iterable[_Entry]) -> str:
    """``text`` with each recognised skill mention replaced by another spelling of the same vocabulary entry.

    The replacement is the longest name or alias of the entry that differs from the mention (ties broken
    alphabetically), so the rewrite is deterministic; a mention whose entry has a single spelling stays.
    ``entries`` are the vocabulary entries (objects with ``name`` and ``aliases``).
    """
    by_name = {e.name: e for e in entries}
    out, last = [], 0
    for m in sorted(extractor.find(text), key=lambda m: m.start):
        entry = by_name.get(m.skill)
        if entry is None or m.start < last:
            continue
        new = _alternative(text[m.start : m.end], entry)
        if new is None:
            continue
        out.append(text[last : m.start])
        out.append(new)
        last = m.end
    out.append(text[last:])
    return "".join(out)


def sortable_score(score: float | None) -> float:
    """A score as a float; a missing one (``None`` or NaN, e.g. insufficient data) is ``-inf`` and ranks last."""
    if score is None:
        return -math.inf
    score = float(score)
    return -math.inf if math.isnan(score) else score


def rank_of(scores: Sequence[float | None], i: int) -> int:
    """Competition rank (1 = best) of item ``i``: one plus the number of strictly higher scores, so equal scores
    share the best rank they reach ("1, 2, 2, 4").  Missing scores rank last, tied with each other."""
    mine = sortable_score(scores[i])
    return 1 + sum(1 for s in scores if sortable_score(s) > mine)


def count_ties(scores: Sequence[float | None]) -> int:
    """Number of items whose score equals another item's (missing scores are equal to each other)."""
    values = [sortable_score(s) for s in scores]
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sum(n for n in counts.values() if n > 1)
