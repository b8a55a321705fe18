"""Reading the text of a CV or vacancy document: PDF, Word DOCX or plain UTF-8 text.

The type is detected from the content (magic bytes), never trusted from the file name; the name's extension
is only a cross-check (a ``cv.pdf`` that is not a PDF is an error, not a guess).  Every failure raises
``DocumentError`` with a message meant for the person who supplied the file: it names the file (base name
only) and says what to do, and it never quotes the document's text — CVs are personal data.

Hostile input is bounded: the file size (``max_bytes``), the PDF pages read (``max_pages``), the characters
kept (``max_chars``) and the uncompressed size of a DOCX archive (``max_unzipped_bytes``).
"""

from __future__ import annotations

import io
import zipfile
from os import PathLike
from pathlib import Path

from django.conf import settings

# Limits for files imported by a command (bigger than an upload's ``settings.CV_MAX_UPLOAD_BYTES``).
IMPORT_MAX_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 50
MAX_CHARS = 200_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000

# The extensions whose content must match them, and the text extensions accepted.
PDF_EXTENSIONS = frozenset({".pdf"})
DOCX_EXTENSIONS = frozenset({".docx"})
TEXT_EXTENSIONS = frozenset({".txt", ".md"})
#: The file types of a CV or vacancy document: exactly what ``read_document`` reads.  The one list for the
#: portal's CV upload, the import commands and the storage names of CV files (issue 13: there were three).
DOCUMENT_EXTENSIONS = PDF_EXTENSIONS | DOCX_EXTENSIONS | TEXT_EXTENSIONS
#: How a stored document of each type is served when downloaded.
DOCUMENT_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}
#: The accepted types in words, for messages and help texts.
DOCUMENT_TYPES_TEXT = "PDF, DOCX, TXT or MD"

_PDF, _DOCX, _TEXT = "pdf", "docx", "text"
_KIND_DESCRIPTIONS = {
    _PDF: "a PDF document",
    _DOCX: "a Word DOCX document",
    _TEXT: "plain text",
    "zip": "a ZIP archive of another kind",
    "badzip": "a damaged ZIP archive",
    "ole": "a legacy Microsoft Office file (e.g. an old .doc)",
    "utf16": "UTF-16 text",
    "binary": "binary data of an unsupported type",
}


class DocumentError(ValueError):
    """A document that cannot be read; the message is safe to show to the person who supplied it."""


def document_download(file, *, stem: str):
    """A stored CV file (a ``FieldFile``) as a download, the one way every page serves one: named ``stem`` plus the
    file's extension (stored names are random, ``recruiting.models.cv_upload_to``), the content type of that
    extension (``DOCUMENT_CONTENT_TYPES``), never sniffed, never cached.  Returns a streaming ``FileResponse``;
    raises ``FileNotFoundError`` when storage lacks the file (the caller answers 404)."""
    from django.http import FileResponse

    extension = Path(file.name).suffix.lower()
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{stem}{extension}",
        content_type=DOCUMENT_CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def display_name(filename: str | PathLike | None) -> str:
    """The base name of ``filename`` (POSIX or Windows path), for messages; ``"the file"`` when empty."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name or "the file"


def has_document_extension(filename: str | PathLike | None) -> bool:
    """Whether ``filename`` (any path; only its base name counts) ends in one of ``DOCUMENT_EXTENSIONS``."""
    return Path(display_name(filename)).suffix.lower() in DOCUMENT_EXTENSIONS


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _sniff(data: bytes) -> str:
    """The kind of content: pdf | docx | zip | ole | utf16 | binary | text (bytes not yet decoded)."""
    head = data[:1024]
    if head.lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return "badzip"
        return _DOCX if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if b"\x00" in data[:8192]:
        return "binary"
    return _TEXT


def read_document(
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    max_pages: int = MAX_PDF_PAGES,
    max_chars: int = MAX_CHARS,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
) -> str:
    """The text of the document ``data`` (named ``filename``), repaired with ftfy (``repair_text``).

    ``max_bytes`` defaults to ``settings.CV_MAX_UPLOAD_BYTES``.  Only the first ``max_pages`` pages of a
    PDF are read and the text is cut at ``max_chars`` characters.

    Raises ``DocumentError`` when the file is too large; is empty or has no text (e.g. a scanned PDF with
    no text layer); is a corrupt, truncated or password-protected PDF; is a corrupt DOCX or one whose
    archive expands beyond ``max_unzipped_bytes``; is of an unsupported type (binary data, a legacy .doc,
    another ZIP); is text that is not valid UTF-8; or when its content does not match a ``.pdf``/``.docx``
    extension.
    """
    name = display_name(filename)
    limit = settings.CV_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise DocumentError(f"{name} is {_size(len(data))}; the largest file accepted is {_size(limit)}.")
    if not data.strip():
        raise DocumentError(f"{name} is empty.")

    kind = _sniff(data)
    extension = Path(name).suffix.lower()
    expected = _PDF if extension in PDF_EXTENSIONS else _DOCX if extension in DOCX_EXTENSIONS else None
    if expected == _DOCX and kind == "badzip":
        raise DocumentError(f"{name} is a corrupt or truncated Word DOCX document; save it again and retry.")
    if expected is not None and kind != expected:
        label = "a PDF" if expected == _PDF else "a Word DOCX document"
        raise DocumentError(f"{name} is not {label} (its content is {_KIND_DESCRIPTIONS[kind]}).")

    if kind == _PDF:
        text = _pdf_text(data, name, max_pages=max_pages, max_chars=max_chars)
    elif kind == _DOCX:
        text = _docx_text(data, name, max_chars=max_chars, max_unzipped_bytes=max_unzipped_bytes)
    elif kind == _TEXT:
        text = _plain_text(data, name)
    elif kind == "ole":
        raise DocumentError(
            f"{name} is a legacy Microsoft Office file (e.g. an old .doc), which is not supported; "
            "save it as DOCX or PDF."
        )
    elif kind == "utf16":
        raise DocumentError(f"{name} is UTF-16 text, which is not supported; save it as UTF-8.")
    else:
        raise DocumentError(
            f"{name} is not a supported document ({_KIND_DESCRIPTIONS[kind]}); use PDF, DOCX or UTF-8 text."
        )

    from matching.extraction import repair_text  # lazy: matching imports recruiting

    text = repair_text(text[:max_chars]).strip()
    if not text:
        if kind == _PDF:
            raise DocumentError(
                f"{name} has no text layer (it may be a scanned image); save it as a PDF with text or as DOCX."
            )
        raise DocumentError(f"{name} contains no text.")
    return text


def read_document_path(path: str | PathLike, *, max_bytes: int = IMPORT_MAX_BYTES, **limits) -> str:
    """The text of the document at ``path``; the size is checked before the file is read.

    ``limits`` are passed to ``read_document``.  Raises ``DocumentError`` as ``read_document`` does, and
    when the file cannot be opened (missing, a folder, no permission).
    """
    path = Path(path)
    name = display_name(path.name)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DocumentError(f"{name} is not a file.")
        if size > max_bytes:
            raise DocumentError(f"{name} is {_size(size)}; the largest file accepted is {_size(max_bytes)}.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{name} does not exist.") from None
    except PermissionError:
        raise DocumentError(f"{name} cannot be read (permission denied).") from None
    except IsADirectoryError:
        raise DocumentError(f"{name} is not a file.") from None
    return read_document(data, name, max_bytes=max_bytes, **limits)


def _plain_text(data: bytes, name: str) -> str:
    offset = 0
    if data.startswith(b"\xef\xbb\xbf"):  # UTF-8 byte-order mark
        data, offset = data[3:], 3
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name} is not valid UTF-8 text (first bad byte at offset {exc.start + offset}); save it as UTF-8."
        ) from None
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\x0c")
    if control > 0.05 * min(len(text), 8192):
        raise DocumentError(
            f"{name} is not a supported document (binary data of an unsupported type); "
            "use PDF, DOCX or UTF-8 text."
        )
    return text


def _pdf_text(data: bytes, name: str, *, max_pages: int, max_chars: int) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    encrypted = DocumentError(
        f"{name} is a password-protected PDF; save it without a password and try again."
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):  # many PDFs only restrict editing and open with no password
                    raise encrypted
            except (DependencyError, NotImplementedError, FileNotDecryptedError, PdfReadError):
                raise encrypted from None
        parts: list[str] = []
        total = 0
        for index, page in enumerate(reader.pages):
            if index >= max_pages or total >= max_chars:
                break
            part = page.extract_text() or ""
            parts.append(part)
            total += len(part) + 1
    except DocumentError:
        raise
    except FileNotDecryptedError:
        raise encrypted from None
    except RecursionError:
        raise DocumentError(f"{name} is a corrupt PDF (its structure is nested too deeply).") from None
    except Exception:  # noqa: BLE001 - pypdf raises many types on damaged input; none is the caller's bug
        raise DocumentError(f"{name} is a corrupt or truncated PDF; export it again and retry.") from None
    return "\n".join(parts)


def _docx_text(data: bytes, name: str, *, max_chars: int, max_unzipped_bytes: int) -> str:
    corrupt = DocumentError(f"{name} is a corrupt Word DOCX document; save it again and retry.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise DocumentError(f"{name} is not accepted: its archive holds {len(entries)} entries.")
            unzipped = sum(entry.file_size for entry in entries)
            if unzipped > max_unzipped_bytes:
                raise DocumentError(
                    f"{name} is not accepted: it expands to {_size(unzipped)} "
                    f"(more than {_size(max_unzipped_bytes)})."
                )
            if archive.testzip() is not None:
                raise corrupt
    except DocumentError:
        raise
    except Exception:  # noqa: BLE001 - zipfile/zlib errors on damaged archives
        raise corrupt from None

    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        total = 0
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        text = cell.text.strip()
                        if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                            cells.append(text)
                    if cells:
                        lines.append("\t".join(cells))
                        total += len(lines[-1]) + 1
            else:
                lines.append(block.text)
                total += len(block.text) + 1
            if total >= max_chars:
                break
    except Exception:  # noqa: BLE001 - python-docx/lxml errors on damaged parts
        raise corrupt from None
    return "\n".join(lines)
