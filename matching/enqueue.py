"""Enqueueing scoring work after commit, by task *name*: this module knows the queue's task names, not the task
module, so nothing below ``matching.tasks`` imports it (tasks are the top layer; ``MatchingConfig.ready`` imports
them, which registers them with the Celery app).  With the broker down the work waits for the stale sweep.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_batch = threading.local()


@contextlib.contextmanager
def enqueue_scoring_batched() -> Iterator[None]:
    """Collect the rescoring that saves inside the block ask for and enqueue it once, as one batch per kind,
    when the block ends (after commit).  Scores nothing itself.  Used by bulk imports, so 166 CVs make one task,
    not 166.  Nested blocks join the outermost one."""
    outer = getattr(_batch, "ids", None)
    if outer is not None:
        yield
        return
    _batch.ids = {"candidates": set(), "vacancies": set()}
    try:
        yield
        ids = _batch.ids
    finally:
        _batch.ids = None
    if ids["vacancies"]:
        _enqueue("score_vacancies", sorted(ids["vacancies"]))
    if ids["candidates"]:
        _enqueue("score_candidates", sorted(ids["candidates"]))


def enqueue_candidate_scoring(*, candidate_id: int) -> None:
    """Rescore one candidate against every scorable vacancy once the current transaction commits."""
    batch = getattr(_batch, "ids", None)
    if batch is not None:
        batch["candidates"].add(candidate_id)
        return
    _enqueue("score_candidates", [candidate_id])


def enqueue_vacancy_scoring(*, vacancy_id: int) -> None:
    """Rescore one vacancy against every candidate once the current transaction commits."""
    batch = getattr(_batch, "ids", None)
    if batch is not None:
        batch["vacancies"].add(vacancy_id)
        return
    _enqueue("score_vacancies", [vacancy_id])


def _enqueue(task_name: str, ids: list[int]) -> None:
    task_send_after_commit(f"matching.{task_name}", ids)


def task_send_after_commit(task_name: str, *args, on_sent=None) -> None:
    """Enqueue the registered Celery task ``task_name`` (e.g. ``"matching.score_chunk"``) with ``args`` after
    commit, then call ``on_sent()`` if given; with the broker down the work waits for the stale sweep (and
    ``on_sent`` is not called).  Raises ``KeyError`` (after commit) for a task name no module registered."""

    def send() -> None:
        task = current_app.tasks[task_name]
        try:
            task.delay(*args)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.warning("could not enqueue %s: broker unavailable; the stale sweep will retry", task_name)
            return
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send)
