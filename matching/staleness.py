"""Staleness: which stored scores are out of date, and the periodic sweep that finds outstanding work in the
database (stale scores, missing scores, outdated profiles, stalled runs) and enqueues it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, F, Q

from matching import profiles, runs, scoring
from matching.enqueue import task_send_after_commit
from matching.models import MatchScore
from matching.selectors import scorable_vacancy_ids
from matching.vocabulary_store import current_vocabulary_version
from recruiting.models import Candidate


def scores_mark_stale() -> int:
    """Mark stale every score computed with another engine or vocabulary version, or before its vacancy or
    candidate last changed (weights, requirements, profile).  Returns the number of scores newly marked."""
    outdated = (
        ~Q(engine_version=scoring.ENGINE_VERSION)
        | ~Q(vocabulary_version=current_vocabulary_version())
        | Q(computed_at__lt=F("vacancy__updated_at"))
        | Q(computed_at__lt=F("candidate__updated_at"))
    )
    ids = list(MatchScore.objects.filter(stale=False).filter(outdated).values_list("pk", flat=True))
    return MatchScore.objects.filter(pk__in=ids).update(stale=True)


def stale_sweep(*, limit: int = 5000) -> dict[str, int]:
    """Find what still needs scoring — stale scores, and candidates with scores missing for some scorable
    vacancy — and enqueue it.  The database, not the broker, is the record of outstanding work; run
    periodically (Celery beat) so work lost with a broker outage is found again.

    Returns ``{"marked_stale": n, "candidates": n, "run_tasks": n, "profiles_refreshed": n}``: scores newly marked
    stale, candidates enqueued (≤ ``limit``), tasks of stalled scoring runs enqueued again, and profiles written
    by older extraction rules that were re-extracted first (``profiles_refresh_outdated``).
    """
    profiles_refreshed = profiles.profiles_refresh_outdated(limit=limit)
    marked = scores_mark_stale()
    vacancy_ids = scorable_vacancy_ids()
    todo = set(
        MatchScore.objects.filter(stale=True).values_list("candidate_id", flat=True).distinct()[:limit]
    )
    if vacancy_ids:
        incomplete = (
            Candidate.objects.annotate(
                n=Count("match_scores", filter=Q(match_scores__vacancy_id__in=vacancy_ids))
            )
            .filter(n__lt=len(vacancy_ids))
            .values_list("pk", flat=True)[:limit]
        )
        todo |= set(incomplete)
    todo_list = sweep_not_in_flight(sorted(todo))[:limit]
    if todo_list:
        task_send_after_commit(
            "matching.score_candidates", todo_list, on_sent=lambda: sweep_mark_in_flight(todo_list)
        )
    recovered = runs.scoring_runs_recover()
    return {
        "marked_stale": marked,
        "candidates": len(todo_list),
        "run_tasks": recovered,
        "profiles_refreshed": profiles_refreshed,
    }


# Candidates the sweep has enqueued and whose task has not finished: a cache key each, so the next sweeps skip
# them instead of queueing them again while earlier batches still run.  The key expires after
# STALE_SWEEP_INFLIGHT_SECONDS, so a batch lost with the broker or a dead worker is found again by a later
# sweep; ``matching.score_candidates`` clears the keys when it has scored them.  Across processes this needs
# the shared cache (CACHE_URL=redis://…); with the local-memory cache each process remembers its own sweeps.
_IN_FLIGHT_KEY = "matching:sweep-in-flight:{}"


def _in_flight_seconds() -> int:
    return int(getattr(settings, "STALE_SWEEP_INFLIGHT_SECONDS", 900))


def sweep_not_in_flight(candidate_ids: Sequence[int]) -> list[int]:
    """``candidate_ids`` without those an earlier sweep enqueued and whose scoring has not finished."""
    from django.core.cache import cache

    if not candidate_ids:
        return []
    busy = cache.get_many([_IN_FLIGHT_KEY.format(pk) for pk in candidate_ids])
    return [pk for pk in candidate_ids if _IN_FLIGHT_KEY.format(pk) not in busy]


def sweep_mark_in_flight(candidate_ids: Sequence[int]) -> None:
    """Remember that ``candidate_ids`` were enqueued by a sweep (for ``STALE_SWEEP_INFLIGHT_SECONDS``)."""
    from django.core.cache import cache

    cache.set_many({_IN_FLIGHT_KEY.format(pk): 1 for pk in candidate_ids}, timeout=_in_flight_seconds())


def sweep_clear_in_flight(candidate_ids: Sequence[int]) -> None:
    """Forget the sweep marks of ``candidate_ids`` (their scoring finished)."""
    from django.core.cache import cache

    cache.delete_many([_IN_FLIGHT_KEY.format(pk) for pk in candidate_ids])


def enqueue_candidate_scoring_once(*, candidate_id: int) -> None:
    """Enqueue the scoring of one candidate after commit unless a sweep or an earlier request already did and that
    task has not finished (the sweep's in-flight keys): a page that refreshes every few seconds while no model is
    stored asks for one task, not one per refresh."""
    if not sweep_not_in_flight([candidate_id]):
        return
    task_send_after_commit(
        "matching.score_candidates", [candidate_id], on_sent=lambda: sweep_mark_in_flight([candidate_id])
    )
