"""Bulk import of vacancies and candidates from files and CSV exports (used by the commands and the API).

Every import is all-or-nothing, in two phases:

1. *read* — every file is parsed and every CSV row checked (``recruiting.import_reading``).  All problems are collected
   and raised together as one ``ImportFailed``; nothing has been written.
2. *write* — ``vacancies_write`` / ``candidates_write`` save the records inside one ``transaction.atomic()``
   through ``vacancy_upsert`` / ``candidate_upsert``.  A record whose stored text (and title, label …) is
   already the same is counted *unchanged* and not saved again, so no rescoring is enqueued for it.

The ``import_*`` functions do both.  Messages name files and CSV rows, never CV text (personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike

from django.core.files import File
from django.db import transaction

from matching import bulk_rows
from recruiting.documents import (
    IMPORT_MAX_BYTES,
)
from recruiting.import_reading import (
    TITLE_MAX_CHARS,
    Batch,
    CandidateRecord,
    ImportFailed,
    VacancyRecord,
    drop_duplicates,
    read_candidate_csv,
    read_candidate_files,
    read_vacancy_csv,
    read_vacancy_files,
)
from recruiting.models import Candidate, Vacancy

logger = logging.getLogger(__name__)

_LOOKUP_CHUNK = 500


@dataclass
class ImportReport:
    """What an import did.  ``skipped``: files in a walked folder that are not documents."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates_dropped: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self, noun: str) -> str:
        """E.g. "Imported 166 candidates (166 created, 0 updated, 0 unchanged); dropped 796 exact duplicates." """
        text = (
            f"Imported {self.total} {noun} ({self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged)"
        )
        if self.duplicates_dropped:
            text += (
                f"; dropped {self.duplicates_dropped} exact duplicate{'s' * (self.duplicates_dropped != 1)}"
            )
        if self.skipped:
            text += f"; skipped {self.skipped} file{'s' * (self.skipped != 1)} that are not documents"
        return text + "."


# --- writing ---------------------------------------------------------------------------------------------


def drop_repeats_across_inputs(batch: Batch, *, text_attr: str, by_text: bool) -> None:
    """Drop records of ``batch`` (several files merged) repeating an earlier one, counted as duplicates, by the
    rules of reading (``text_attr``: the text compared; ``by_text``: the same text alone is a repeat).  Raises
    ``ImportFailed`` when an id comes with two different texts."""
    problems: list[str] = []
    drop_duplicates(batch, text_attr=text_attr, problems=problems, by_text=by_text)
    if problems:
        raise ImportFailed(problems, what="import")


def _existing(model, source: str, references: list[str]) -> dict:
    found = {}
    for start in range(0, len(references), _LOOKUP_CHUNK):
        chunk = references[start : start + _LOOKUP_CHUNK]
        found.update({obj.reference: obj for obj in model.objects.filter(source=source, reference__in=chunk)})
    return found


def vacancies_write(
    batch: Batch, *, source: str = "import", status: str = Vacancy.Status.OPEN
) -> ImportReport:
    """Save the vacancies of ``batch`` in one transaction; unchanged ones (text, title, status) are not saved.
    Open ones not yet published are published (``vacancy_publish``: publication time, ``vacancy.published``).

    Records repeated across merged batches are dropped as in reading.  Raises ``ImportFailed`` (nothing
    saved) when an id is repeated with different texts or a save is refused.
    """
    from matching.enqueue import enqueue_scoring_batched
    from recruiting.services import vacancy_publish, vacancy_upsert

    drop_repeats_across_inputs(batch, text_attr="description", by_text=False)
    report = ImportReport(duplicates_dropped=batch.duplicates_dropped, skipped=batch.skipped)
    existing = _existing(Vacancy, source, [r.reference for r in batch.records])
    record = None
    try:
        with enqueue_scoring_batched(), transaction.atomic():  # one rescoring task per kind, after commit
            for record in batch.records:
                title = record.title.strip()[:TITLE_MAX_CHARS] or record.reference
                stored = existing.get(record.reference)
                if stored is not None and (stored.description, stored.title, stored.status) == (
                    record.description,
                    title,
                    status,
                ):
                    report.unchanged += 1
                    continue
                vacancy, created = vacancy_upsert(
                    source=source,
                    reference=record.reference,
                    title=title,
                    description=record.description,
                    status=status,
                )
                if vacancy.status == Vacancy.Status.OPEN and vacancy.published_at is None:
                    # Imported open is published: it gets its publication time and announcement like the button's.
                    vacancy_publish(vacancy=vacancy)
                if created:
                    report.created += 1
                else:
                    report.updated += 1
    except ValueError as exc:
        origin = record.origin if record is not None else source
        raise ImportFailed([f"{origin}: {exc}."], what="vacancies") from None
    logger.info("Vacancy import from %s: %s", source, report)
    return report


def candidates_write(batch: Batch, *, source: str = "import") -> ImportReport:
    """Save the candidates of ``batch`` in one transaction, storing each original CV file given.

    A candidate whose stored CV text, label, name and e-mail are the same is unchanged and not saved.
    Files stored by a failed import are deleted again.  Records repeated across merged batches are dropped
    as in reading.  Raises ``ImportFailed`` (nothing saved) when an id is repeated with different texts or
    a save is refused.
    """
    from matching.enqueue import enqueue_scoring_batched
    from recruiting.services import candidate_upsert

    drop_repeats_across_inputs(batch, text_attr="cv_text", by_text=True)
    report = ImportReport(duplicates_dropped=batch.duplicates_dropped, skipped=batch.skipped)
    existing = _existing(Candidate, source, [r.reference for r in batch.records])
    stored_files: list = []  # (storage, name) written by this import, removed again on failure
    record = None
    try:
        with enqueue_scoring_batched(), transaction.atomic():  # one rescoring task per kind, after commit
            for record in batch.records:
                stored = existing.get(record.reference)
                if stored is not None and _candidate_unchanged(stored, record):
                    report.unchanged += 1
                    continue
                old_file = stored.cv_file.name if stored is not None and record.path else ""
                if record.path is not None:
                    with record.path.open("rb") as handle:
                        candidate, created = candidate_upsert(
                            source=source,
                            reference=record.reference,
                            cv_text=record.cv_text,
                            name=record.name,
                            email=record.email,
                            source_label=record.source_label,
                            cv_file=File(handle, name=record.path.name),
                        )
                    stored_files.append((candidate.cv_file.storage, candidate.cv_file.name))
                    if old_file and old_file != candidate.cv_file.name:
                        storage = candidate.cv_file.storage
                        transaction.on_commit(lambda s=storage, n=old_file: s.delete(n))
                else:
                    _, created = candidate_upsert(
                        source=source,
                        reference=record.reference,
                        cv_text=record.cv_text,
                        name=record.name,
                        email=record.email,
                        source_label=record.source_label,
                    )
                if created:
                    report.created += 1
                else:
                    report.updated += 1
    except BaseException as exc:
        for storage, name in stored_files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete the CV file %s after a failed import", name)
        if isinstance(exc, (ValueError, OSError)) and record is not None:
            raise ImportFailed([f"{record.origin}: {exc}."], what="candidates") from None
        raise
    logger.info("Candidate import from %s: %s", source, report)
    return report


# --- one chunk of an import run, in bulk ------------------------------------------------------------------


@dataclass
class ChunkWrite:
    """What writing one chunk changed: ids created, the stored values of the records updated (``[{"id": …,
    field: value}]`` over ``*_IMPORT_FIELDS``, to undo a failed run) and the ids to rescore (created + updated)."""

    created_ids: list[int] = field(default_factory=list)
    previous: list[dict] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def created(self) -> int:
        return len(self.created_ids)

    @property
    def updated(self) -> int:
        return len(self.previous)


def _fields_or_failed(record, make) -> dict:
    try:
        return make()
    except ValueError as exc:
        raise ImportFailed([f"{record.origin}: {exc}."], what="import") from None


def _bulk_save(
    model, staged: Sequence[tuple], import_fields: Sequence[str], *, source: str, result: ChunkWrite
) -> list:
    """Save ``staged`` ``(stored row or None, reference, fields)`` of one chunk: the new rows in one write (on
    PostgreSQL their ids taken from the table's sequence, then one COPY: ``matching.bulk_rows``; elsewhere one
    ``bulk_create``), the changed ones in one update of ``import_fields`` (``bulk_rows.rows_update``) after keeping their old values in
    ``result.previous`` (to undo a failed run); sets ``result.created_ids``.  Returns the saved rows, new first."""
    from django.utils import timezone

    new, changed = [], []
    now = timezone.now()
    for stored, reference, fields in staged:
        if stored is None:
            new.append(model(source=source, reference=reference, **fields))
            continue
        result.previous.append({"id": stored.pk, **{f: getattr(stored, f) for f in import_fields}})
        for name, value in fields.items():
            setattr(stored, name, value)
        stored.updated_at = now
        changed.append(stored)
    ids = bulk_rows.ids_reserve(model, len(new))  # None without a sequence (SQLite): bulk_create sets them
    if ids is not None:
        for row, pk in zip(new, ids, strict=True):
            row.pk = pk
    bulk_rows.rows_insert(model, new)  # COPY on PostgreSQL, bulk_create elsewhere
    # One UPDATE … FROM (VALUES …) on PostgreSQL (bulk_update's CASE per field is quadratic in the rows)
    bulk_rows.rows_update(model, changed, [*import_fields, "updated_at"])
    result.created_ids = [row.pk for row in new]
    return [*new, *changed]


def candidates_write_chunk(records: Sequence[CandidateRecord], *, source: str) -> ChunkWrite:
    """Save one chunk of CSV candidates (no files; texts repaired, as ``read_candidate_csv`` gives them) in bulk,
    inside the caller's transaction: the stored rows read
    in one query per 500 references, the new ones in one ``bulk_create``, the changed ones in one ``bulk_update``
    (the fields ``recruiting.services.candidate_import_fields`` gives, as ``candidate_upsert`` stores them), then
    the saved candidates' profiles extracted together by ``matching.profiles.candidates_refresh_profiles`` (the
    rule of ``candidate_upsert``'s per-row path, with one set of bulk writes for the chunk).  Unchanged candidates are left alone, as in ``candidates_write``.
    Enqueues no rescoring: the import run does, once, when every chunk is written.  Raises ``ImportFailed``
    naming the row whose text is refused."""

    from matching.profiles import candidates_refresh_profiles
    from recruiting.services import CANDIDATE_IMPORT_FIELDS, candidate_import_fields

    result = ChunkWrite()
    existing = _existing(Candidate, source, [r.reference for r in records])
    staged = []
    for record in records:
        stored = existing.get(record.reference)
        if stored is not None and _candidate_unchanged(stored, record):
            result.unchanged += 1
            continue
        fields = _fields_or_failed(
            record,
            lambda record=record: candidate_import_fields(
                cv_text=record.cv_text,
                name=record.name,
                email=record.email,
                source_label=record.source_label,
                repaired=True,  # by read_candidate_csv
            ),
        )
        staged.append((stored, record.reference, fields))
    saved = _bulk_save(Candidate, staged, CANDIDATE_IMPORT_FIELDS, source=source, result=result)
    candidates_refresh_profiles(candidates=saved)
    result.changed_ids.extend(candidate.pk for candidate in saved)
    return result


def vacancies_write_chunk(
    records: Sequence[VacancyRecord], *, source: str, status: str = Vacancy.Status.OPEN
) -> ChunkWrite:
    """Save one chunk of CSV vacancies in bulk, inside the caller's transaction, like ``candidates_write_chunk``:
    the fields of ``recruiting.services.vacancy_import_fields``, then each saved vacancy's profile by
    ``matching.profiles.vacancy_refresh_profile`` unless a recruiter edited its requirements (as
    ``vacancy_upsert``).  Unchanged ones (text, title, status) are left alone.  Publishes nothing and enqueues no
    rescoring: the import run does both when every chunk is written.  Raises ``ImportFailed`` naming the row."""

    from matching.profiles import vacancy_refresh_profile
    from matching.vocabulary_store import vocabulary_held
    from recruiting.services import VACANCY_IMPORT_FIELDS, vacancy_import_fields

    result = ChunkWrite()
    existing = _existing(Vacancy, source, [r.reference for r in records])
    staged = []
    for record in records:
        title = record.title.strip()[:TITLE_MAX_CHARS] or record.reference
        stored = existing.get(record.reference)
        if stored is not None and (stored.description, stored.title, stored.status) == (
            record.description,
            title,
            status,
        ):
            result.unchanged += 1
            continue
        fields = _fields_or_failed(
            record,
            lambda record=record, title=title: vacancy_import_fields(
                reference=record.reference,
                title=title,
                description=record.description,
                status=status,
                repaired=True,  # by read_vacancy_csv
            ),
        )
        staged.append((stored, record.reference, fields))
    saved = _bulk_save(Vacancy, staged, VACANCY_IMPORT_FIELDS, source=source, result=result)
    created = set(result.created_ids)
    with vocabulary_held():
        for vacancy in saved:
            if vacancy.pk in created or not vacancy.requirements_edited:
                vacancy_refresh_profile(vacancy=vacancy)
            result.changed_ids.append(vacancy.pk)
    return result


def _candidate_unchanged(stored: Candidate, record: CandidateRecord) -> bool:
    return (
        stored.cv_text == record.cv_text
        and stored.source_label == record.source_label.strip()[:200]
        and (not record.name or stored.name == record.name.strip()[:200])
        and (not record.email or stored.email == record.email.strip())
        and (record.path is None or bool(stored.cv_file))
    )


# --- one call each ---------------------------------------------------------------------------------------


def import_vacancy_files(
    paths: Iterable[str | PathLike],
    *,
    source: str = "import",
    status: str = Vacancy.Status.OPEN,
    max_bytes: int = IMPORT_MAX_BYTES,
) -> ImportReport:
    """Read every vacancy file, then save them all or nothing.  Raises ``ImportFailed``."""
    return vacancies_write(read_vacancy_files(paths, max_bytes=max_bytes), source=source, status=status)


def import_vacancy_csv(
    path: str | PathLike,
    *,
    text_column: str,
    title_column: str,
    id_column: str,
    source: str = "import",
    status: str = Vacancy.Status.OPEN,
) -> ImportReport:
    """Read and check every row of a vacancy CSV, then save them all or nothing.  Raises ``ImportFailed``."""
    batch = read_vacancy_csv(path, text_column=text_column, title_column=title_column, id_column=id_column)
    return vacancies_write(batch, source=source, status=status)


def import_candidate_csv(
    path: str | PathLike,
    *,
    text_column: str,
    id_column: str | None = None,
    label_column: str | None = None,
    name_column: str | None = None,
    email_column: str | None = None,
    source: str = "import",
) -> ImportReport:
    """Read and check every row of a CV CSV, then save them all or nothing.  Raises ``ImportFailed``."""
    batch = read_candidate_csv(
        path,
        text_column=text_column,
        id_column=id_column,
        label_column=label_column,
        name_column=name_column,
        email_column=email_column,
    )
    return candidates_write(batch, source=source)


def import_candidate_files(
    paths: Iterable[str | PathLike], *, source: str = "import", max_bytes: int = IMPORT_MAX_BYTES
) -> ImportReport:
    """Read every CV file, then save them all or nothing, storing the originals.  Raises ``ImportFailed``."""
    return candidates_write(read_candidate_files(paths, max_bytes=max_bytes), source=source)
