"""recruiting.documents: type detection from content, clear errors, limits on hostile input."""

from __future__ import annotations

import pytest

from recruiting.documents import DocumentError, read_document, read_document_path
from tests.recruiting.fixtures import (
    make_blank_pdf,
    make_docx,
    make_encrypted_pdf,
    make_pdf,
    make_zip,
)

SECRET = "Jane Privacy-Sensitive Doe"


def error_for(data: bytes, filename: str, **kwargs) -> str:
    with pytest.raises(DocumentError) as info:
        read_document(data, filename, **kwargs)
    message = str(info.value)
    assert SECRET not in message  # CV text is never echoed
    return message


# --- happy paths ----------------------------------------------------------------------------------------


def test_pdf_text_is_read_from_every_page():
    text = read_document(make_pdf([f"{SECRET}\nNaïve Bayes (scikit-learn)", "Page two: PyTorch"]), "cv.pdf")
    assert SECRET in text
    assert "Naïve Bayes (scikit-learn)" in text
    assert "PyTorch" in text


def test_docx_paragraphs_and_tables_are_read():
    data = make_docx(
        ["Jane Doe", "Machine learning engineer"], table=[["Skills", "Python, SQL"], ["Tools", "Docker"]]
    )
    text = read_document(data, "cv.docx")
    assert "Machine learning engineer" in text
    assert "Python, SQL" in text and "Docker" in text


def test_type_comes_from_content_not_name():
    assert "PyTorch" in read_document(make_pdf("PyTorch"), "cv-upload")
    assert "Keras" in read_document(make_docx(["Keras"]), "cv.bin")


def test_utf8_text_with_and_without_bom():
    assert read_document("Café, naïve".encode(), "cv.txt") == "Café, naïve"
    assert read_document(b"\xef\xbb\xbf" + "Café".encode(), "cv.md") == "Café"


def test_mojibake_is_repaired():
    assert "Naïve Bayes" in read_document("NaÃ¯ve Bayes".encode(), "cv.txt")


def test_pdf_pages_and_characters_are_capped():
    text = read_document(make_pdf(["first page", "second page", "third page"]), "cv.pdf", max_pages=2)
    assert "second page" in text and "third page" not in text
    assert len(read_document(("x" * 500).encode(), "cv.txt", max_chars=100)) == 100


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b" \n\t\n"])
def test_empty_file(data):
    assert error_for(data, "cv.txt") == "cv.txt is empty."


def test_scanned_pdf_without_text_layer():
    assert "has no text layer" in error_for(make_blank_pdf(), "scan.pdf")


def test_corrupt_pdf():
    assert (
        error_for(b"%PDF-1.4 garbage", "cv.pdf")
        == "cv.pdf is a corrupt or truncated PDF; export it again and retry."
    )


def test_truncated_pdf():
    data = make_pdf(SECRET)
    assert "corrupt or truncated PDF" in error_for(data[: len(data) // 2], "cv.pdf")


def test_encrypted_pdf():
    assert "password-protected PDF" in error_for(make_encrypted_pdf(SECRET), "locked.pdf")


def test_binary_file_renamed_pdf():
    message = error_for(bytes(range(256)) * 8, "cv.pdf")
    assert message == "cv.pdf is not a PDF (its content is binary data of an unsupported type)."


def test_text_file_renamed_pdf():
    assert error_for(SECRET.encode(), "cv.pdf") == "cv.pdf is not a PDF (its content is plain text)."


def test_pdf_renamed_docx():
    assert "is not a Word DOCX document (its content is a PDF document)" in error_for(
        make_pdf(SECRET), "cv.docx"
    )


def test_truncated_docx():
    data = make_docx([SECRET])
    assert "corrupt or truncated Word DOCX" in error_for(data[: len(data) // 2], "cv.docx")


def test_corrupt_docx_xml():
    data = make_zip({"[Content_Types].xml": b"<bad", "word/document.xml": b"<garbage"})
    assert "corrupt Word DOCX" in error_for(data, "cv.docx")


def test_docx_zip_bomb_is_refused_before_parsing():
    data = make_zip({"word/document.xml": b"<w:document/>", "word/media/bomb.bin": b"\0" * 2_000_000})
    assert len(data) < 10_000
    assert "expands to 1.9 MB" in error_for(data, "cv.docx", max_unzipped_bytes=1_000_000)


def test_unsupported_binary_and_legacy_doc():
    assert "not a supported document" in error_for(bytes(range(256)), "photo.jpg")
    assert "legacy Microsoft Office" in error_for(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "cv.doc")
    assert "not a supported document" in error_for(make_zip({"a.txt": b"x"}), "archive.zip")


def test_non_utf8_text_names_the_offset():
    message = error_for(b"caf\xe9", "cv.txt")
    assert message == "cv.txt is not valid UTF-8 text (first bad byte at offset 3); save it as UTF-8."
    assert "offset 5" in error_for(b"\xef\xbb\xbfab\xff", "cv.txt")


def test_utf16_text():
    assert "UTF-16" in error_for("hello".encode("utf-16"), "cv.txt")


def test_too_large(settings):
    settings.CV_MAX_UPLOAD_BYTES = 10
    assert "the largest file accepted is 10 bytes" in error_for(b"x" * 11, "cv.txt")
    assert read_document(b"x" * 11, "cv.txt", max_bytes=20) == "x" * 11


def test_messages_name_the_base_name_only():
    message = error_for(b"caf\xe9", "/home/recruiter/private/cv.txt")
    assert message.startswith("cv.txt ") and "/home" not in message
    assert error_for(b"", "C:\\Users\\x\\cv.txt").startswith("cv.txt ")


def test_read_document_path(tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(make_pdf("PyTorch"))
    assert "PyTorch" in read_document_path(path)
    with pytest.raises(DocumentError, match="the largest file accepted is 100 bytes"):
        read_document_path(path, max_bytes=100)
    with pytest.raises(DocumentError, match="missing.pdf does not exist"):
        read_document_path(tmp_path / "missing.pdf")
