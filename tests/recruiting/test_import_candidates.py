"""import_candidates: CSV and CV files, encoding repair, duplicates, idempotent, all or nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recruiting.import_reading import MAX_PROBLEM_LINES, ImportFailed
from recruiting.importers import import_candidate_csv, import_candidate_files
from recruiting.models import Candidate
from tests.recruiting.fixtures import double_encoded, make_docx, make_pdf, write_csv

pytestmark = pytest.mark.django_db

SECRET = "Jane Privacy-Sensitive Doe"
CV_A = f"{SECRET}\nSkills: Python, PyTorch, SQL. MSc Computer Science."
CV_B = "Data analyst. Excel, Tableau, SQL."


def run(*args) -> str:
    out = StringIO()
    call_command("import_candidates", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_csv_repairs_double_encoding_and_drops_duplicates(tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(
        tmp_path / "cvs.csv",
        ["Category", "Resume"],
        [
            ["Data Science", double_encoded("Naïve Bayes • Python")],
            ["Data Science", double_encoded("Naïve Bayes • Python")],
            ["HR", CV_B],
            ["Data Science", "Naïve Bayes • Python"],  # the same CV once repaired
        ],
    )
    with django_capture_on_commit_callbacks() as callbacks:
        out = run(path, "--text-column", "Resume", "--label-column", "Category")
    assert out.startswith(
        "Imported 2 candidates (2 created, 0 updated, 0 unchanged); dropped 2 exact duplicates."
    )
    assert callbacks
    stored = Candidate.objects.get(source_label="Data Science")
    assert stored.cv_text == "Naïve Bayes • Python"
    assert stored.reference.startswith("cv-") and len(stored.reference) == 15
    assert Candidate.objects.count() == 2

    with django_capture_on_commit_callbacks() as callbacks:
        out = run(path, "--text-column", "Resume", "--label-column", "Category")
    assert "(0 created, 0 updated, 2 unchanged); dropped 2 exact duplicates." in out
    assert callbacks == []
    assert Candidate.objects.count() == 2


def test_csv_with_ids_names_and_emails(tmp_path):
    path = write_csv(
        tmp_path / "cvs.csv",
        ["id", "label", "name", "email", "text"],
        [["cv001", "ML", "Jane", "jane@example.com", CV_A], ["cv002", "BI", "", "", CV_B]],
    )
    args = [
        path,
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--label-column",
        "label",
        "--name-column",
        "name",
        "--email-column",
        "email",
        "--source",
        "kaggle",
    ]
    assert "Imported 2 candidates (2 created" in run(*args)
    jane = Candidate.objects.get(source="kaggle", reference="cv001")
    assert (jane.name, jane.email, jane.source_label) == ("Jane", "jane@example.com", "ML")

    write_csv(
        path,
        ["id", "label", "name", "email", "text"],
        [["cv001", "ML", "Jane", "jane@example.com", CV_A + " Kafka."], ["cv002", "BI", "", "", CV_B]],
    )
    assert "(0 created, 1 updated, 1 unchanged)" in run(*args)
    assert Candidate.objects.get(reference="cv001").cv_text.endswith("Kafka.")
    assert Candidate.objects.count() == 2


def test_csv_empty_cv_row_is_an_error_and_saves_nothing(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["Resume"], [[CV_A], [""], [CV_B], ["   "]])
    with pytest.raises(CommandError) as info:
        run(path, "--text-column", "Resume")
    message = str(info.value)
    assert "cvs.csv row 3: the CV text is empty." in message
    assert "cvs.csv row 5: the CV text is empty." in message
    assert SECRET not in message
    assert Candidate.objects.count() == 0


def test_csv_unknown_column_lists_available_columns(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["Category", "Resume"], [["x", CV_A]])
    with pytest.raises(CommandError) as info:
        run(path, "--text-column", "text")
    assert "no column 'text'; the columns are 'Category', 'Resume'" in str(info.value)
    assert Candidate.objects.count() == 0


def test_csv_needs_text_column(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["Resume"], [[CV_A]])
    with pytest.raises(CommandError, match="--text-column"):
        run(path)


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "cvs.csv"
    path.write_bytes(b"Resume\ncaf\xe9\n")
    with pytest.raises(
        CommandError, match=r"cvs.csv is not valid UTF-8 text \(first bad byte at offset 10\)"
    ):
        run(path, "--text-column", "Resume")


def test_csv_long_fields_are_accepted(tmp_path):
    long_cv = "Python " * 40_000  # 280 KB: above the csv module's default field limit
    path = write_csv(tmp_path / "cvs.csv", ["Resume"], [[long_cv]])
    assert "Imported 1 candidates (1 created" in run(path, "--text-column", "Resume")


def test_same_id_with_different_cvs_is_an_error(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["id", "text"], [["a", CV_A], ["a", CV_B]])
    with pytest.raises(ImportFailed) as info:
        import_candidate_csv(path, text_column="text", id_column="id")
    assert info.value.problems == [
        "cvs.csv row 3: the id 'a' is also used by cvs.csv row 2 with a different text."
    ]
    assert Candidate.objects.count() == 0


def test_error_message_lists_at_most_20_problems(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["Resume"], [[""]] * 25)
    with pytest.raises(ImportFailed) as info:
        import_candidate_csv(path, text_column="Resume")
    assert len(info.value.problems) == 25
    lines = str(info.value).splitlines()
    assert len(lines) == 1 + MAX_PROBLEM_LINES + 1
    assert lines[-1] == "  … and 5 more."


def test_cv_files_pdf_docx_txt_store_the_original(tmp_path):
    (tmp_path / "jane.pdf").write_bytes(make_pdf(CV_A))
    (tmp_path / "li.docx").write_bytes(make_docx(["Li Wei", "TensorFlow, Keras, SQL"]))
    (tmp_path / "sam.txt").write_text(CV_B, encoding="utf-8")
    out = run(tmp_path)
    assert "Imported 3 candidates (3 created, 0 updated, 0 unchanged)." in out
    assert SECRET not in out
    jane = Candidate.objects.get(reference="jane")
    assert "PyTorch" in jane.cv_text
    assert jane.cv_file.name.endswith(".pdf")
    with jane.cv_file.open("rb") as handle:
        assert handle.read() == (tmp_path / "jane.pdf").read_bytes()
    assert "TensorFlow" in Candidate.objects.get(reference="li").cv_text

    out = run(tmp_path)
    assert "(0 created, 0 updated, 3 unchanged)" in out
    assert Candidate.objects.count() == 3


def test_mixed_batch_with_one_bad_cv_saves_nothing(tmp_path):
    (tmp_path / "jane.pdf").write_bytes(make_pdf(CV_A))
    (tmp_path / "sam.txt").write_text(CV_B, encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(CommandError) as info:
        run(tmp_path)
    message = str(info.value)
    assert "broken.pdf is a corrupt or truncated PDF" in message
    assert "jane.pdf" not in message and SECRET not in message
    assert Candidate.objects.count() == 0


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("renamed.pdf", bytes(range(256)) * 4, "renamed.pdf is not a PDF"),
        ("latin1.txt", b"caf\xe9", "latin1.txt is not valid UTF-8 text (first bad byte at offset 3)"),
    ],
)
def test_bad_cv_file(tmp_path, name, data, expected):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImportFailed) as info:
        import_candidate_files([tmp_path / name])
    assert expected in str(info.value)
    assert Candidate.objects.count() == 0


def test_failure_while_saving_rolls_back_and_removes_stored_files(tmp_path, monkeypatch, settings):
    import recruiting.services

    (tmp_path / "a.txt").write_text(CV_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(CV_B, encoding="utf-8")
    real_upsert = recruiting.services.candidate_upsert
    calls = []

    def failing_upsert(**kwargs):
        calls.append(kwargs["reference"])
        if len(calls) == 2:
            raise ValueError("the CV text is empty")
        return real_upsert(**kwargs)

    monkeypatch.setattr(recruiting.services, "candidate_upsert", failing_upsert)
    from pathlib import Path

    # Stored CVs get random names and the media folder is shared by the session's tests: compare what is there
    # before and after (a random name starting with "a" made the old "a*.txt" check fail now and then).
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    with pytest.raises(ImportFailed, match="b.txt: the CV text is empty"):
        import_candidate_files([tmp_path])
    assert Candidate.objects.count() == 0
    assert calls == ["a", "b"]  # a.txt was stored before b.txt failed
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} - before == set()


def test_repair_in_several_processes_reads_the_csv_exactly_as_one_process(tmp_path, monkeypatch):
    from recruiting import import_reading

    rows = [
        ["Data Science", double_encoded("Naïve Bayes • Python"), "a"],
        ["Data Science", double_encoded("Naïve Bayes • Python"), "a"],  # an exact duplicate
        ["HR", CV_B, "b"],
        ["HR", "Plain CV text   \r\nwith a second line", "c"],
        [double_encoded("Café staff"), CV_A, "d"],
        ["", "   ", "e"],  # empty once repaired: a problem either way
    ] + [["Sales", f"Sales CV number {i}, {double_encoded('Zürich')}", f"s{i}"] for i in range(20)]
    path = write_csv(tmp_path / "cvs.csv", ["label", "text", "id"], rows)
    columns = {"text_column": "text", "label_column": "label"}
    with pytest.raises(ImportFailed) as serial:
        import_reading.read_candidate_csv(path, **columns)
    monkeypatch.setattr(import_reading, "_PARALLEL_MIN_TEXTS", 2)
    with pytest.raises(ImportFailed) as forked:
        import_reading.read_candidate_csv(path, **columns, processes=2)
    assert forked.value.problems == serial.value.problems == ["cvs.csv row 7: the CV text is empty."]

    path = write_csv(tmp_path / "ok.csv", ["label", "text", "id"], rows[:5] + rows[6:])
    one = import_reading.read_candidate_csv(path, **columns)
    monkeypatch.setattr(import_reading, "_PARALLEL_MIN_TEXTS", 2)
    two = import_reading.read_candidate_csv(path, **columns, processes=2)
    assert two.records == one.records and two.duplicates_dropped == one.duplicates_dropped == 1
    assert {r.source_label for r in two.records} >= {"Café staff"}
    assert any("Zürich" in r.cv_text for r in two.records)


def test_csv_over_the_size_limit_is_refused_whole_and_the_operator_can_raise_the_limit(tmp_path):
    """A CSV over ``--max-csv-mb`` (default: the API's 200 MiB upload limit) is refused with its size and the
    limit, nothing imported; the operator importing a file on the server may raise the limit (100,000 CVs make a
    CSV of ~300–500 MB)."""
    filler = "Python engineer with SQL and PyTorch experience. " * 2_000  # ~100 kB a row
    path = write_csv(tmp_path / "big.csv", ["id", "text"], [[str(i), f"{filler} CV {i}"] for i in range(12)])
    assert 1.0 < path.stat().st_size / 2**20 < 2.0
    with pytest.raises(CommandError, match=r"big\.csv is 1\.\d MB; the limit is 1 MB"):
        run(path, "--text-column", "text", "--id-column", "id", "--in-process", "--max-csv-mb", "1")
    assert Candidate.objects.count() == 0
    with pytest.raises(CommandError, match="at least 1"):
        run(path, "--text-column", "text", "--id-column", "id", "--in-process", "--max-csv-mb", "0")
    run(path, "--text-column", "text", "--id-column", "id", "--in-process", "--max-csv-mb", "2")
    assert Candidate.objects.count() == 12


def test_csv_line_endings_byte_order_mark_and_line_breaks_inside_a_cv_are_read_as_written(tmp_path):
    """Exports from Excel (a byte-order mark, CRLF), old Mac tools (CR alone) and Unix (LF) give the same
    candidates; a CV's own line breaks inside its quoted cell stay one CV, and characters that some readers take
    for line breaks (form feed, U+2028, U+0085) stay inside the text instead of cutting the row."""
    from recruiting.import_reading import read_candidate_csv

    cvs = [
        ("a", "Data scientist\nPython, SQL\r\nSpark"),
        ("b", "ML engineer\x0cPyTorch\u2028Kubernetes\x85Go"),
        ("c", 'Analyst, "Excel" and Tableau'),
    ]

    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    for newline, bom in (("\r\n", True), ("\r", False), ("\n", False)):
        path = tmp_path / f"cvs-{len(newline)}-{bom}.csv"
        body = newline.join(["id,text", *(f"{ref},{cell(text)}" for ref, text in cvs)]) + newline
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8"))
        batch = read_candidate_csv(path, text_column="text", id_column="id")
        read = {r.reference: r.cv_text for r in batch.records}
        assert sorted(read) == ["a", "b", "c"], (newline, bom)
        # repair keeps each line (CRLF → LF); the characters that are not line breaks to a CSV stay in the text
        assert read["a"] == "Data scientist\nPython, SQL\nSpark"
        assert "PyTorch" in read["b"] and "Go" in read["b"] and "Kubernetes" in read["b"]
        assert read["c"] == 'Analyst, "Excel" and Tableau'
