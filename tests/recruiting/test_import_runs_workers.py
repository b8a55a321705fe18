"""An import run on two real ``celery worker`` processes (issue 15, parallel ingestion): ``import_candidates`` on a
CSV enqueues its chunks, the workers write them, the command follows the run to the end, and what is stored equals
what the command's own process stores with ``--in-process``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recruiting.models import Candidate, ImportRun
from tests.conftest import ensure_vocabulary
from tests.integration import celery_queue, start_workers, stop_worker
from tests.recruiting.test_import_runs import CVS, _candidate_rows, _cv_csv

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_workers_write_the_chunks_of_a_csv_import(tmp_path):
    ensure_vocabulary()
    path = _cv_csv(tmp_path, [*CVS, *(f"{cv} Also Git." for cv in CVS)])
    args = [
        path,
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--label-column",
        "label",
        "--chunk-size",
        "3",
    ]
    with celery_queue() as queue:
        workers = start_workers(queue, "a", "b")
        try:
            out, err = StringIO(), StringIO()
            call_command(
                "import_candidates", *args, "--source", "workers", "--timeout", "120", stdout=out, stderr=err
            )
            assert "14 candidates in 5 chunk(s), enqueued for the Celery workers" in err.getvalue()
            assert out.getvalue().startswith("Imported 14 candidates (14 created, 0 updated, 0 unchanged).")
            assert "on the workers." in out.getvalue()
            run = ImportRun.objects.get(source="workers")
            assert (run.status, run.in_process, run.chunks_done, run.rows_done) == ("done", False, 5, 14)

            call_command("import_candidates", *args, "--source", "here", "--in-process", stdout=StringIO())
            assert _candidate_rows("workers") == _candidate_rows("here")
            assert Candidate.objects.filter(source="workers").count() == 14

            again = StringIO()
            call_command("import_candidates", *args, "--source", "workers", stdout=again, stderr=StringIO())
            assert again.getvalue().startswith("Imported 14 candidates (0 created, 0 updated, 14 unchanged).")
        finally:
            for worker in workers:
                stop_worker(worker)
