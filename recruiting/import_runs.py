"""Import runs: a CSV import of candidates or vacancies cut into chunks that any number of workers write in
parallel (``recruiting.import_chunk`` tasks), or that the command writes one after another when there is no broker.

The database, not the broker or a disk, holds the work: ``import_run_start`` stores each chunk's records in an
``ImportChunk`` row, so a worker on another machine needs no file.  Every import stays all or nothing per file:

- a chunk writes its records (``recruiting.importers.*_write_chunk``: bulk writes, then the profile extraction
  of ``candidate_upsert`` / ``vacancy_upsert``, in bulk for candidates) and, in the same transaction, takes the run's row lock
  and records itself as written — only while the run is still running; otherwise its writes roll back;
- a chunk that fails for good fails the run (``import_run_fail``): under the same lock the run is marked failed
  and every chunk already written is undone (created rows deleted, updated rows given back their stored values
  and their profiles extracted again), so no later chunk can commit and nothing stays half-written;
- the chunk that completes the run publishes imported open vacancies and enqueues the rescoring of everything
  created or updated, once per import (``matching.enqueue.enqueue_scoring_batched``).

A re-run of the same file changes nothing: unchanged records are counted and left alone (``importers``' rules).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

from django.db import transaction
from django.utils import timezone

from matching import bulk_rows
from matching import enqueue as matching_enqueue
from matching import profiles as matching_profiles
from recruiting import importers
from recruiting.import_reading import Batch, CandidateRecord, ImportFailed, VacancyRecord
from recruiting.importers import ImportReport
from recruiting.models import Candidate, ImportChunk, ImportRun, Vacancy

#: Records per chunk task unless the command says otherwise (``--chunk-size``).
IMPORT_CHUNK_SIZE = 1000
_ACTIVE = (ImportRun.Status.PENDING, ImportRun.Status.RUNNING)


# Chunk payloads stored per COPY while the next are encoded.
_STORE_BATCH = 20


def _encode(records: list) -> bytes:
    """One chunk's records as compressed JSON: a list of their fields but ``path`` (``_decode`` reads it back).
    The fields are read directly (``dataclasses.asdict`` deep-copies every value: a tenth of the encoding)."""
    names = [f.name for f in fields(records[0]) if f.name != "path"] if records else []
    rows = [{name: getattr(r, name) for name in names} for r in records]
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"), 1)


def _chunks_store(run: ImportRun, chunks: list[list]) -> None:
    """Store ``chunks`` as ``run``'s ``ImportChunk`` rows, ``_STORE_BATCH`` to a COPY (``bulk_rows.rows_insert``;
    an ``INSERT`` of 20 payloads of ~1.5 MB was formatted as a query text of escaped bytes for PostgreSQL to parse
    again: 4.0 s of the 6.4 s this took at 100,000 CVs, measured with cProfile).  The payloads are encoded
    on a few threads while the earlier ones are sent: zlib and the database's socket release the GIL
    (``import_run_start`` over 20,000 CVs: 4.4 → 2.5 s against encoding them one by one first)."""
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        payloads = pool.map(_encode, chunks)  # in order, computed ahead of the inserts
        batch = []
        for i, (chunk, payload) in enumerate(zip(chunks, payloads, strict=True)):
            batch.append(ImportChunk(run=run, index=i, rows=len(chunk), payload=payload))
            if len(batch) == _STORE_BATCH:
                bulk_rows.rows_insert(ImportChunk, batch)
                batch = []
        bulk_rows.rows_insert(ImportChunk, batch)


def _decode(kind: str, payload: bytes) -> list:
    record = CandidateRecord if kind == ImportRun.Kind.CANDIDATES else VacancyRecord
    return [record(**row) for row in json.loads(zlib.decompress(bytes(payload)).decode("utf-8"))]


def import_run_start(
    *,
    kind: str,
    batch: Batch,
    source: str = "import",
    origin: str = "",
    status: str = Vacancy.Status.OPEN,
    chunk_size: int = IMPORT_CHUNK_SIZE,
    in_process: bool = False,
) -> ImportRun:
    """Record an import run of ``batch`` (records read and checked by ``importers.read_*_csv``; CV files are not
    supported here) cut into chunks of ``chunk_size`` records, and — unless ``in_process`` — enqueue one
    ``recruiting.import_chunk`` task per chunk after commit.  ``in_process``: the caller writes the chunks itself
    (``import_run_process``).  ``status``: the status given to imported vacancies.  Records repeated across merged
    files are dropped as in reading.  Raises ``ImportFailed`` for an id given twice with different texts, or
    ``ValueError`` for a ``chunk_size`` below 1 or a record with a file."""
    if chunk_size < 1:
        raise ValueError("the chunk size must be at least 1")
    if any(getattr(r, "path", None) is not None for r in batch.records):
        raise ValueError(
            "an import run takes CSV records; CV files are imported by importers.candidates_write"
        )
    candidates = kind == ImportRun.Kind.CANDIDATES
    importers.drop_repeats_across_inputs(
        batch, text_attr="cv_text" if candidates else "description", by_text=candidates
    )
    records = batch.records
    chunks = [records[i : i + chunk_size] for i in range(0, len(records), chunk_size)]
    run = ImportRun.objects.create(
        kind=kind,
        source=source,
        origin=origin[:500],
        params={} if candidates else {"status": status},
        in_process=in_process,
        rows_total=len(records),
        chunks_total=len(chunks),
        duplicates_dropped=batch.duplicates_dropped,
        progress_at=timezone.now(),
    )
    _chunks_store(run, chunks)
    if not chunks:
        run.status, run.started_at, run.finished_at = ImportRun.Status.DONE, run.created_at, timezone.now()
        run.save(update_fields=["status", "started_at", "finished_at"])
    elif not in_process:
        for index in range(len(chunks)):
            matching_enqueue.task_send_after_commit("recruiting.import_chunk", run.pk, index)
    return run


def import_chunk_write(*, run_id: int, index: int) -> bool:
    """Write chunk ``index`` of import run ``run_id`` in one transaction and record it as written; the chunk that
    completes the run finishes it (publishes imported open vacancies, enqueues the rescoring once).  Returns
    ``False`` when nothing was written: the chunk was written already (a redelivered task) or the run is no longer
    in progress (failed: its writes are rolled back).  Raises ``ImportFailed`` naming a refused row, or whatever
    the database raises; the caller then fails the run (``import_run_fail``)."""
    ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    with transaction.atomic():
        # The chunk's own lock: a redelivered copy of this chunk waits here instead of racing it.
        # of=self: lock this chunk's row alone, never the run's, which would serialise the workers.
        chunk = ImportChunk.objects.select_for_update(of=("self",)).filter(run_id=run_id, index=index).first()
        run = ImportRun.objects.filter(pk=run_id).first()
        if chunk is None or run is None or chunk.done or run.status != ImportRun.Status.RUNNING:
            return False
        records = _decode(run.kind, chunk.payload)
        if run.kind == ImportRun.Kind.CANDIDATES:
            written = importers.candidates_write_chunk(records, source=run.source)
        else:
            written = importers.vacancies_write_chunk(
                records, source=run.source, status=run.params.get("status", Vacancy.Status.OPEN)
            )
        # Commit only while the run is running: a failure recorded meanwhile (under this lock) rolls this back.
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.status != ImportRun.Status.RUNNING:
            transaction.set_rollback(True)
            return False
        chunk.done, chunk.payload = True, b""
        chunk.created_ids, chunk.previous, chunk.changed_ids = (
            written.created_ids,
            written.previous,
            written.changed_ids,
        )
        chunk.save(update_fields=["done", "payload", "created_ids", "previous", "changed_ids"])
        run.chunks_done += 1
        run.rows_done += chunk.rows
        run.created += written.created
        run.updated += written.updated
        run.unchanged += written.unchanged
        run.progress_at = timezone.now()
        if run.chunks_done >= run.chunks_total:
            _finish(run)
        run.save()
    return True


def _finish(run: ImportRun) -> None:
    """Every chunk is written: publish the imported open vacancies and enqueue the rescoring of every record
    created or updated, as one batch per kind after commit."""
    changed: set[int] = set()
    for ids in ImportChunk.objects.filter(run=run).values_list("changed_ids", flat=True):
        changed.update(ids)
    with matching_enqueue.enqueue_scoring_batched():
        if run.kind == ImportRun.Kind.CANDIDATES:
            for pk in sorted(changed):
                matching_enqueue.enqueue_candidate_scoring(candidate_id=pk)
        else:
            from recruiting.services import vacancy_publish

            for pk in sorted(changed):
                matching_enqueue.enqueue_vacancy_scoring(vacancy_id=pk)
            unpublished = Vacancy.objects.filter(
                pk__in=changed, status=Vacancy.Status.OPEN, published_at__isnull=True
            )
            for vacancy in unpublished.order_by("pk"):
                # Imported open is published: its publication time and announcement, like the button's.
                vacancy_publish(vacancy=vacancy)
    # Nothing is left to undo: the chunks (and the old texts of the records updated, personal data) go.
    ImportChunk.objects.filter(run=run).delete()
    run.status, run.finished_at = ImportRun.Status.DONE, timezone.now()


def import_run_fail(*, run_id: int, error: str) -> ImportRun | None:
    """Fail import run ``run_id`` and undo every chunk it wrote, in one transaction under the run's lock, so no
    chunk can commit afterwards: the records it created are deleted, the records it updated get back the values
    they had (``*_IMPORT_FIELDS``) and their profiles are extracted again.  ``error`` (≤ 2,000 characters) names
    rows and error types, never CV text.  A run already done or failed is left alone.  Returns the run (``None``
    when there is none)."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status not in _ACTIVE:
            return run
        model = Candidate if run.kind == ImportRun.Kind.CANDIDATES else Vacancy
        written = list(ImportChunk.objects.filter(run=run, done=True))
        created = [pk for chunk in written for pk in chunk.created_ids]
        previous = [row for chunk in written for row in chunk.previous]
        for start in range(0, len(created), 1000):
            model.objects.filter(pk__in=created[start : start + 1000]).delete()
        if previous:
            _restore(model, previous)
        ImportChunk.objects.filter(run=run).delete()
        run.status, run.error, run.finished_at = ImportRun.Status.FAILED, error[:2000], timezone.now()
        run.undone = bool(written)
        run.save(update_fields=["status", "error", "finished_at", "undone"])
    return run


def _restore(model, previous: list[dict]) -> None:
    from recruiting.services import CANDIDATE_IMPORT_FIELDS, VACANCY_IMPORT_FIELDS

    fields = CANDIDATE_IMPORT_FIELDS if model is Candidate else VACANCY_IMPORT_FIELDS
    stored = model.objects.in_bulk([row["id"] for row in previous])
    now = timezone.now()
    restored = []
    for row in previous:
        obj = stored.get(row["id"])
        if obj is None:
            continue
        for name in fields:
            setattr(obj, name, model._meta.get_field(name).to_python(row[name]))
        obj.updated_at = (
            now  # newer than any score computed from the undone text: the stale sweep redoes them
        )
        restored.append(obj)
    model.objects.bulk_update(restored, [*fields, "updated_at"], batch_size=500)
    if model is Candidate:
        matching_profiles.candidates_refresh_profiles(candidates=restored)
        return
    for obj in restored:
        if not obj.requirements_edited:
            matching_profiles.vacancy_refresh_profile(vacancy=obj)


def chunk_error(*, run_id: int, index: int, exc: BaseException) -> str:
    """The error recorded for a chunk that failed: the refused row for an ``ImportFailed``, otherwise the chunk, its
    rows and the error's type (never its message: a database error may quote a CV)."""
    if isinstance(exc, ImportFailed):
        return "; ".join(exc.problems)
    rows = ImportChunk.objects.filter(run_id=run_id, index=index).values_list("rows", flat=True).first()
    return f"chunk {index} ({rows or 0} rows) failed: {type(exc).__name__}"


def import_run_process(*, run_id: int, on_chunk: Callable[[ImportRun], None] | None = None) -> ImportRun:
    """Write every chunk of an ``in_process`` run here, one after another (no broker: the command's own process),
    calling ``on_chunk(run)`` after each.  A chunk that raises fails the run and undoes it (``import_run_fail``),
    then raises ``ImportFailed`` (nothing imported) chained to the error.  Returns the finished run."""
    run = ImportRun.objects.get(pk=run_id)
    for index in range(run.chunks_total):
        try:
            import_chunk_write(run_id=run_id, index=index)
        except Exception as exc:
            error = chunk_error(run_id=run_id, index=index, exc=exc)
            import_run_fail(run_id=run_id, error=error)
            raise ImportFailed([error], what=run.origin or "import") from exc
        run.refresh_from_db()
        if on_chunk is not None:
            on_chunk(run)
    run.refresh_from_db()
    return run


def import_run_report(run: ImportRun) -> ImportReport:
    """The counts of a finished run as an ``ImportReport`` (created, updated, unchanged, duplicates dropped)."""
    return ImportReport(
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        duplicates_dropped=run.duplicates_dropped,
    )
