"""Bulk import of vacancies and candidates from files and CSV exports (used by the commands and the API).

Every import is all-or-nothing, in two phases:

1. *read* — every file is parsed and every CSV row checked (``read_*`` functions).  All problems are collected
   and raised together as one ``ImportFailed``; nothing has been written.
2. *write* — ``vacancies_write`` / ``candidates_write`` save the records inside one ``transaction.atomic()``
   through ``vacancy_upsert`` / ``candidate_upsert``.  A record whose stored text (and title, label …) is
   already the same is counted *unchanged* and not saved again, so no rescoring is enqueued for it.

The ``import_*`` functions do both.  Messages name files and CSV rows, never CV text (personal data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from django.core.files import File
from django.db import transaction

from recruiting.documents import (
    DOCUMENT_EXTENSIONS,
    IMPORT_MAX_BYTES,
    DocumentError,
    display_name,
    read_document_path,
)
from recruiting.models import Candidate, Vacancy

logger = logging.getLogger(__name__)

MAX_PROBLEM_LINES = 20
CSV_MAX_BYTES = 200 * 1024 * 1024
CSV_FIELD_SIZE_LIMIT = 50 * 1024 * 1024  # CVs are long; the csv module's default is 128 KB
TITLE_MAX_CHARS = 300
# A CSV cell longer than this is refused (a CV is tens of thousands of characters; this is 1 MB of text).
CSV_CELL_MAX_CHARS = 1_000_000
REFERENCE_MAX_CHARS = 200
_LOOKUP_CHUNK = 500


class ImportFailed(Exception):
    """An import that saved nothing; ``problems`` lists every bad file or row (the message shows ≤ 20)."""

    def __init__(self, problems: Sequence[str], *, what: str = "import"):
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEM_LINES]
        lines = [f"Nothing was imported: {len(self.problems)} problem(s) in the {what}."]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  … and {len(self.problems) - len(shown)} more.")
        super().__init__("\n".join(lines))


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


@dataclass
class VacancyRecord:
    reference: str
    title: str
    description: str
    origin: str  # where it came from, for messages: "ml.txt", "jobs.csv row 7"


@dataclass
class CandidateRecord:
    reference: str
    cv_text: str
    origin: str
    source_label: str = ""
    name: str = ""
    email: str = ""
    path: Path | None = None  # the original CV file, stored in Candidate.cv_file


@dataclass
class Batch:
    """Records read and checked, not yet written."""

    records: list = field(default_factory=list)
    duplicates_dropped: int = 0
    skipped: int = 0

    def extend(self, other: Batch) -> None:
        self.records += other.records
        self.duplicates_dropped += other.duplicates_dropped
        self.skipped += other.skipped


# --- reading ---------------------------------------------------------------------------------------------


def _repair(text: str) -> str:
    from matching.extraction import repair_text  # lazy, as in recruiting.documents

    return repair_text(text).strip()


def _title_from_text(text: str) -> str:
    """The first non-empty line without markdown heading/emphasis marks, ≤ 300 characters."""
    for line in text.splitlines():
        title = line.strip().lstrip("#").strip().strip("*_").strip()
        if title:
            return title[:TITLE_MAX_CHARS]
    return ""


def collect_files(
    paths: Iterable[str | PathLike], extensions: Iterable[str] = DOCUMENT_EXTENSIONS
) -> tuple[list[Path], int, list[str]]:
    """``(files, skipped, problems)``: the document files named or found in named folders (recursively).

    A named file must have one of ``extensions``; in folders, other files and hidden/lock files (``.x``,
    ``~$x.docx``) are skipped and counted.  A missing path is a problem.
    """
    extensions = {e.lower() for e in extensions}
    files: list[Path] = []
    problems: list[str] = []
    skipped = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                hidden = any(part.startswith((".", "~$")) for part in child.relative_to(path).parts)
                if hidden or child.suffix.lower() not in extensions:
                    skipped += 1
                else:
                    files.append(child)
        elif path.is_file():
            if path.suffix.lower() in extensions:
                files.append(path)
            else:
                problems.append(
                    f"{display_name(path)}: unsupported file type (use {', '.join(sorted(extensions))})."
                )
        else:
            problems.append(f"{path}: no such file or folder.")
    return files, skipped, problems


def _read_files(
    paths: Iterable[str | PathLike], max_bytes: int
) -> tuple[list[tuple[Path, str]], int, list[str]]:
    files, skipped, problems = collect_files(paths)
    texts: list[tuple[Path, str]] = []
    for path in files:
        try:
            texts.append((path, read_document_path(path, max_bytes=max_bytes)))
        except DocumentError as exc:
            problems.append(str(exc))
    if not files and not problems:
        problems.append(f"no {', '.join(sorted(DOCUMENT_EXTENSIONS))} files were found.")
    return texts, skipped, problems


def _check_reference(reference: str, origin: str, problems: list[str]) -> None:
    if not reference:
        problems.append(f"{origin}: the id is empty.")
    elif len(reference) > REFERENCE_MAX_CHARS:
        problems.append(f"{origin}: the id is longer than {REFERENCE_MAX_CHARS} characters.")


def read_vacancy_files(paths: Iterable[str | PathLike], *, max_bytes: int = IMPORT_MAX_BYTES) -> Batch:
    """Vacancies from .txt/.md/.pdf/.docx files (folders are walked): one file is one vacancy.

    Reference = the file name without extension; title = the first non-empty line.
    Raises ``ImportFailed`` listing every unreadable file and clashing reference.
    """
    texts, skipped, problems = _read_files(paths, max_bytes)
    records = [
        VacancyRecord(reference=path.stem, title=_title_from_text(text), description=text, origin=path.name)
        for path, text in texts
    ]
    for record in records:
        _check_reference(record.reference, record.origin, problems)
    batch = Batch(records=records, skipped=skipped)
    _drop_duplicates(batch, text_attr="description", problems=problems)
    if problems:
        raise ImportFailed(problems, what="vacancy files")
    return batch


def read_candidate_files(paths: Iterable[str | PathLike], *, max_bytes: int = IMPORT_MAX_BYTES) -> Batch:
    """Candidates from CV files (.pdf, .docx, .txt, .md; folders are walked): reference = the file name stem.

    The original file is kept with the record and stored in ``Candidate.cv_file`` when written.
    Raises ``ImportFailed`` listing every unreadable file and clashing reference.
    """
    texts, skipped, problems = _read_files(paths, max_bytes)
    records = [
        CandidateRecord(reference=path.stem, cv_text=text, origin=path.name, path=path)
        for path, text in texts
    ]
    for record in records:
        _check_reference(record.reference, record.origin, problems)
    batch = Batch(records=records, skipped=skipped)
    _drop_duplicates(batch, text_attr="cv_text", problems=problems, by_text=True)
    if problems:
        raise ImportFailed(problems, what="CV files")
    return batch


def _read_csv_rows(
    path: str | PathLike, columns: dict[str, str | None], max_bytes: int
) -> list[tuple[int, dict]]:
    """``[(row_number, {role: value})]`` with the header as row 1; raises ``ImportFailed`` on a bad file."""
    path = Path(path)
    name = display_name(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFailed([f"{name} is {size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB."])
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([f"{name}: cannot be read ({exc.strerror or exc.__class__.__name__})."]) from None
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [
                f"{name} is not valid UTF-8 text (first bad byte at offset {exc.start + offset}); save it as UTF-8."
            ]
        ) from None

    csv.field_size_limit(min(sys.maxsize, max(CSV_FIELD_SIZE_LIMIT, csv.field_size_limit())))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise ImportFailed([f"{name} is empty (no header row)."])
        wanted = {role: col for role, col in columns.items() if col}
        missing = [col for col in wanted.values() if col not in header]
        if missing:
            available = ", ".join(repr(h) for h in header if h) or "none"
            raise ImportFailed(
                [f"{name}: no column {', '.join(repr(m) for m in missing)}; the columns are {available}."]
            )
        index = {role: header.index(col) for role, col in wanted.items()}
        rows, too_long = [], []
        for number, row in enumerate(reader, start=2):
            if not row:
                continue  # a blank line, not a record (an empty field is written as "")
            cells = {role: row[i] if i < len(row) else "" for role, i in index.items()}
            if any(len(value) > CSV_CELL_MAX_CHARS for value in cells.values()):
                too_long.append(
                    f"{name}: row {number} has a cell of more than {CSV_CELL_MAX_CHARS:,} characters; "
                    "that is not a CV or a vacancy text."
                )
                continue
            rows.append((number, cells))
        if too_long:
            raise ImportFailed(too_long)
    except csv.Error as exc:
        raise ImportFailed([f"{name}: malformed CSV near row {reader.line_num} ({exc})."]) from None
    return rows


def read_vacancy_csv(
    path: str | PathLike,
    *,
    text_column: str,
    title_column: str,
    id_column: str,
    max_bytes: int = CSV_MAX_BYTES,
) -> Batch:
    """Vacancies from a UTF-8 CSV: one row per vacancy.  An empty title falls back to the text's first line.

    Raises ``ImportFailed`` for an unreadable file, a missing column (listing the columns there are), and
    — all listed together — rows with an empty text or id and ids given twice with different texts.
    """
    name = display_name(path)
    rows = _read_csv_rows(path, {"text": text_column, "title": title_column, "id": id_column}, max_bytes)
    problems: list[str] = []
    records = []
    for number, row in rows:
        origin = f"{name} row {number}"
        description = _repair(row["text"])
        reference = row["id"].strip()
        if not description:
            problems.append(f"{origin}: the vacancy text is empty.")
            continue
        _check_reference(reference, origin, problems)
        title = _repair(row["title"])[:TITLE_MAX_CHARS] or _title_from_text(description)
        records.append(
            VacancyRecord(reference=reference, title=title, description=description, origin=origin)
        )
    if not rows:
        problems.append(f"{name} has no data rows.")
    batch = Batch(records=records)
    _drop_duplicates(batch, text_attr="description", problems=problems)
    if problems:
        raise ImportFailed(problems, what=name)
    return batch


def read_candidate_csv(
    path: str | PathLike,
    *,
    text_column: str,
    id_column: str | None = None,
    label_column: str | None = None,
    name_column: str | None = None,
    email_column: str | None = None,
    max_bytes: int = CSV_MAX_BYTES,
) -> Batch:
    """Candidates from a UTF-8 CSV: one row per CV.  Mojibake (double-encoded UTF-8) is repaired (ftfy).

    Without ``id_column`` the reference is ``"cv-" + sha256(repaired text)[:12]``.  Exact duplicate CVs
    (after repair) are dropped and counted.  Raises ``ImportFailed`` for an unreadable file, a missing
    column (listing the columns there are), and — all listed together — rows with an empty CV or id and
    ids given twice with different CVs.
    """
    name = display_name(path)
    columns = {
        "text": text_column,
        "id": id_column,
        "label": label_column,
        "name": name_column,
        "email": email_column,
    }
    rows = _read_csv_rows(path, columns, max_bytes)
    problems: list[str] = []
    records = []
    repaired: dict[str, str] = {}  # raw text -> repaired: exact duplicates are repaired once
    for number, row in rows:
        origin = f"{name} row {number}"
        raw = row["text"]
        cv_text = repaired.get(raw)
        if cv_text is None:
            cv_text = repaired[raw] = _repair(raw)
        if not cv_text:
            problems.append(f"{origin}: the CV text is empty.")
            continue
        if id_column:
            reference = row["id"].strip()
            _check_reference(reference, origin, problems)
        else:
            reference = "cv-" + hashlib.sha256(cv_text.encode("utf-8")).hexdigest()[:12]
        records.append(
            CandidateRecord(
                reference=reference,
                cv_text=cv_text,
                origin=origin,
                source_label=_repair(row.get("label", ""))[:200],
                name=_repair(row.get("name", ""))[:200],
                email=row.get("email", "").strip(),
            )
        )
    if not rows:
        problems.append(f"{name} has no data rows.")
    batch = Batch(records=records)
    _drop_duplicates(batch, text_attr="cv_text", problems=problems, by_text=True)
    if problems:
        raise ImportFailed(problems, what=name)
    return batch


def read_candidate_rows(rows: Iterable[Mapping[str, str]]) -> Batch:
    """A batch from candidate rows already parsed (the REST API's JSON: ``cv_text``, ``reference``, ``label``,
    ``name``, ``email``), each text repaired (ftfy) like a file's.  Raises ``ImportFailed`` listing every row
    whose CV text is empty; nothing is written here."""
    problems, records = [], []
    for index, row in enumerate(rows):
        origin = f"candidates[{index}]"
        cv_text = _repair(row["cv_text"])
        if not cv_text:
            problems.append(f"{origin}: the CV text is empty.")
            continue
        records.append(
            CandidateRecord(
                reference=row["reference"].strip(),
                cv_text=cv_text,
                origin=origin,
                source_label=row["label"].strip(),
                name=row["name"].strip(),
                email=row["email"].strip(),
            )
        )
    if problems:
        raise ImportFailed(problems)
    return Batch(records=records)


def _drop_duplicates(batch: Batch, *, text_attr: str, problems: list[str], by_text: bool = False) -> None:
    """Drop records repeating an earlier one (same reference and text; or, ``by_text``, the same text).

    The same reference with a different text is a problem: which one is meant cannot be told.
    """
    by_reference: dict[str, object] = {}
    seen_texts: set[str] = set()
    kept = []
    for record in batch.records:
        text = getattr(record, text_attr)
        earlier = by_reference.get(record.reference)
        if earlier is not None:
            if getattr(earlier, text_attr) == text:
                batch.duplicates_dropped += 1
            else:
                problems.append(
                    f"{record.origin}: the id {record.reference!r} is also used by {earlier.origin} "
                    "with a different text."
                )
            continue
        if by_text and text in seen_texts:
            batch.duplicates_dropped += 1
            continue
        by_reference[record.reference] = record
        seen_texts.add(text)
        kept.append(record)
    batch.records = kept


# --- writing ---------------------------------------------------------------------------------------------


def drop_repeats_across_inputs(batch: Batch, *, text_attr: str, by_text: bool) -> None:
    """Drop records of ``batch`` (several files merged) repeating an earlier one, counted as duplicates, by the
    rules of reading (``text_attr``: the text compared; ``by_text``: the same text alone is a repeat).  Raises
    ``ImportFailed`` when an id comes with two different texts."""
    problems: list[str] = []
    _drop_duplicates(batch, text_attr=text_attr, problems=problems, by_text=by_text)
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


def candidates_write_chunk(records: Sequence[CandidateRecord], *, source: str) -> ChunkWrite:
    """Save one chunk of CSV candidates (no files; texts repaired, as ``read_candidate_csv`` gives them) in bulk,
    inside the caller's transaction: the stored rows read
    in one query per 500 references, the new ones in one ``bulk_create``, the changed ones in one ``bulk_update``
    (the fields ``recruiting.services.candidate_import_fields`` gives, as ``candidate_upsert`` stores them), then
    each saved candidate's profile extracted by ``matching.profiles.candidate_refresh_profile`` (the same per-row
    profile path as ``candidate_upsert``).  Unchanged candidates are left alone, as in ``candidates_write``.
    Enqueues no rescoring: the import run does, once, when every chunk is written.  Raises ``ImportFailed``
    naming the row whose text is refused."""
    from django.utils import timezone

    from matching.profiles import candidate_refresh_profile
    from matching.vocabulary_store import vocabulary_held
    from recruiting.services import CANDIDATE_IMPORT_FIELDS, candidate_import_fields

    result = ChunkWrite()
    existing = _existing(Candidate, source, [r.reference for r in records])
    new, changed = [], []
    now = timezone.now()
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
        if stored is None:
            new.append(Candidate(source=source, reference=record.reference, **fields))
            continue
        result.previous.append({"id": stored.pk, **{f: getattr(stored, f) for f in CANDIDATE_IMPORT_FIELDS}})
        for name, value in fields.items():
            setattr(stored, name, value)
        stored.updated_at = now
        changed.append(stored)
    Candidate.objects.bulk_create(new, batch_size=500)
    Candidate.objects.bulk_update(changed, [*CANDIDATE_IMPORT_FIELDS, "updated_at"], batch_size=500)
    result.created_ids = [c.pk for c in new]
    with vocabulary_held():  # one vocabulary check for the chunk, not two per CV
        for candidate in [*new, *changed]:
            candidate_refresh_profile(candidate=candidate)
            result.changed_ids.append(candidate.pk)
    return result


def vacancies_write_chunk(
    records: Sequence[VacancyRecord], *, source: str, status: str = Vacancy.Status.OPEN
) -> ChunkWrite:
    """Save one chunk of CSV vacancies in bulk, inside the caller's transaction, like ``candidates_write_chunk``:
    the fields of ``recruiting.services.vacancy_import_fields``, then each saved vacancy's profile by
    ``matching.profiles.vacancy_refresh_profile`` unless a recruiter edited its requirements (as
    ``vacancy_upsert``).  Unchanged ones (text, title, status) are left alone.  Publishes nothing and enqueues no
    rescoring: the import run does both when every chunk is written.  Raises ``ImportFailed`` naming the row."""
    from django.utils import timezone

    from matching.profiles import vacancy_refresh_profile
    from matching.vocabulary_store import vocabulary_held
    from recruiting.services import VACANCY_IMPORT_FIELDS, vacancy_import_fields

    result = ChunkWrite()
    existing = _existing(Vacancy, source, [r.reference for r in records])
    new, changed = [], []
    now = timezone.now()
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
        if stored is None:
            new.append(Vacancy(source=source, reference=record.reference, **fields))
            continue
        result.previous.append({"id": stored.pk, **{f: getattr(stored, f) for f in VACANCY_IMPORT_FIELDS}})
        for name, value in fields.items():
            setattr(stored, name, value)
        stored.updated_at = now
        changed.append(stored)
    Vacancy.objects.bulk_create(new, batch_size=500)
    Vacancy.objects.bulk_update(changed, [*VACANCY_IMPORT_FIELDS, "updated_at"], batch_size=500)
    result.created_ids = [v.pk for v in new]
    created = set(result.created_ids)
    with vocabulary_held():
        for vacancy in [*new, *changed]:
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
