"""Import runs (issue 15, parallel ingestion): a CSV import cut into chunks that workers write in parallel stores
exactly what a one-process import stores, a re-run changes nothing, a failed chunk leaves nothing written, the
progress reaches the total, and rescoring is enqueued once per import.

The chunk tasks run eagerly here (``CELERY_TASK_ALWAYS_EAGER``): the test sends them itself, in the order a worker
would take them; ``test_import_runs_workers.py`` runs them on real workers."""

from __future__ import annotations

from io import StringIO

import pytest
from celery import current_app
from django.core.management import CommandError, call_command
from django.urls import reverse

from matching import profiles
from recruiting import import_runs, importers
from recruiting.import_reading import read_candidate_csv, read_vacancy_csv
from recruiting.importers import import_candidate_csv, import_vacancy_csv
from recruiting.models import Candidate, ImportChunk, ImportRun, Vacancy
from tests.conftest import ensure_vocabulary
from tests.factories import RecruiterFactory
from tests.recruiting.fixtures import write_csv

pytestmark = pytest.mark.django_db

CVS = [
    "Data scientist with 6 years of experience in Python, pandas and scikit-learn. MSc Statistics, 2015.",
    "Backend engineer. Java, Spring Boot, PostgreSQL and Docker since 2012. BSc Computer Science.",
    "Sales manager: CRM, negotiation and Excel reporting, eight years in B2B sales.",
    "Machine learning engineer: PyTorch, TensorFlow, Kubernetes, SQL. PhD in Physics.",
    "Frontend developer, React and TypeScript, 4 years of experience, CSS and HTML.",
    "Data analyst. SQL, Tableau, Excel and Power BI; Bachelor of Economics.",
    "DevOps engineer with Terraform, AWS, Ansible and Linux administration since 2016.",
]
VACANCIES = [
    (
        "ds-1",
        "Data Scientist",
        "We need a data scientist: Python and SQL required, 3+ years. Salary £60,000.",
    ),
    ("be-1", "Backend Engineer", "Java and PostgreSQL required; Docker desirable. Remote, permanent."),
    ("pm-1", "", "Product Manager\nRoadmaps, Jira and stakeholder management. Contract, £500 per day."),
]


def _cv_csv(tmp_path, texts=CVS, name="cvs.csv"):
    rows = [[f"cv{i:03d}", "label", f"Person {i}", f"p{i}@example.com", text] for i, text in enumerate(texts)]
    return write_csv(tmp_path / name, ["id", "label", "name", "email", "text"], rows)


CV_COLUMNS = {
    "text_column": "text",
    "id_column": "id",
    "label_column": "label",
    "name_column": "name",
    "email_column": "email",
}


def _candidate_rows(source: str) -> dict[str, tuple]:
    """Everything an import stores for each candidate of ``source``, by reference (ids and times left out)."""
    out = {}
    for c in Candidate.objects.filter(source=source).prefetch_related("skill_links", "qualifications"):
        skills = sorted(
            (s.skill_id, s.mentions, s.origin, s.evidence, s.evidence_level, s.strength)
            for s in c.skill_links.all()
        )
        quals = sorted((q.level, q.field, q.evidence) for q in c.qualifications.all())
        fields = (c.name, c.email, c.source_label, c.cv_text, c.cv_name, c.years_experience, c.language)
        fields += (c.profile_version, c.keyword_list, c.role_titles, c.role_skills)
        out[c.reference] = (fields, skills, quals)
    return out


def _vacancy_rows(source: str) -> dict[str, tuple]:
    out = {}
    for v in Vacancy.objects.filter(source=source).prefetch_related("skill_links", "qualifications"):
        skills = sorted((s.skill_id, s.mentions, s.origin, s.importance) for s in v.skill_links.all())
        quals = sorted((q.level, q.field, q.evidence) for q in v.qualifications.all())
        fields = (v.title, v.description, v.status, v.seniority, v.employment_type, v.remote, v.salary_min)
        fields += (
            v.salary_max,
            v.salary_currency,
            v.day_rate_min,
            v.day_rate_currency,
            v.min_years_experience,
        )
        fields += (v.language, v.requirements_capped, v.published_at is not None)
        out[v.reference] = (fields, skills, quals)
    return out


@pytest.fixture
def scored(monkeypatch):
    """The rescoring tasks sent, as ``(task name, ids)``, instead of scoring."""
    sent = []
    for name in ("matching.score_candidates", "matching.score_vacancies"):
        monkeypatch.setattr(current_app.tasks[name], "delay", lambda ids, name=name: sent.append((name, ids)))
    return sent


def _run_on_workers(django_capture_on_commit_callbacks, **start) -> tuple[ImportRun, list]:
    """Start an import run and deliver its chunk tasks as a worker would (eagerly, in order); returns the run and the
    callbacks the chunks left to run after commit (the rescoring)."""
    with django_capture_on_commit_callbacks() as sends:
        run = import_runs.import_run_start(**start)
    assert len(sends) == run.chunks_total  # one recruiting.import_chunk task per chunk
    with django_capture_on_commit_callbacks() as after:
        for send in sends:
            send()
    run.refresh_from_db()
    return run, after


def test_chunked_candidate_import_stores_what_a_one_process_import_stores(
    tmp_path, django_capture_on_commit_callbacks, scored
):
    path = _cv_csv(tmp_path, [*CVS, CVS[0]])  # the last row repeats the first CV: dropped
    with django_capture_on_commit_callbacks(execute=True):
        one = import_candidate_csv(path, **CV_COLUMNS, source="one")
    batch = read_candidate_csv(path, **CV_COLUMNS)
    run, after = _run_on_workers(
        django_capture_on_commit_callbacks, kind="candidates", batch=batch, source="chunked", chunk_size=3
    )
    assert (run.status, run.chunks_total, run.chunks_done, run.rows_done, run.rows_total) == (
        "done",
        3,
        3,
        7,
        7,
    )
    report = import_runs.import_run_report(run)
    assert report.summary("candidates") == one.summary("candidates")
    assert report.summary("candidates").startswith(
        "Imported 7 candidates (7 created, 0 updated, 0 unchanged)"
    )
    assert _candidate_rows("chunked") == _candidate_rows("one")
    assert len(_candidate_rows("chunked")) == 7 and any(r[1] for r in _candidate_rows("chunked").values())

    # Rescoring: once for the whole import (not once per chunk), for every candidate it created.
    scored.clear()
    for callback in after:
        callback()
    chunked_ids = sorted(Candidate.objects.filter(source="chunked").values_list("pk", flat=True))
    assert scored == [("matching.score_candidates", chunked_ids)]
    assert not ImportChunk.objects.filter(run=run).exists()  # the records (CV texts) are not kept


def test_chunked_vacancy_import_stores_publishes_and_rescores_like_a_one_process_import(
    tmp_path, django_capture_on_commit_callbacks, scored
):
    path = write_csv(tmp_path / "jobs.csv", ["id", "title", "text"], [list(v) for v in VACANCIES])
    columns = {"text_column": "text", "title_column": "title", "id_column": "id"}
    with django_capture_on_commit_callbacks(execute=True):
        import_vacancy_csv(path, **columns, source="one")
    run, after = _run_on_workers(
        django_capture_on_commit_callbacks,
        kind="vacancies",
        batch=read_vacancy_csv(path, **columns),
        source="chunked",
        chunk_size=2,
    )
    assert (run.status, run.created, run.chunks_total) == ("done", 3, 2)
    assert _vacancy_rows("chunked") == _vacancy_rows("one")
    assert Vacancy.objects.filter(source="chunked", published_at__isnull=False).count() == 3
    scored.clear()
    for callback in after:
        callback()
    ids = sorted(Vacancy.objects.filter(source="chunked").values_list("pk", flat=True))
    assert scored == [("matching.score_vacancies", ids)]


def test_a_rerun_of_the_same_file_changes_nothing(tmp_path, django_capture_on_commit_callbacks, scored):
    path = _cv_csv(tmp_path)
    out = StringIO()
    call_command("import_candidates", path, "--text-column", "text", "--id-column", "id", "--chunk-size", "3")
    before = _candidate_rows("import")
    stamps = dict(Candidate.objects.values_list("reference", "updated_at"))
    links = sorted(Candidate.objects.values_list("skill_links__id", flat=True))

    with django_capture_on_commit_callbacks() as callbacks:
        call_command(
            "import_candidates",
            path,
            "--text-column",
            "text",
            "--id-column",
            "id",
            "--chunk-size",
            "3",
            stdout=out,
        )
    assert out.getvalue().startswith("Imported 7 candidates (0 created, 0 updated, 7 unchanged).")
    assert callbacks == []  # nothing rescored
    assert _candidate_rows("import") == before
    assert dict(Candidate.objects.values_list("reference", "updated_at")) == stamps
    assert (
        sorted(Candidate.objects.values_list("skill_links__id", flat=True)) == links
    )  # not even re-extracted


def test_a_chunk_failing_mid_import_leaves_nothing_written(tmp_path, monkeypatch, scored):
    # cv001 exists with an older CV: the import updates it, then fails in its second chunk.
    call_command("import_candidates", _cv_csv(tmp_path, [CVS[0], "Old CV: Cobol and Fortran."], "old.csv"),
                 "--text-column", "text", "--id-column", "id")  # fmt: skip
    before = _candidate_rows("import")
    count = Candidate.objects.count()

    real = profiles.candidates_refresh_profiles
    extracted, calls = [], []

    def failing_refresh(*, candidates):
        extracted.extend(c.reference for c in candidates)
        calls.append(len(candidates))
        if len(calls) == 2:  # the profiles of the second chunk (chunks of 3)
            raise RuntimeError("disk full")
        real(candidates=candidates)

    monkeypatch.setattr(profiles, "candidates_refresh_profiles", failing_refresh)
    stderr = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_candidates",
            _cv_csv(tmp_path),
            "--text-column",
            "text",
            "--id-column",
            "id",
            "--chunk-size",
            "3",
            stderr=stderr,
        )
    assert "Nothing was imported" in str(failed.value)
    assert "chunk 1 (3 rows) failed: RuntimeError" in str(failed.value)
    assert "disk full" not in str(failed.value)  # error types only: a database error may quote a CV
    # The first chunk had been written (cv002 created, cv001 updated); the undo extracts cv001's old CV again.
    assert extracted == ["cv002", "cv001", "cv003", "cv004", "cv005", "cv001"]
    # Nothing of the failed import stays: no new candidate, cv001 has its old CV and the profile it gave.
    assert Candidate.objects.count() == count
    assert _candidate_rows("import") == before
    run = ImportRun.objects.latest("pk")
    assert (run.status, run.undone, run.chunks_done) == ("failed", True, 1)
    assert scored == []


def test_a_failed_chunk_task_fails_the_run_and_undoes_the_chunks_written(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks, scored
):
    real = importers.candidates_write_chunk
    calls = []

    def failing_chunk(records, *, source):
        calls.append(len(records))
        if len(calls) == 2:
            raise importers.ImportFailed([f"{records[0].origin}: the CV text is empty."])
        return real(records, source=source)

    monkeypatch.setattr(importers, "candidates_write_chunk", failing_chunk)
    with django_capture_on_commit_callbacks() as sends:
        run = import_runs.import_run_start(
            kind="candidates", batch=read_candidate_csv(_cv_csv(tmp_path), **CV_COLUMNS), chunk_size=3
        )
    sends[0]()
    assert Candidate.objects.count() == 3  # the first chunk is written…
    # …the second fails for good.  As on a worker, the task's error is not raised to its sender; its on_failure
    # fails the run (Celery calls it in eager mode only when errors are not propagated).
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    sends[1]()
    run.refresh_from_db()
    assert (run.status, run.undone) == ("failed", True)
    assert run.error == "cvs.csv row 5: the CV text is empty."
    assert Candidate.objects.count() == 0
    assert sends[2]() is None and calls == [3, 3]  # a chunk delivered after the failure writes nothing
    assert Candidate.objects.count() == 0 and scored == []


def test_a_chunk_finishing_after_the_run_failed_rolls_back(tmp_path, scored):
    run = import_runs.import_run_start(
        kind="candidates",
        batch=read_candidate_csv(_cv_csv(tmp_path), **CV_COLUMNS),
        chunk_size=4,
        in_process=True,
    )
    assert import_runs.import_chunk_write(run_id=run.pk, index=0) is True
    import_runs.import_run_fail(run_id=run.pk, error="chunk 1 (3 rows) failed: WorkerLostError")
    assert Candidate.objects.count() == 0  # chunk 0 undone
    assert import_runs.import_chunk_write(run_id=run.pk, index=1) is False
    assert Candidate.objects.count() == 0
    assert import_runs.import_run_fail(run_id=run.pk, error="again").error.startswith("chunk 1")  # once only


def test_progress_reaches_the_total_and_shows_on_the_scoring_runs_page(tmp_path, client, scored):
    err = StringIO()
    out = StringIO()
    call_command(
        "import_candidates",
        _cv_csv(tmp_path),
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--chunk-size",
        "2",
        stdout=out,
        stderr=err,
    )
    # No broker in the tests: the command says it writes the chunks itself.
    assert "no broker configured (CELERY_BROKER_URL is unset)" in err.getvalue()
    assert "7 candidates in 4 chunk(s), written in this process" in err.getvalue()
    assert "in this process." in out.getvalue()
    run = ImportRun.objects.get()
    assert (run.rows_done, run.rows_total, run.chunks_done, run.chunks_total) == (7, 7, 4, 4)
    assert (run.status, run.in_process, run.origin) == ("done", True, "cvs.csv")

    seen = []
    batch = read_candidate_csv(_cv_csv(tmp_path, name="again.csv"), **CV_COLUMNS)
    again = import_runs.import_run_start(
        kind="candidates", batch=batch, source="b", chunk_size=3, in_process=True
    )
    import_runs.import_run_process(
        run_id=again.pk, on_chunk=lambda r: seen.append((r.rows_done, r.chunks_done))
    )
    assert seen == [(3, 1), (6, 2), (7, 3)]

    client.force_login(RecruiterFactory())
    html = client.get(reverse("admin:matching_scoringrun_changelist")).content.decode()
    assert "Imports" in html and "7 of 7 rows, 4 of 4 chunks" in html and "7 created, 0 updated" in html


def test_bad_input_is_refused_before_any_run_starts(tmp_path):
    path = write_csv(tmp_path / "cvs.csv", ["id", "text"], [["a", CVS[0]], ["b", "   "]])
    with pytest.raises(CommandError, match=r"cvs.csv row 3: the CV text is empty"):
        call_command("import_candidates", path, "--text-column", "text", "--id-column", "id")
    with pytest.raises(CommandError, match="--chunk-size must be at least 1"):
        call_command("import_candidates", _cv_csv(tmp_path), "--text-column", "text", "--chunk-size", "0")
    assert ImportRun.objects.count() == 0 and Candidate.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_chunks_of_one_run_are_written_at_the_same_time(tmp_path, monkeypatch, scored):
    """A chunk locks its own row, not the run's: two workers' chunks overlap instead of queueing one behind the
    other (locking the chunk row with a join to the run once serialised every worker)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite serialises every writer anyway")
    ensure_vocabulary()
    run = import_runs.import_run_start(  # in_process: no tasks sent, the threads below are the two workers
        kind="candidates",
        batch=read_candidate_csv(_cv_csv(tmp_path), **CV_COLUMNS),
        chunk_size=4,
        in_process=True,
    )
    both_inside = threading.Barrier(2, timeout=10)
    real = importers.candidates_write_chunk

    def meeting_chunk(records, *, source):
        both_inside.wait()  # broken (BrokenBarrierError) if the other chunk cannot start meanwhile
        return real(records, source=source)

    monkeypatch.setattr(importers, "candidates_write_chunk", meeting_chunk)
    results, errors = [], []

    def worker(index):
        try:
            results.append(import_runs.import_chunk_write(run_id=run.pk, index=index))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [True, True]
    run.refresh_from_db()
    assert (run.status, run.rows_done, Candidate.objects.count()) == ("done", 7, 7)
