"""Scoring runs: a full rescore (or one vacancy's, one candidate's) planned on a worker, fanned out as chunk
tasks that any number of workers share, and recovered when a broker restart or a dead worker loses some.

The database (``ScoringRun``), not the broker, records what is still to do; every chunk is idempotent.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from matching import model_store, rescore_table, services, storage
from matching.enqueue import task_send_after_commit
from matching.models import ScoringRun, ShortlistScanSlice
from matching.selectors import scorable_vacancy_ids
from recruiting.models import Candidate

logger = logging.getLogger(__name__)


def scoring_run_start(
    *,
    scope: str = "all",
    target: str = "",
    candidate_ids: Sequence[int] | None = None,
    vacancy_ids: Sequence[int] | None = None,
    refit: bool | None = None,
) -> ScoringRun:
    """Create a scoring run and, after commit, enqueue its planning task, which (on a worker) refits the model for
    a full run (``refit``, default: when ``scope == "all"``), updates the shortlist thresholds of the vacancies
    scored against every candidate, and fans the work out as chunk tasks that any number of workers share.

    ``candidate_ids`` / ``vacancy_ids`` of ``None`` mean every candidate / every scorable vacancy.
    """

    n_candidates = len(candidate_ids) if candidate_ids is not None else Candidate.objects.count()
    n_vacancies = len(vacancy_ids) if vacancy_ids is not None else len(scorable_vacancy_ids())
    refit = scope == "all" if refit is None else refit
    c_ids = list(candidate_ids) if candidate_ids is not None else None
    v_ids = list(vacancy_ids) if vacancy_ids is not None else None
    run = ScoringRun.objects.create(
        scope=scope,
        target=target,
        status=ScoringRun.Status.PENDING,
        total=n_candidates * n_vacancies,
        progress_at=timezone.now(),
        params={"candidate_ids": c_ids, "vacancy_ids": v_ids, "refit": refit},
    )
    task_send_after_commit("matching.plan_run", run.pk, c_ids, v_ids, refit)
    return run


def scoring_run_plan(
    *, run_id: int, candidate_ids: Sequence[int] | None, vacancy_ids: Sequence[int] | None, refit: bool
) -> ScoringRun:
    """Plan a run on a worker: model, thresholds, chunks; then enqueue the chunks (see ``scoring_run_start``).

    A run over every candidate fits the model here, then fans the shortlist threshold scan out as
    ``MATCHING_SCAN_SLICES`` slice tasks (``scoring_run_scan_slice``) that any worker takes; the last slice to
    finish stores the thresholds and enqueues the chunks.  A redelivered planning task sends again the slices
    not yet stored."""

    run = ScoringRun.objects.get(pk=run_id)
    if run.status != ScoringRun.Status.PENDING or run.chunks_total:
        return run  # already planned (a redelivered planning task)
    if (run.params or {}).get("scan_slices"):
        _scan_slices_send(run)  # the scan is fanned out already: what its planning task may not have sent
        return run
    if candidate_ids is None and vacancy_ids is None and _run_table_take(run):
        run.params = {**run.params, "run_table": True}
        run.save(update_fields=["params"])
    if candidate_ids is None:
        vacancies_to_rank = list(vacancy_ids if vacancy_ids is not None else scorable_vacancy_ids())
        candidate_ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
        if refit:
            # Streamed, never the whole pool in memory: the model from the kept word document frequencies and
            # the candidates' (candidate, skill) pairs (no text is tokenised), then the threshold scan over the
            # candidates' stored term counts a chunk at a time.  model_fit first counts the CVs never counted.
            model = model_store.model_fit(candidate_ids)
        else:
            model = model_store.model_load_or_fit()
        if candidate_ids and vacancies_to_rank:
            n = max(1, min(settings.MATCHING_SCAN_SLICES, len(candidate_ids)))
            parts = [
                candidate_ids[len(candidate_ids) * i // n : len(candidate_ids) * (i + 1) // n]
                for i in range(n)
            ]
            run.params = {
                **run.params,
                "model_version": model.version,
                "scan_slices": [[part[0], part[-1]] for part in parts],
                "scan_vacancy_ids": vacancies_to_rank,
            }
            run.progress_at = timezone.now()
            run.save(update_fields=["params", "progress_at"])
            _scan_slices_send(run)
            return run
        services.shortlist_thresholds_update(
            model=model, vacancy_ids=vacancies_to_rank, candidate_ids=candidate_ids
        )
    else:
        model = model_store.model_fit() if refit else model_store.model_load_or_fit()
    return _chunks_plan(run, candidate_ids, vacancy_ids, model.version)


def _run_table_take(run: ScoringRun) -> bool:
    """Create the run table for full run ``run`` (``matching.rescore_table``) unless the database has none to
    offer (not PostgreSQL, or ``MATCHING_RESCORE_TABLE`` off) or another run in flight holds it (then this run
    upserts into the live table, and its writes are copied into the other run's table).  Returns whether it did."""
    if not rescore_table.supported(connection):
        return False
    busy = (
        ScoringRun.objects.filter(
            status__in=[ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING], params__run_table=True
        )
        .exclude(pk=run.pk)
        .exists()
    )
    if busy:
        return False
    rescore_table.create(connection)
    return True


def _run_table_discard(run: ScoringRun) -> None:
    """Drop the run table of a run that failed (after its commit): the live table keeps the scores it had."""
    if (run.params or {}).get("run_table"):
        transaction.on_commit(lambda: rescore_table.drop(connection))


def _chunks_plan(
    run: ScoringRun, candidate_ids: Sequence[int], vacancy_ids: Sequence[int] | None, model_version: str
) -> ScoringRun:
    """Split ``candidate_ids`` into chunks, record them on ``run`` (saved) and enqueue them after commit.
    ``vacancy_ids`` of ``None``: every scorable vacancy."""
    if vacancy_ids is None:
        vacancy_ids = scorable_vacancy_ids()
    size = max(1, settings.MATCHING_CHUNK_SIZE)
    chunks = (
        [list(candidate_ids[i : i + size]) for i in range(0, len(candidate_ids), size)] if vacancy_ids else []
    )
    run.total = len(candidate_ids) * len(vacancy_ids)
    run.chunks_total = len(chunks)
    run.chunk_bounds = [[chunk[0], chunk[-1]] for chunk in chunks]
    run.params = {**run.params, "vacancy_ids": list(vacancy_ids), "model_version": model_version}
    run.progress_at = timezone.now()
    if not chunks:
        run.status, run.finished_at = ScoringRun.Status.DONE, timezone.now()
    run.save(
        update_fields=[
            "total",
            "chunks_total",
            "chunk_bounds",
            "params",
            "progress_at",
            "status",
            "finished_at",
        ]
    )
    for index, chunk in enumerate(chunks):
        task_send_after_commit("matching.score_chunk", run.pk, index, chunk, list(vacancy_ids), model_version)
    return run


def _scan_slices_send(run: ScoringRun) -> int:
    """Enqueue (after commit) every threshold-scan slice of ``run`` not yet stored; when all are stored but not
    merged (the merging task died), slice 0 again, whose task only merges.  Returns the number sent."""
    stored = set(ShortlistScanSlice.objects.filter(run=run).values_list("index", flat=True))
    missing = [i for i in range(len(run.params["scan_slices"])) if i not in stored] or [0]
    for index in missing:
        task_send_after_commit("matching.scan_slice", run.pk, index)
    return len(missing)


def scoring_run_scan_slice(*, run_id: int, index: int, threads: int | None = None) -> bool:
    """Scan slice ``index`` of run ``run_id``'s shortlist thresholds — the best scores of its candidates for each
    vacancy (``services.shortlist_scan``, ``threads`` threads; default one per CPU) — and store its table
    (``ShortlistScanSlice``); the slice that finds every slice stored merges them into the thresholds
    (``services.shortlist_thresholds_store``, equal to one scan over the whole pool) and plans and enqueues the
    run's chunks.  Idempotent: a stored slice is not scanned again, a merged run is left alone.  Returns whether
    this call merged."""
    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is None or run.status != ScoringRun.Status.PENDING or run.chunks_total:
        return False
    params = run.params or {}
    bounds = params.get("scan_slices") or []
    if not 0 <= index < len(bounds):
        return False
    if not ShortlistScanSlice.objects.filter(run_id=run_id, index=index).exists():
        first, last = bounds[index]
        ids = list(
            Candidate.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").values_list("pk", flat=True)
        )
        columns, best, scanned = services.shortlist_scan(
            model=model_store.model_load_or_fit(params["model_version"]),
            vacancy_ids=params["scan_vacancy_ids"],
            candidate_ids=ids,
            threads=threads or os.cpu_count() or 1,
        )
        ShortlistScanSlice.objects.bulk_create(
            [
                ShortlistScanSlice(
                    run_id=run_id,
                    index=index,
                    vacancy_ids=columns,
                    best=np.ascontiguousarray(best, dtype="<f8").tobytes(),
                    scanned=scanned,
                )
            ],
            ignore_conflicts=True,  # a slice scanned twice (redelivered) stores the same table once
        )
    return _scan_slices_merge(run_id)


def _scan_slices_merge(run_id: int) -> bool:
    """When every scan slice of the run is stored and the run not yet planned: store the thresholds from their
    tables, drop the tables and plan the chunks, under the run's lock (one merge).  Returns whether it merged."""
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run_id)
        if run.status != ScoringRun.Status.PENDING or run.chunks_total:
            return False
        params = run.params
        slices = list(
            ShortlistScanSlice.objects.filter(run=run)
            .order_by("index")
            .values_list("vacancy_ids", "best", "scanned")
        )
        run.progress_at = timezone.now()
        if len(slices) < len(params["scan_slices"]):
            run.save(update_fields=["progress_at"])
            return False
        # A vacancy deleted while the slices ran is missing from the later ones' columns: the columns all share.
        shared = set.intersection(*(set(columns) for columns, _, _ in slices))
        columns = [v for v in slices[0][0] if v in shared]
        tables = []
        for own, data, _ in slices:
            table = np.frombuffer(bytes(data), dtype="<f8").reshape(-1, len(own)) if own else np.zeros((0, 0))
            position = {v: j for j, v in enumerate(own)}
            tables.append(table[:, [position[v] for v in columns]])
        services.shortlist_thresholds_store(
            vacancy_ids=columns, tables=tables, scanned=sum(scanned for _, _, scanned in slices)
        )
        ShortlistScanSlice.objects.filter(run=run).delete()
        last = params["scan_slices"][-1][1]
        candidate_ids = list(
            Candidate.objects.filter(pk__lte=last).order_by("pk").values_list("pk", flat=True)
        )
        _chunks_plan(run, candidate_ids, params.get("vacancy_ids"), params["model_version"])
    return True


def scoring_runs_recover(*, stall_seconds: int | None = None) -> int:
    """Re-enqueue what stalled runs lost (a broker restart drops queued tasks): the planning task of an unplanned
    run, and every chunk not yet stored.  Chunks are idempotent, so a chunk that was only slow is harmless to
    send twice.  Returns the number of tasks enqueued."""
    from datetime import timedelta

    stall = timedelta(seconds=settings.MATCHING_RUN_STALL_SECONDS if stall_seconds is None else stall_seconds)
    cutoff = timezone.now() - stall
    sent = 0
    stalled = ScoringRun.objects.filter(
        status__in=[ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING], progress_at__lte=cutoff
    )
    for run in stalled:
        params = run.params or {}
        if not run.chunks_total and params.get("scan_slices"):
            sent += _scan_slices_send(run)
        elif not run.chunks_total:
            task_send_after_commit(
                "matching.plan_run",
                run.pk,
                params.get("candidate_ids"),
                params.get("vacancy_ids"),
                bool(params.get("refit")),
            )
            sent += 1
        elif params.get("run_table") and len(run.completed_chunks) >= run.chunks_total:
            task_send_after_commit("matching.scores_swap", run.pk)
            sent += 1
        else:
            for index in range(len(run.chunk_bounds)):
                if index in run.completed_chunks:
                    continue
                _chunk_send(run, index)
                sent += 1
        ScoringRun.objects.filter(pk=run.pk).update(progress_at=timezone.now())
    return sent


def _chunk_send(run: ScoringRun, index: int) -> None:
    """Enqueue chunk ``index`` of ``run`` again (after commit), its candidates read back from ``chunk_bounds``."""

    params = run.params or {}
    first, last = run.chunk_bounds[index]
    ids = list(
        Candidate.objects.filter(pk__gte=first, pk__lte=last).order_by("pk").values_list("pk", flat=True)
    )
    if params.get("candidate_ids") is not None:
        wanted = set(params["candidate_ids"])
        ids = [i for i in ids if i in wanted]
    task_send_after_commit(
        "matching.score_chunk",
        run.pk,
        index,
        ids,
        params.get("vacancy_ids") or [],
        params.get("model_version") or model_store.model_load_or_fit().version,
    )


def scoring_run_chunk_lost(*, run_id: int, index: int, error: str) -> bool:
    """Record that the task of chunk ``index`` of run ``run_id`` died (its retries used up, or any error that is
    not retried), and resend the chunk at once — without waiting for the stall sweep — unless it has died more
    than ``MATCHING_CHUNK_RESENDS`` times; then the run is marked failed, naming the chunk and ``error`` (the
    error's type: never CV text).  ``chunk_failures`` keeps the count per chunk.  Returns whether it was resent;
    a chunk already stored or a run no longer in progress is left alone (``False``)."""
    return _task_lost(run_id=run_id, index=index, error=error, scan=False)


def scoring_run_scan_slice_lost(*, run_id: int, index: int, error: str) -> bool:
    """``scoring_run_chunk_lost`` for the task of threshold-scan slice ``index``: resent at once up to
    ``MATCHING_CHUNK_RESENDS`` times (counted in ``chunk_failures`` as ``"scan <index>"``), then the run fails
    naming the slice.  A run already planned (the slices merged) is left alone (``False``); a slice stored but not
    merged is resent, and its task merges."""
    return _task_lost(run_id=run_id, index=index, error=error, scan=True)


def _task_lost(*, run_id: int, index: int, error: str, scan: bool) -> bool:
    """What ``scoring_run_chunk_lost`` and ``scoring_run_scan_slice_lost`` share (``scan``: a scan slice's task)."""
    what = "scan slice" if scan else "chunk"
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in (ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING):
            return False
        if scan:  # a slice stored is resent all the same: its task died merging, and a resent one only merges
            gone = bool(run.chunks_total) or not 0 <= index < len((run.params or {}).get("scan_slices") or [])
        else:
            gone = index in run.completed_chunks or not 0 <= index < len(run.chunk_bounds)
        if gone:
            return False
        key = f"scan {index}" if scan else str(index)
        deaths = int((run.chunk_failures or {}).get(key, 0)) + 1
        run.chunk_failures = {**(run.chunk_failures or {}), key: deaths}
        run.error = f"{what} {index}: {error} (died {deaths} times)"[:2000]
        resend = deaths <= settings.MATCHING_CHUNK_RESENDS
        if resend:
            run.progress_at = timezone.now()
            if scan:
                task_send_after_commit("matching.scan_slice", run.pk, index)
            else:
                _chunk_send(run, index)
        else:
            run.status, run.finished_at = ScoringRun.Status.FAILED, timezone.now()
            _run_table_discard(run)
        run.save(update_fields=["chunk_failures", "error", "progress_at", "status", "finished_at"])
    logger.warning(
        "scoring run %s: %s %s died (%s, %d times): %s",
        run_id,
        what,
        index,
        error,
        deaths,
        "resent" if resend else "run failed",
    )
    return resend


def scoring_run_chunk(
    *, run_id: int, index: int, candidate_ids: Sequence[int], vacancy_ids: Sequence[int], model_version: str
) -> int:
    """Score chunk ``index`` of a run and record it as done.  Idempotent: a redelivered chunk upserts the same
    scores (into the run table: replaces its candidates' rows) and does not advance the progress twice.  Into a
    run table (``matching.rescore_table``) the rows and the chunk's completion commit together, so a chunk sent
    twice and run at once by two workers stores its rows once: the later finds the chunk done and rolls back."""
    ScoringRun.objects.filter(pk=run_id, started_at__isnull=True).update(
        started_at=timezone.now(), status=ScoringRun.Status.RUNNING
    )
    model = model_store.model_load_or_fit(model_version)
    all_vacancies = set(vacancy_ids) >= set(scorable_vacancy_ids())
    params, status, completed = ScoringRun.objects.values_list("params", "status", "completed_chunks").get(
        pk=run_id
    )
    run_table = bool((params or {}).get("run_table"))
    if run_table and (index in completed or status != ScoringRun.Status.RUNNING):
        return 0  # sent again after it was stored: its run's table may be swapped in already, or dropped

    def score() -> int:
        return services.score_pairs(
            candidate_ids=list(candidate_ids),
            vacancy_ids=None if all_vacancies else list(vacancy_ids),
            model=model,
            run_table=run_table,
        )

    if not run_table:
        written = score()
        _chunk_record(run_id, index, len(candidate_ids) * len(vacancy_ids))
        return written
    with transaction.atomic():
        written = score()
        if not _chunk_record(run_id, index, len(candidate_ids) * len(vacancy_ids)):
            transaction.set_rollback(True)
    return written


def _chunk_record(run_id: int, index: int, pairs: int) -> bool:
    """Record chunk ``index`` of run ``run_id`` as done (``pairs`` scored); after the last one, enqueue the swap
    of the run's table (a run that has one) or the vacuum.  Returns ``False`` when the chunk was recorded already."""
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run_id)
        if index in run.completed_chunks:
            return False
        run_table = bool((run.params or {}).get("run_table"))
        run.completed_chunks = [*run.completed_chunks, index]
        run.done = min(run.total, run.done + pairs)
        run.chunks_done = len(run.completed_chunks)
        run.progress_at = timezone.now()
        last = run.chunks_done >= run.chunks_total
        if last and not run_table:
            run.status = ScoringRun.Status.DONE
            run.done = run.total
            run.finished_at = timezone.now()
        run.save(
            update_fields=["done", "chunks_done", "completed_chunks", "status", "finished_at", "progress_at"]
        )
        if last and run_table:
            # The run is done when its table is in place: its own task, so this chunk's time limit does not
            # carry the index builds.
            task_send_after_commit("matching.scores_swap", run_id)
        elif last:
            # The run's rows are rewritten: restore the visibility map the shortlist's index-only scans need
            # (``storage.scores_table_vacuum``), as its own task so this chunk's time limit does not carry it.
            task_send_after_commit("matching.scores_vacuum", run_id)
    return True


def scoring_run_swap(*, run_id: int) -> bool:
    """Put run ``run_id``'s table in the live table's place once every chunk is stored
    (``rescore_table.swap``) and, in the swap's transaction, record the run as done and announce its scores
    (``match_score.updated``: one event per scored vacancy and chunk of candidates).  Then enqueue the vacuum.
    Idempotent: a run already done, or not yet complete, is left alone (``False``).  Raises
    ``django.db.OperationalError`` when a lock is not granted in time (the task retries)."""
    with rescore_table.swap_lock(
        connection
    ):  # one swap at a time: a redelivered task waits, then finds it done
        run = ScoringRun.objects.filter(pk=run_id).first()
        if run is None or run.status != ScoringRun.Status.RUNNING or run.chunks_done < run.chunks_total:
            return False
        return _run_swap(run)


def _run_swap(run: ScoringRun) -> bool:
    run_id = run.pk
    vacancy_ids = list((run.params or {}).get("vacancy_ids") or [])

    def finish() -> None:
        locked = ScoringRun.objects.select_for_update().get(pk=run_id)
        locked.status, locked.done, locked.finished_at = ScoringRun.Status.DONE, locked.total, timezone.now()
        locked.progress_at = locked.finished_at
        locked.save(update_fields=["status", "done", "finished_at", "progress_at"])
        services.run_scores_announce(
            chunk_bounds=run.chunk_bounds, vacancy_ids=vacancy_ids, at=locked.finished_at
        )
        task_send_after_commit("matching.scores_vacuum", run_id)

    if not rescore_table.exists(connection):
        # Not swapped in by an earlier task (the swap and the record commit together, one swap at a time): the
        # table was dropped by hand.  The live table holds the scores it had before the run.
        ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING).update(
            status=ScoringRun.Status.FAILED,
            error="its scores table is gone; the stored scores are those before the run: run it again",
            finished_at=timezone.now(),
        )
        return False
    try:
        rescore_table.swap(connection, run_vacancy_ids=vacancy_ids, inside=finish)
    except (rescore_table.SwapRefused, IntegrityError) as exc:
        # Not transient: retrying cannot help.  The run fails and its table goes; the live table is untouched.
        scoring_run_fail(run_id=run_id, error=f"its scores table could not replace the stored one: {exc}")
        return False
    return True


def scoring_run_vacuum(*, run_id: int) -> bool:
    """Vacuum and analyse the match-score table after run ``run_id`` finished (``storage.scores_table_vacuum``).
    Returns whether it ran; logs its duration in seconds.  Raises ``django.db.DatabaseError``."""
    started = time.monotonic()
    rescore_table.constraints_validate(connection)  # those a swap added NOT VALID
    ran = storage.scores_table_vacuum(connection)
    if ran:
        logger.info("scoring run %s: match scores vacuumed in %.1f s", run_id, time.monotonic() - started)
    return ran


def scoring_run_fail(*, run_id: int, error: str) -> None:
    """Record a non-transient error on a run (the message names the error, never CV text)."""
    ScoringRun.objects.filter(pk=run_id).update(
        status=ScoringRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is not None:
        _run_table_discard(run)
