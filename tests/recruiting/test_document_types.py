"""One list of CV file types (issue 13): what the text extractor reads is what the portal's upload and the import
commands accept, and what a stored CV file keeps as its extension.

Before issue 13 there were three lists: the portal refused a Markdown CV that ``import_candidates`` read.
"""

from __future__ import annotations

import pytest

from portal import services as portal_services
from recruiting.documents import DocumentError
from recruiting.import_reading import ImportFailed, read_candidate_files
from recruiting.models import cv_upload_to
from tests.recruiting.fixtures import make_docx, make_pdf

CV = "Ada Lovelace\nMachine learning engineer: five years of Python and PyTorch in production."

FILES = {
    "cv.pdf": make_pdf(CV),
    "cv.docx": make_docx(CV.split("\n")),
    "cv.txt": CV.encode(),
    "cv.md": f"# {CV}".encode(),
    "CV.MD": CV.encode(),
    "cv.doc": CV.encode(),
    "cv.rtf": CV.encode(),
    "cv.html": CV.encode(),
    "cv": CV.encode(),
}


def _portal_accepts(name: str, data: bytes) -> bool:
    try:
        pending = portal_services.cv_pending_create(data=data, filename=name)
    except DocumentError:
        return False
    portal_services.cv_pending_discard(pending=pending)
    return True


def _import_accepts(tmp_path, name: str, data: bytes) -> bool:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        batch = read_candidate_files([path])
    except ImportFailed:
        return False
    return len(batch.records) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FILES))
def test_the_portal_upload_and_the_import_accept_the_same_files(tmp_path, name):
    assert _portal_accepts(name, FILES[name]) == _import_accepts(tmp_path, name, FILES[name])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cv.pdf", "cv.docx", "cv.txt", "cv.md"])
def test_every_type_the_extractor_reads_is_accepted_and_keeps_its_extension(tmp_path, name):
    assert _portal_accepts(name, FILES[name])
    assert _import_accepts(tmp_path, name, FILES[name])
    assert cv_upload_to(None, f"C:\\Users\\ada\\{name}").endswith(name[2:])


@pytest.mark.django_db
def test_other_types_are_refused_with_the_list_of_accepted_ones():
    with pytest.raises(DocumentError, match=r"^cv\.rtf is not a PDF, DOCX, TXT or MD file\.$"):
        portal_services.cv_pending_create(data=FILES["cv.rtf"], filename="cv.rtf")
