"""import_vacancies: files and CSV, idempotent, all or nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from recruiting.import_reading import ImportFailed
from recruiting.importers import import_vacancy_csv, import_vacancy_files
from recruiting.models import Vacancy
from tests.recruiting.fixtures import double_encoded, make_docx, make_pdf, write_csv

pytestmark = pytest.mark.django_db

ML_TEXT = """

## Machine learning engineer

**Build and deploy models.**  Required: Python, PyTorch, SQL.  Desirable: Kafka.
Salary £60,000 - £75,000 a year.  Hybrid working.
"""


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_vacancies", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_files_import_and_reimport_is_idempotent(tmp_path, django_capture_on_commit_callbacks):
    write(tmp_path / "mle.txt", ML_TEXT)
    write(tmp_path / "ds.md", "# *Data scientist*\n\nPython, statistics, scikit-learn.")
    with django_capture_on_commit_callbacks() as callbacks:
        out = run(tmp_path / "mle.txt", tmp_path / "ds.md")
    assert "Imported 2 vacancies (2 created, 0 updated, 0 unchanged)" in out
    assert callbacks, "rescoring is enqueued after commit"
    mle = Vacancy.objects.get(source="import", reference="mle")
    assert mle.title == "Machine learning engineer"
    assert mle.status == Vacancy.Status.OPEN
    assert Vacancy.objects.get(reference="ds").title == "Data scientist"

    with django_capture_on_commit_callbacks() as callbacks:
        out = run(tmp_path / "mle.txt", tmp_path / "ds.md")
    assert "Imported 2 vacancies (0 created, 0 updated, 2 unchanged)" in out
    assert callbacks == [], "nothing changed, so nothing is rescored"
    assert Vacancy.objects.count() == 2

    write(tmp_path / "mle.txt", ML_TEXT + "\nKubernetes is a plus.")
    out = run(tmp_path / "mle.txt", tmp_path / "ds.md")
    assert "Imported 2 vacancies (0 created, 1 updated, 1 unchanged)" in out
    assert "Kubernetes" in Vacancy.objects.get(reference="mle").description
    assert Vacancy.objects.count() == 2


def test_folder_walk_pdf_docx_and_status(tmp_path):
    folder = tmp_path / "jobs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.pdf").write_bytes(make_pdf("ML engineer (PDF)\nPython and PyTorch"))
    (folder / "sub" / "b.docx").write_bytes(make_docx(["ML engineer (DOCX)", "TensorFlow and SQL"]))
    (folder / "notes.csv.bak").write_text("x")
    (folder / ".DS_Store").write_bytes(b"\0\1")
    out = run(folder, "--status", "draft", "--source", "board")
    assert "Imported 2 vacancies (2 created, 0 updated, 0 unchanged); skipped 2 files" in out
    assert set(Vacancy.objects.values_list("reference", "title", "status", "source")) == {
        ("a", "ML engineer (PDF)", "draft", "board"),
        ("b", "ML engineer (DOCX)", "draft", "board"),
    }


def test_title_is_capped_at_300_characters(tmp_path):
    import_vacancy_files([write(tmp_path / "long.txt", "T" * 400 + "\nPython")])
    assert len(Vacancy.objects.get().title) == 300


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("empty.txt", b"", "empty.txt is empty."),
        ("bad.pdf", b"%PDF-1.4 garbage", "bad.pdf is a corrupt or truncated PDF"),
        ("fake.pdf", bytes(range(256)) * 4, "fake.pdf is not a PDF (its content is binary data"),
        ("latin1.txt", b"caf\xe9", "latin1.txt is not valid UTF-8 text (first bad byte at offset 3)"),
    ],
)
def test_bad_file_saves_nothing(tmp_path, name, data, expected):
    write(tmp_path / "good.txt", ML_TEXT)
    (tmp_path / name).write_bytes(data)
    with pytest.raises(CommandError) as info:
        run(tmp_path / "good.txt", tmp_path / name)
    assert expected in str(info.value)
    assert "Nothing was imported" in str(info.value)
    assert Vacancy.objects.count() == 0


def test_mixed_batch_lists_every_bad_file_and_saves_nothing(tmp_path):
    write(tmp_path / "good.txt", ML_TEXT)
    (tmp_path / "one.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "two.txt").write_bytes(b"")
    with pytest.raises(ImportFailed) as info:
        import_vacancy_files([tmp_path])
    assert info.value.problems == [
        "one.pdf is a corrupt or truncated PDF; export it again and retry.",
        "two.txt is empty.",
    ]
    assert Vacancy.objects.count() == 0


def test_missing_path_and_unsupported_extension(tmp_path):
    (tmp_path / "job.rtf").write_text("x")
    with pytest.raises(CommandError) as info:
        run(tmp_path / "nope.txt", tmp_path / "job.rtf")
    assert "nope.txt: no such file or folder" in str(info.value)
    assert "job.rtf: unsupported file type" in str(info.value)
    assert Vacancy.objects.count() == 0


def test_same_reference_twice_with_different_text(tmp_path):
    write(tmp_path / "mle.txt", ML_TEXT)
    write(tmp_path / "mle.md", "Another text")
    with pytest.raises(CommandError, match="the id 'mle' is also used by"):
        run(tmp_path / "mle.txt", tmp_path / "mle.md")
    assert Vacancy.objects.count() == 0


def test_csv_import_repairs_text_and_is_idempotent(tmp_path):
    path = write_csv(
        tmp_path / "jobs.csv",
        ["", "job_id", "title", "description"],
        [
            ["0", "j1", "ML Engineer", double_encoded("Naïve Bayes, Python, PyTorch")],
            ["1", "j2", "", "Senior ML engineer\nPython, Spark"],
        ],
    )
    args = [path, "--text-column", "description", "--title-column", "title", "--id-column", "job_id"]
    assert "Imported 2 vacancies (2 created" in run(*args)
    assert Vacancy.objects.get(reference="j1").description.startswith("Naïve Bayes")
    assert Vacancy.objects.get(reference="j2").title == "Senior ML engineer"
    assert "(0 created, 0 updated, 2 unchanged)" in run(*args)
    assert Vacancy.objects.count() == 2


def test_csv_needs_the_column_flags(tmp_path):
    path = write_csv(tmp_path / "jobs.csv", ["id", "title", "text"], [["1", "t", "x"]])
    with pytest.raises(CommandError, match="--text-column, --title-column and --id-column"):
        run(path, "--text-column", "text")


def test_csv_unknown_column_lists_available_columns(tmp_path):
    path = write_csv(tmp_path / "jobs.csv", ["id", "title", "text"], [["1", "t", "x"]])
    with pytest.raises(CommandError) as info:
        run(path, "--text-column", "description", "--title-column", "title", "--id-column", "id")
    assert "no column 'description'; the columns are 'id', 'title', 'text'" in str(info.value)
    assert Vacancy.objects.count() == 0


def test_csv_empty_text_row_is_an_error_naming_the_row(tmp_path):
    path = write_csv(tmp_path / "jobs.csv", ["id", "title", "text"], [["1", "a", "Python"], ["2", "b", "  "]])
    with pytest.raises(ImportFailed) as info:
        import_vacancy_csv(path, text_column="text", title_column="title", id_column="id")
    assert info.value.problems == ["jobs.csv row 3: the vacancy text is empty."]
    assert Vacancy.objects.count() == 0
