"""The ranking of a vacancy's match scores, in one place: the order rows are listed in and the rank each one gets.

Order (every ranked list: the shortlist page, the API's match-score lists, the CSV exports, the portal)::

    score descending, no score (insufficient data) last, then the match score's id ascending

The tie-break is the **match score's id** (``MatchScore.pk``: roughly the order in which the pairs were first
stored), not the candidate's id and not the confidence.  It is what PostgreSQL's index
``matchscore_vacancy_ranked`` (vacancy, score DESC NULLS LAST, id) serves without sorting, so a page of the shortlist
is an index range scan; putting confidence or the candidate id into the ORDER BY would need a new index and a
migration.  Lists across vacancies (the API's ``/match-scores/``) are served by ``matchscore_ranked`` (score DESC
NULLS LAST; migration 0013), the id tie-break by an incremental sort of equal scores, so their first page is not a
sort of every stored score either; the reversed order (``ranking_order_by(reverse=True)``) is the same index read
backwards.  Because the tie-break carries no meaning, ties are *shown* instead of hidden:

Rank (standard competition ranking, "1, 2, 2, 4")::

    rank = 1 + the number of the vacancy's scores strictly higher;   tied = another score of the vacancy is equal

A row without a score has no rank.  Equality is exact equality of the stored float (the same comparison the ORDER BY
makes), so two scores shown as "63" may still rank 3rd and 4th.  The rank is among *all* of the vacancy's stored
scores, whatever filter a page applies, so a candidate keeps their rank on a filtered shortlist and on page 2 of
the API.

This module is pure (numbers in, numbers out) apart from the ORM spelling of the order.  The same definition is
written three times and tests hold them equal: ``competition_ranks`` here (CSV exports), the ORM annotation
``recruiting.selectors.with_vacancy_rank`` (shortlist page, API, candidate page, portal) and the SQL fast path of
the API shortlist (``recruiting.api.ranked``, which reads that annotation).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F

# The ORDER BY of ``recruiting.api.ranked``'s JSON aggregate (``m`` is the match score table's alias there).
RANKING_ORDER_SQL = "m.score DESC NULLS LAST, m.id"


def ranking_order_by(*, reverse: bool = False) -> tuple:
    """``queryset.order_by(*ranking_order_by())``: the ranking order in the ORM (see the module docstring).
    ``reverse``: the exact reverse (lowest score first, no score before any score, then id descending), which the
    same indexes serve read backwards."""
    if reverse:
        return (F("score").asc(nulls_first=True), "-pk")
    return (F("score").desc(nulls_last=True), "pk")


def ranking_key(score: float | None, pk: int) -> tuple:
    """Sort key of the ranking order for rows already in memory."""
    return (score is None, -(score or 0.0), pk)


@dataclass(frozen=True)
class Rank:
    rank: int | None  # None: no score, so no rank
    tied: bool

    @property
    def label(self) -> str:
        """ "3", "=3" for a shared rank, "" without a rank (the shortlist's # column)."""
        if self.rank is None:
            return ""
        return f"={self.rank}" if self.tied else str(self.rank)


def competition_ranks(scores: Sequence[float | None]) -> list[Rank]:
    """The rank of each of ``scores`` (one vacancy's, in any order) among them: equal scores share a rank and the
    next rank skips ("1, 2, 2, 4"); ``None`` (no score) gets no rank.  The result is aligned with ``scores``.

    >>> [r.label for r in competition_ranks([90.0, 80.0, 80.0, 70.0, None])]
    ['1', '=2', '=2', '4', '']
    """
    ascending = sorted(s for s in scores if s is not None)
    n = len(ascending)
    ranks = []
    for s in scores:
        if s is None:
            ranks.append(Rank(None, False))
            continue
        higher = n - bisect_right(ascending, s)
        equal = bisect_right(ascending, s) - bisect_left(ascending, s)
        ranks.append(Rank(higher + 1, equal > 1))
    return ranks


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int | None, tied: bool, among: int | None) -> str:
    """ "ranked 3rd of 166", "ranked joint 3rd of 166", or "" without a rank."""
    if rank is None:
        return ""
    text = f"ranked {'joint ' if tied else ''}{ordinal(rank)}"
    return f"{text} of {among}" if among else text
