"""Phase 1 of an import (``recruiting.importers``): reading vacancy and CV files, CSV exports and JSON rows into
checked records.  Writes nothing.  Every problem is collected and raised together as one ``ImportFailed``; messages
name files and CSV rows, never CV text (personal data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from recruiting.documents import (
    DOCUMENT_EXTENSIONS,
    IMPORT_MAX_BYTES,
    DocumentError,
    display_name,
    read_document_path,
)

MAX_PROBLEM_LINES = 20
CSV_MAX_BYTES = 200 * 1024 * 1024
CSV_FIELD_SIZE_LIMIT = 50 * 1024 * 1024  # CVs are long; the csv module's default is 128 KB
TITLE_MAX_CHARS = 300
# A CSV cell longer than this is refused (a CV is tens of thousands of characters; this is 1 MB of text).
CSV_CELL_MAX_CHARS = 1_000_000
REFERENCE_MAX_CHARS = 200


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


def _repair(text: str) -> str:
    from matching.extraction import repair_text  # lazy, as in recruiting.documents

    return repair_text(text).strip()


_PARALLEL_MIN_TEXTS = 2000  # fewer texts than this are repaired in the calling process
_pending: list[str] = []  # the texts a forked repair process reads (inherited, never sent through a pipe)


def _repair_span(span: tuple[int, int]) -> list[str | None]:
    """``_repair`` of ``_pending[start:end]`` in a forked process; ``None`` for a text repair leaves as it is (only
    changed texts travel back)."""
    out: list[str | None] = []
    for text in _pending[span[0] : span[1]]:
        fixed = _repair(text)
        out.append(None if fixed == text else fixed)
    return out


def _repair_all(texts: Sequence[str], processes: int) -> dict[str, str]:
    """Raw text → ``_repair`` of it, for the distinct ``texts``; with ``processes`` > 1 and many texts that need
    ftfy (``repair_needs_ftfy``; the others take microseconds), those in that many forked processes (ftfy is pure
    and was most of a large CSV's serial read phase)."""
    from matching.extraction import repair_needs_ftfy

    distinct = list(dict.fromkeys(texts))
    slow = [text for text in distinct if repair_needs_ftfy(text)]
    if processes <= 1 or len(slow) < _PARALLEL_MIN_TEXTS:
        return {text: _repair(text) for text in distinct}
    done = {text: _repair(text) for text in distinct if not repair_needs_ftfy(text)}
    distinct = slow
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _pending
    _pending = distinct
    try:
        step = max(1, len(distinct) // (processes * 8))
        spans = [(start, min(start + step, len(distinct))) for start in range(0, len(distinct), step)]
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            fixed = [text for part in pool.map(_repair_span, spans) for text in part]
    finally:
        _pending = []
    done.update((raw, raw if new is None else new) for raw, new in zip(distinct, fixed, strict=True))
    return done


def _repaired(cache: dict[str, str], text: str) -> str:
    if text not in cache:
        cache[text] = _repair(text)
    return cache[text]


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
    drop_duplicates(batch, text_attr="description", problems=problems)
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
    drop_duplicates(batch, text_attr="cv_text", problems=problems, by_text=True)
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
        data[offset:].decode("utf-8")  # the whole file checked before any row is read
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [
                f"{name} is not valid UTF-8 text (first bad byte at offset {exc.start + offset}); save it as UTF-8."
            ]
        ) from None

    csv.field_size_limit(min(sys.maxsize, max(CSV_FIELD_SIZE_LIMIT, csv.field_size_limit())))
    # Lines decoded as the reader asks for them ("utf-8-sig": the byte-order mark skipped), the same rows as
    # ``io.StringIO(text, newline="")`` over the decoded text, which copied a large file into a buffer of four
    # bytes a character first: the csv module alone over 100,000 CVs (480 MB) took 4.1 s against 2.9–3.3 s on an
    # idle machine, 11–14 s against 4.3–4.7 s beside another process's run (the 1.9 GB buffer's memory traffic);
    # the read phase's peak memory 3,567 → 1,231 MiB.
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))
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
    drop_duplicates(batch, text_attr="description", problems=problems)
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
    processes: int = 1,
) -> Batch:
    """Candidates from a UTF-8 CSV: one row per CV.  Mojibake (double-encoded UTF-8) is repaired (ftfy), each
    distinct text once; ``processes`` > 1 repairs a large file's texts in that many forked processes (commands
    only: never fork a threaded web worker).

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
    # raw text -> repaired: exact duplicates (and the labels rows share) are repaired once
    repaired = _repair_all([row["text"] for _, row in rows], processes)
    for number, row in rows:
        origin = f"{name} row {number}"
        cv_text = repaired[row["text"]]
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
                source_label=_repaired(repaired, row.get("label", ""))[:200],
                name=_repair(row.get("name", ""))[:200],
                email=row.get("email", "").strip(),
            )
        )
    if not rows:
        problems.append(f"{name} has no data rows.")
    batch = Batch(records=records)
    drop_duplicates(batch, text_attr="cv_text", problems=problems, by_text=True)
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


def drop_duplicates(batch: Batch, *, text_attr: str, problems: list[str], by_text: bool = False) -> None:
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
