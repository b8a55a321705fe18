"""``manage.py import_candidates PATH…`` — CV files (.pdf, .docx, .txt, .md, folders) and CSV exports of CVs.

CSV files alone are imported as an import run fanned out over the Celery workers (``recruiting.import_runs``);
CV files (whose originals this machine stores) are imported in this process, as before."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recruiting.import_reading import Batch, ImportFailed, read_candidate_csv, read_candidate_files
from recruiting.importers import candidates_write
from recruiting.management.import_progress import add_run_arguments, csv_import, csv_max_bytes
from recruiting.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import candidates, all or nothing.  Each .pdf/.docx/.txt/.md file is one CV (reference = file name "
        "without extension; the original file is stored); folders are searched for such files.  A .csv path "
        "holds one CV per row and needs --text-column; without --id-column a CV's id is a hash of its text.  "
        "Broken encodings are repaired and exact duplicate CVs dropped.  Re-importing updates changed "
        "candidates and leaves unchanged ones alone.  CV text is never printed.  CSV files alone are written in "
        "chunks by the Celery workers in parallel (in this process when no broker is configured), still all or "
        "nothing: a failed chunk undoes the whole import."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="CV files, folders or CSV files")
        parser.add_argument("--text-column", help="CSV column holding the CV text (required for CSV)")
        parser.add_argument(
            "--id-column", help="CSV column holding the candidate's id (default: a text hash)"
        )
        parser.add_argument("--label-column", help="CSV column with a category label, e.g. a dataset's class")
        parser.add_argument("--name-column", help="CSV column holding the candidate's name")
        parser.add_argument("--email-column", help="CSV column holding the candidate's e-mail address")
        parser.add_argument("--source", default="import", help='where the CVs come from (default "import")')
        add_run_arguments(parser)

    def handle(self, *args, **options):
        started = time.monotonic()
        csv_paths = [p for p in options["paths"] if p.lower().endswith(".csv")]
        other_paths = [p for p in options["paths"] if not p.lower().endswith(".csv")]
        if csv_paths and not options["text_column"]:
            raise CommandError("CSV files need --text-column (the column holding the CV text).")
        columns = {
            k: options[k] for k in ("text_column", "id_column", "label_column", "name_column", "email_column")
        }
        batch = Batch()
        problems: list[str] = []
        try:
            if other_paths:
                self._read(lambda: read_candidate_files(other_paths), batch, problems)
            for path in csv_paths:
                self._read(
                    lambda path=path: read_candidate_csv(
                        path, **columns, processes=os.cpu_count() or 1, max_bytes=csv_max_bytes(options)
                    ),
                    batch,
                    problems,
                )
            if problems:
                raise ImportFailed(problems, what="candidates")
            if other_paths:
                report, where = candidates_write(batch, source=options["source"]), "in this process"
            else:
                report, where = csv_import(
                    self,
                    kind=ImportRun.Kind.CANDIDATES,
                    batch=batch,
                    source=options["source"],
                    origin=", ".join(Path(p).name for p in csv_paths),
                    options=options,
                )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary("candidates")))
        self.stdout.write(f"Took {time.monotonic() - started:.1f} s {where}.")

    @staticmethod
    def _read(read, batch: Batch, problems: list[str]) -> None:
        try:
            batch.extend(read())
        except ImportFailed as exc:
            problems.extend(exc.problems)
