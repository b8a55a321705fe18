"""Celery tasks: thin wrappers that take ids, load fresh rows through services and retry on transient errors.

Every task is idempotent (scores are upserted), acknowledged late and rejected when its worker is lost, so
a crash mid-task means the task runs again, not that work is lost.  Time limits are in seconds.
"""

from __future__ import annotations

import logging

import psycopg
from celery import Task, shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from matching import runs, services, staleness

logger = logging.getLogger(__name__)

# Transient database errors, retried with backoff: a dropped or refused connection, a terminated backend, a
# deadlock or serialization failure (psycopg's TransactionRollback is an OperationalError).  psycopg's own classes
# too: code that works on psycopg's cursor directly (COPY) raises them unwrapped, and they are not Django's.
TRANSIENT = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 240,
    "time_limit": 300,
}


@shared_task(name="matching.score_candidates", **TASK_OPTIONS)
def score_candidates(candidate_ids: list[int]) -> int:
    """Score the candidates against every scorable vacancy with the stored model (no refit).  Returns pairs."""
    written = services.score_pairs(candidate_ids=list(candidate_ids))
    staleness.sweep_clear_in_flight(candidate_ids)  # scored: a later sweep may enqueue them again if needed
    logger.info("scored %d candidates: %d pairs", len(candidate_ids), written)
    return written


@shared_task(name="matching.score_vacancies", **TASK_OPTIONS)
def score_vacancies(vacancy_ids: list[int]) -> int:
    """Score the vacancies against every candidate with the stored model (no refit).  Returns pairs."""
    written = services.score_pairs(vacancy_ids=list(vacancy_ids))
    logger.info("scored %d vacancies: %d pairs", len(vacancy_ids), written)
    return written


# Planning refits the model on the whole pool and scans every candidate: minutes at 100,000 candidates.
PLAN_OPTIONS = {**TASK_OPTIONS, "soft_time_limit": 3600, "time_limit": 3900}


@shared_task(name="matching.plan_run", **PLAN_OPTIONS)
def plan_run(run_id: int, candidate_ids: list[int] | None, vacancy_ids: list[int] | None, refit: bool) -> int:
    """Plan scoring run ``run_id`` (model, shortlist thresholds) and enqueue its chunks.  Returns the chunk count."""
    try:
        return runs.scoring_run_plan(
            run_id=run_id, candidate_ids=candidate_ids, vacancy_ids=vacancy_ids, refit=refit
        ).chunks_total
    except DatabaseError as exc:
        if isinstance(exc, TRANSIENT):
            raise
        runs.scoring_run_fail(run_id=run_id, error=f"planning: {type(exc).__name__}")
        raise


class ChunkTask(Task):
    """A scoring-run chunk task: when it dies for good — retries used up, or an error that is not retried (a bug,
    the soft time limit) — its run is told at once (``runs.scoring_run_chunk_lost``), which resends the chunk
    or marks the run failed, instead of the run waiting for the stall sweep.  A worker killed outright is covered
    by ``acks_late`` / ``reject_on_worker_lost`` (the broker delivers the chunk again)."""

    @staticmethod
    def lost(*, run_id: int, index: int, error: str) -> bool:
        return runs.scoring_run_chunk_lost(run_id=run_id, index=index, error=error)

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        params = dict(zip(("run_id", "index"), args, strict=False)) | {
            k: v for k, v in (kwargs or {}).items() if k in ("run_id", "index")
        }
        if "run_id" not in params or "index" not in params:
            return
        if isinstance(exc, (DatabaseError, psycopg.Error)) and not connection.in_atomic_block:
            connection.close()  # the connection may be the broken one: record the death on a fresh one
        try:
            self.lost(run_id=params["run_id"], index=params["index"], error=type(exc).__name__)
        except Exception:
            logger.warning(
                "scoring run %s: could not record the death of %s %s; the stall sweep will resend it",
                params["run_id"],
                self.name,
                params["index"],
                exc_info=True,
            )


class ScanSliceTask(ChunkTask):
    """A threshold-scan slice task: its death is told to ``runs.scoring_run_scan_slice_lost`` (resent at once or
    the run failed), as a chunk's is."""

    @staticmethod
    def lost(*, run_id: int, index: int, error: str) -> bool:
        return runs.scoring_run_scan_slice_lost(run_id=run_id, index=index, error=error)


@shared_task(name="matching.scan_slice", base=ScanSliceTask, **PLAN_OPTIONS)
def scan_slice(run_id: int, index: int) -> bool:
    """Scan slice ``index`` of scoring run ``run_id``'s shortlist thresholds; the last slice stores the thresholds
    and enqueues the run's chunks.  Returns whether this task merged.  Transient database errors are retried
    (``TRANSIENT``); any other death is handled by ``ScanSliceTask.on_failure``."""
    return runs.scoring_run_scan_slice(run_id=run_id, index=index)


@shared_task(name="matching.score_chunk", base=ChunkTask, **TASK_OPTIONS)
def score_chunk(
    run_id: int, index: int, candidate_ids: list[int], vacancy_ids: list[int], model_version: str
) -> int:
    """Score chunk ``index`` of scoring run ``run_id``.  Returns pairs written.  Transient database errors are
    retried (``TRANSIENT``); any other death is handled by ``ChunkTask.on_failure``."""
    return runs.scoring_run_chunk(
        run_id=run_id,
        index=index,
        candidate_ids=candidate_ids,
        vacancy_ids=vacancy_ids,
        model_version=model_version,
    )


@shared_task(
    name="matching.scores_swap",
    **{**TASK_OPTIONS, "soft_time_limit": 1800, "time_limit": 1900, "max_retries": 10},
)
def scores_swap(run_id: int) -> bool:
    """After the last chunk of a full rescore written into its own table: index it and put it in the live
    table's place, recording the run as done (``runs.scoring_run_swap``).  A lock not granted in time is a
    transient error: retried with backoff.  Returns whether it swapped."""
    return runs.scoring_run_swap(run_id=run_id)


@shared_task(name="matching.scores_vacuum", acks_late=True, soft_time_limit=1800, time_limit=1900)
def scores_vacuum(run_id: int) -> bool:
    """After scoring run ``run_id`` finished: ``VACUUM (ANALYZE)`` the match-score table
    (``runs.scoring_run_vacuum``).  Not retried: autovacuum covers a vacuum that failed.  Returns whether it ran."""
    try:
        return runs.scoring_run_vacuum(run_id=run_id)
    except DatabaseError:
        logger.warning("scoring run %s: vacuum of the match scores failed; autovacuum will do it", run_id)
        return False


@shared_task(name="matching.stale_sweep", acks_late=True, soft_time_limit=120, time_limit=180)
def stale_sweep() -> dict:
    """Periodic (Celery beat): enqueue whatever the database says still needs scoring."""
    found = staleness.stale_sweep()
    if any(found.values()):
        logger.info("stale sweep: %s", found)
    return found
