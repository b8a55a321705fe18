"""A corpus of hostile files, generated here (nothing downloaded): corrupt, encrypted, truncated and huge PDFs,
DOCX zip bombs and external entities, empty, binary, oversized, non-UTF-8, right-to-left, emoji, one-line and
markup-laden text, path-traversal file names, and malformed CSV exports.

``CASES`` lists them; ``case.build()`` returns the bytes (memoised: the 5,000-page PDF and the bombs are made
once per session).  ``expect`` is what ``read_document`` must do with the file: ``"refused"`` (a
``DocumentError`` with a clear message), ``"accepted"`` (text comes back), or ``"either"``.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from tests.recruiting.fixtures import make_blank_pdf, make_docx, make_encrypted_pdf, make_pdf, make_zip

CV_TEXT = (
    "Machine Learning Engineer\n"
    "Six years of Python, PyTorch and scikit-learn in production; Kubernetes, AWS and SQL.\n"
    "MSc Computer Science.\n"
)
# From /etc/passwd: if any of these appears in stored or served text, an external entity was resolved.
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "daemon:x:", "nologin")
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
MARKUP = f'{SCRIPT} {IMG} <a href="javascript:alert(3)">x</a>'

BIG_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 110 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    filename: str
    builder: Callable[[], bytes]
    expect: str  # refused | accepted | either (for read_document)
    what: str

    def build(self) -> bytes:
        return _memo(self.id, self.builder)


_CACHE: dict[str, bytes] = {}


def _memo(key: str, builder: Callable[[], bytes]) -> bytes:
    if key not in _CACHE:
        _CACHE[key] = builder()
    return _CACHE[key]


# --- PDFs -------------------------------------------------------------------------------------------------------
def _pdf() -> bytes:
    return make_pdf(CV_TEXT)


def corrupt_pdf() -> bytes:
    import random

    rng = random.Random(8)
    return b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20_000))


def truncated_pdf() -> bytes:
    data = make_pdf([CV_TEXT] * 3)
    return data[: len(data) // 2]


def encrypted_pdf() -> bytes:
    return make_encrypted_pdf(CV_TEXT)


def huge_page_count_pdf(pages: int = 5_000) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def deeply_nested_pdf(depth: int = 50_000) -> bytes:
    """An object nested ``depth`` arrays deep: a recursive parser runs out of stack."""
    body = b"[" * depth + b"]" * depth
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Evil " + body + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def xref_loop_pdf() -> bytes:
    """Page tree whose kid is its own parent (a loop)."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n"
    )


def javascript_pdf() -> bytes:
    """A PDF with an /OpenAction that runs JavaScript (never executed: only text is read)."""
    data = make_pdf(CV_TEXT)
    return data.replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
    )


def markup_pdf() -> bytes:
    return make_pdf(f"{CV_TEXT}{MARKUP}")


# --- DOCX -------------------------------------------------------------------------------------------------------
def _docx() -> bytes:
    return make_docx(CV_TEXT.splitlines())


def _zip_with_real_docx_parts(
    extra: dict[str, bytes] | None = None,
    replace: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as out:
        for info in source.infolist():
            out.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return buffer.getvalue()


def docx_zip_bomb() -> bytes:
    """A DOCX whose one extra part inflates to 110 MB of zeros (about 110 KB compressed)."""
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        with out.open("word/media/zeros.bin", "w") as handle:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                handle.write(chunk)
    return buffer.getvalue()


def docx_lying_bomb() -> bytes:
    """The bomb again, but its central directory claims the big part is 1 KB: only inflating it tells."""
    data = bytearray(docx_bomb_bytes())
    name = b"word/media/zeros.bin"
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name:
            struct.pack_into("<I", data, at + 24, 1024)  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def docx_bomb_bytes() -> bytes:
    return _memo("docx_zip_bomb", docx_zip_bomb)


def docx_many_entries() -> bytes:
    return _zip_with_real_docx_parts(
        extra={f"customXml/bulk{i}.xml": b"<a/>" for i in range(6_000)}, compression=zipfile.ZIP_STORED
    )


XXE_DOCUMENT = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE w:document [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "http://127.0.0.1:9/xxe">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:body>
    <w:p><w:r><w:t>Machine Learning Engineer with Python and PyTorch.</w:t></w:r></w:p>
    <w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>
    <w:p><w:r><w:t>&remote;</w:t></w:r></w:p>
  </w:body>
</w:document>
"""

LAUGHS_DOCUMENT = (
    b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [
"""
    + b"".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">\n'.encode() for i in range(10))
    + b"""]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:body><w:p><w:r><w:t>Python engineer &lol9;</w:t></w:r></w:p></w:body>
</w:document>
"""
)


def docx_xxe() -> bytes:
    return _zip_with_real_docx_parts(replace={"word/document.xml": XXE_DOCUMENT})


def docx_billion_laughs() -> bytes:
    return _zip_with_real_docx_parts(replace={"word/document.xml": LAUGHS_DOCUMENT})


def corrupt_docx() -> bytes:
    return b"PK\x03\x04" + b"\x14\x00\x00\x00\x08\x00" + b"\xde\xad\xbe\xef" * 2_000


def truncated_docx() -> bytes:
    data = _docx()
    return data[: len(data) // 2]


def zip_not_docx() -> bytes:
    return make_zip({"notes.txt": CV_TEXT.encode(), "evil/../../x.txt": b"x"})


def markup_docx() -> bytes:
    return make_docx([*CV_TEXT.splitlines(), MARKUP])


def ole_renamed_docx() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4_000


# --- anything ---------------------------------------------------------------------------------------------------
def elf_binary() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + bytes(range(256)) * 40


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 2_000


def fifty_mb_pdf() -> bytes:
    head = make_pdf(CV_TEXT)
    return head + b"%" + b"0" * (BIG_BYTES - len(head) - 1)


def latin1_text() -> bytes:
    return ("Ingénieur en apprentissage automatique. Café, naïve, Zürich. " * 20).encode("latin-1")


def utf16_text() -> bytes:
    return CV_TEXT.encode("utf-16")


def rtl_text() -> bytes:
    return (
        "مهندس تعلم الآلة — Python و PyTorch\n"
        "מהנדס למידת מכונה עם ניסיון ב-Kubernetes\n"
        "\u202eevil.exe\u202c Trojan Source \u202egnp.txt\n" + CV_TEXT
    ).encode("utf-8")


def emoji_text() -> bytes:
    return ("🤖 ML engineer 🚀🔥 Python 🐍 PyTorch 🔦 👩🏽‍💻🧑‍🔬 🏳️‍🌈\n" * 50 + CV_TEXT).encode("utf-8")


def one_megabyte_line() -> bytes:
    unit = "python pytorch kubernetes sql aws "
    return (unit * (1024 * 1024 // len(unit) + 1))[: 1024 * 1024].encode("utf-8")


def markup_text() -> bytes:
    return f"{CV_TEXT}{MARKUP}\n<iframe src=//evil.example></iframe><svg onload=alert(4)>\n".encode()


def nul_text() -> bytes:
    return CV_TEXT.encode() + b"\x00" * 100 + CV_TEXT.encode()


def control_text() -> bytes:
    return bytes(range(1, 32)) * 400


def bom_text() -> bytes:
    return b"\xef\xbb\xbf" + CV_TEXT.encode()


def whitespace_only() -> bytes:
    return b" \n\t\r\n" * 1_000


# --- CSV exports (import commands and the API's CSV upload) -----------------------------------------------------
def _csv(rows: list[list[str]], header=("reference", "cv_text", "title")) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_formula() -> bytes:
    return _csv([["=cmd|' /C calc'!A0", f'=HYPERLINK("http://evil") {CV_TEXT}', "@SUM(1+1)"]])


def csv_markup() -> bytes:
    return _csv([["ref-xss", f"{CV_TEXT}{MARKUP}", SCRIPT]])


def csv_unbalanced_quotes() -> bytes:
    return b'reference,cv_text,title\nr1,"' + CV_TEXT.encode() + b"\nr2,no closing quote\n" * 500


def csv_nul() -> bytes:
    return b"reference,cv_text,title\nr1,Python\x00PyTorch,t\n"


def csv_huge_field() -> bytes:
    return _csv([["r-huge", "python " * 1_500_000, "Huge"]])


def csv_non_utf8() -> bytes:
    return "reference,cv_text,title\nr1,Ingénieur Python,Ingénieur\n".encode("latin-1")


def csv_header_only() -> bytes:
    return b"reference,cv_text,title\n"


CASES: list[Case] = [
    Case("pdf-corrupt", "cv.pdf", corrupt_pdf, "refused", "PDF header then 20 KB of random bytes"),
    Case(
        "pdf-truncated", "cv.pdf", truncated_pdf, "either", "a 3-page PDF cut in half (no xref, no trailer)"
    ),
    Case("pdf-encrypted", "cv.pdf", encrypted_pdf, "refused", "RC4-128 PDF with a user password"),
    Case("pdf-5000-pages", "cv.pdf", huge_page_count_pdf, "refused", "5,000 empty pages (pypdf)"),
    Case("pdf-nested", "cv.pdf", deeply_nested_pdf, "refused", "an object nested 50,000 arrays deep"),
    Case("pdf-page-loop", "cv.pdf", xref_loop_pdf, "refused", "a page tree that contains itself"),
    Case("pdf-no-text", "cv.pdf", make_blank_pdf, "refused", "one page, no text layer (a scan)"),
    Case("pdf-javascript", "cv.pdf", javascript_pdf, "accepted", "valid CV with a JavaScript /OpenAction"),
    Case(
        "pdf-markup", "cv.pdf", markup_pdf, "accepted", "valid CV whose text holds <script> and <img onerror>"
    ),
    Case("docx-zip-bomb", "cv.docx", docx_bomb_bytes, "refused", "a part that inflates to 110 MB of zeros"),
    Case("docx-lying-bomb", "cv.docx", docx_lying_bomb, "refused", "the bomb with headers claiming 1 KB"),
    Case("docx-6000-entries", "cv.docx", docx_many_entries, "refused", "6,000 archive entries"),
    Case(
        "docx-xxe", "cv.docx", docx_xxe, "either", "DOCTYPE with SYSTEM entities file:///etc/passwd, http://"
    ),
    Case(
        "docx-billion-laughs", "cv.docx", docx_billion_laughs, "either", "10 levels of 10x entity expansion"
    ),
    Case("docx-corrupt", "cv.docx", corrupt_docx, "refused", "ZIP signature then garbage"),
    Case("docx-truncated", "cv.docx", truncated_docx, "refused", "a real DOCX cut in half"),
    Case("docx-plain-zip", "cv.docx", zip_not_docx, "refused", "a ZIP without word/document.xml"),
    Case("docx-ole-renamed", "cv.docx", ole_renamed_docx, "refused", "legacy .doc (OLE) renamed .docx"),
    Case("docx-markup", "cv.docx", markup_docx, "accepted", "valid DOCX whose text holds <script>"),
    Case("empty", "cv.pdf", lambda: b"", "refused", "0 bytes"),
    Case("whitespace", "cv.txt", whitespace_only, "refused", "only blanks and new lines"),
    Case("elf-renamed-pdf", "cv.pdf", elf_binary, "refused", "an ELF binary renamed .pdf"),
    Case("png-renamed-docx", "cv.docx", png_bytes, "refused", "a PNG renamed .docx"),
    Case("50mb", "cv.pdf", fifty_mb_pdf, "refused", "a 50 MB file (valid PDF head, padding)"),
    Case("latin-1", "cv.txt", latin1_text, "refused", "Latin-1 text (not UTF-8)"),
    Case("utf-16", "cv.txt", utf16_text, "refused", "UTF-16 text with BOM"),
    Case("nul-bytes", "cv.txt", nul_text, "refused", "text with 100 NUL bytes inside"),
    Case("control-chars", "cv.txt", control_text, "refused", "C0 control characters"),
    Case("utf8-bom", "cv.txt", bom_text, "accepted", "UTF-8 with a byte-order mark"),
    Case("rtl-rlo", "cv.txt", rtl_text, "accepted", "Arabic and Hebrew with U+202E RIGHT-TO-LEFT OVERRIDE"),
    Case("emoji", "cv.txt", emoji_text, "accepted", "emoji, ZWJ sequences, skin tones, flags"),
    Case("1mb-line", "cv.txt", one_megabyte_line, "accepted", "1 MB without a new line"),
    Case("markup-text", "cv.txt", markup_text, "accepted", "<script>, <img onerror>, <iframe>, <svg onload>"),
    Case("name-traversal", "../../etc/passwd.pdf", _pdf, "accepted", "valid PDF named ../../etc/passwd.pdf"),
    Case(
        "name-windows",
        "..\\..\\win.ini.txt",
        lambda: CV_TEXT.encode(),
        "accepted",
        "valid text named ..\\..\\win.ini.txt",
    ),
    Case("name-nul", "cv\x00.exe.pdf", _pdf, "accepted", "valid PDF whose name holds a NUL"),
    Case("name-long", "c" * 300 + ".txt", lambda: CV_TEXT.encode(), "accepted", "a 304-character file name"),
    Case(
        "name-rlo",
        "cv\u202etxt.exe",
        lambda: CV_TEXT.encode(),
        "either",
        "U+202E in the name, so cv<RLO>txt.exe shows as cvexe.txt",
    ),
    Case("csv-formula", "cvs.csv", csv_formula, "accepted", "cells starting = @ (spreadsheet formulas)"),
    Case("csv-markup", "cvs.csv", csv_markup, "accepted", "CSV rows holding <script>"),
    Case("csv-open-quote", "cvs.csv", csv_unbalanced_quotes, "either", "a quote that never closes"),
    Case("csv-nul", "cvs.csv", csv_nul, "refused", "a NUL byte in a cell"),
    Case("csv-10mb-field", "cvs.csv", csv_huge_field, "either", "one 10 MB cell"),
    Case("csv-latin-1", "cvs.csv", csv_non_utf8, "refused", "Latin-1 CSV"),
    Case("csv-header-only", "cvs.csv", csv_header_only, "either", "a header and no rows"),
]


@functools.cache
def case_by_id(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


# --- hostile API requests (issue 16, finding 3) -------------------------------------------------------------------
@dataclass(frozen=True)
class ApiCase:
    """One hostile request.  ``role``: anonymous, candidate or recruiter.  ``url`` may hold ``{vacancy}`` (an open
    vacancy with match scores).  ``body``: raw bytes sent as ``application/json`` (None for a GET)."""

    id: str
    role: str
    method: str
    url: str
    body: bytes | None
    what: str


def _nested(depth: int, *, inner: str = "1") -> bytes:
    return ("[" * depth + inner + "]" * depth).encode()


def _nested_object(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


TOKEN, APPLY, RUNS = "/api/v1/auth/token/", "/api/v1/applications/", "/api/v1/scoring-runs/"
SHORTLIST = "/api/v1/vacancies/{vacancy}/match-scores/"

API_CASES = [
    ApiCase(
        "token-nested-5000",
        "anonymous",
        "post",
        TOKEN,
        _nested(5000),
        "a JSON array 5,000 deep (RecursionError)",
    ),
    ApiCase(
        "token-object-nested-5000",
        "anonymous",
        "post",
        TOKEN,
        _nested_object(5000),
        "a JSON object 5,000 deep",
    ),
    ApiCase(
        "token-nested-100",
        "anonymous",
        "post",
        TOKEN,
        b'{"email": ' + _nested(100, inner='"a@example.org"') + b', "password": "x"}',
        "100 deep: parses, but beyond the API's depth bound",
    ),
    ApiCase(
        "apply-nested-5000", "candidate", "post", APPLY, _nested(5000), "5,000 deep on an authenticated write"
    ),
    ApiCase(
        "runs-nested-5000", "recruiter", "post", RUNS, _nested_object(5000), "5,000 deep on the scoring runs"
    ),
    ApiCase(
        "apply-1e400",
        "candidate",
        "post",
        APPLY,
        b'{"vacancy": 1e400}',
        "a float literal too big (OverflowError)",
    ),
    ApiCase(
        "runs-1e400",
        "recruiter",
        "post",
        RUNS,
        b'{"scope": "vacancy", "vacancy": 1e400}',
        "a float literal too big on the scoring runs",
    ),
    ApiCase(
        "apply-minus-1e400", "candidate", "post", APPLY, b'{"vacancy": -1e400}', "-infinity as a literal"
    ),
    ApiCase("apply-nan", "candidate", "post", APPLY, b'{"vacancy": NaN}', "NaN (not JSON)"),
    ApiCase(
        "runs-infinity",
        "recruiter",
        "post",
        RUNS,
        b'{"scope": "vacancy", "vacancy": Infinity}',
        "Infinity (not JSON)",
    ),
    ApiCase(
        "apply-int-1e30",
        "candidate",
        "post",
        APPLY,
        b'{"vacancy": 1000000000000000000000000000000}',
        "an integer beyond 64 bits",
    ),
    ApiCase(
        "apply-int-5000-digits",
        "candidate",
        "post",
        APPLY,
        b'{"vacancy": 1' + b"0" * 5000 + b"}",
        "an integer of 5,000 digits (Python's int-string limit)",
    ),
    ApiCase(
        "runs-int-1e30",
        "recruiter",
        "post",
        RUNS,
        b'{"scope": "candidate", "candidate": -1000000000000000000000000000000}',
        "a negative integer beyond 64 bits",
    ),
    ApiCase(
        "apply-vacancy-list", "candidate", "post", APPLY, b'{"vacancy": [1]}', "wrong type: a list for an id"
    ),
    ApiCase(
        "apply-vacancy-object", "candidate", "post", APPLY, b'{"vacancy": {"id": 1}}', "wrong type: an object"
    ),
    ApiCase("apply-vacancy-bool", "candidate", "post", APPLY, b'{"vacancy": true}', "wrong type: a boolean"),
    ApiCase("token-body-array", "anonymous", "post", TOKEN, b"[1, 2, 3]", "a JSON array for an object"),
    ApiCase("token-body-string", "anonymous", "post", TOKEN, b'"hello"', "a JSON string for an object"),
    ApiCase(
        "token-lone-surrogate",
        "anonymous",
        "post",
        TOKEN,
        b'{"email": "a@example.org", "password": "\\ud800"}',
        "a lone UTF-16 surrogate in the password",
    ),
    ApiCase(
        "token-nul-email",
        "anonymous",
        "post",
        TOKEN,
        b'{"email": "a\\u0000@example.org", "password": "x"}',
        "a NUL character in the e-mail",
    ),
    ApiCase(
        "token-invalid-utf8",
        "anonymous",
        "post",
        TOKEN,
        b'{"email": "\xff\xfe@example.org"}',
        "bytes not UTF-8",
    ),
    ApiCase(
        "runs-rlo-scope", "recruiter", "post", RUNS, '{"scope": "all\u202e"}'.encode(), "U+202E in a choice"
    ),
    ApiCase(
        "shortlist-offset-huge",
        "recruiter",
        "get",
        SHORTLIST + "?offset=99999999999999999999",
        None,
        "an offset beyond bigint (DataError on PostgreSQL)",
    ),
    ApiCase(
        "shortlist-offset-negative", "recruiter", "get", SHORTLIST + "?offset=-1", None, "a negative offset"
    ),
    ApiCase(
        "shortlist-offset-text",
        "recruiter",
        "get",
        SHORTLIST + "?offset=abc",
        None,
        "an offset that is no number",
    ),
    ApiCase(
        "shortlist-limit-huge",
        "recruiter",
        "get",
        SHORTLIST + "?limit=99999999999999999999",
        None,
        "a limit beyond bigint",
    ),
    ApiCase(
        "shortlist-limit-negative", "recruiter", "get", SHORTLIST + "?limit=-5", None, "a negative limit"
    ),
    ApiCase("shortlist-limit-zero", "recruiter", "get", SHORTLIST + "?limit=0", None, "a zero limit"),
    ApiCase(
        "shortlist-limit-arabic-digit",
        "recruiter",
        "get",
        SHORTLIST + "?limit=%D9%A3",
        None,
        "a limit in Arabic-Indic digits (str.isdigit, not ASCII)",
    ),
    ApiCase(
        "shortlist-offset-float", "recruiter", "get", SHORTLIST + "?offset=1e400", None, "an offset as 1e400"
    ),
    ApiCase(
        "shortlist-min-score-inf",
        "recruiter",
        "get",
        SHORTLIST + "?min_score=1e400",
        None,
        "a filter value of 1e400",
    ),
    ApiCase(
        "shortlist-min-score-nan",
        "recruiter",
        "get",
        SHORTLIST + "?min_score=NaN",
        None,
        "a filter value NaN",
    ),
    ApiCase(
        "scores-offset-huge",
        "recruiter",
        "get",
        "/api/v1/match-scores/?offset=99999999999999999999",
        None,
        "an offset beyond bigint on a plain list",
    ),
    ApiCase(
        "vacancies-limit-negative",
        "anonymous",
        "get",
        "/api/v1/vacancies/?limit=-1",
        None,
        "a negative limit, anonymous",
    ),
    ApiCase(
        "application-id-huge",
        "recruiter",
        "get",
        "/api/v1/applications/99999999999999999999/",
        None,
        "an id beyond bigint in the path",
    ),
]
