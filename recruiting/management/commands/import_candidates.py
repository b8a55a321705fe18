"""``manage.py import_candidates PATH…`` — CV files (.pdf, .docx, .txt, .md, folders) and CSV exports of CVs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from recruiting.import_reading import Batch, ImportFailed, read_candidate_csv, read_candidate_files
from recruiting.importers import candidates_write


class Command(BaseCommand):
    help = (
        "Import candidates, all or nothing.  Each .pdf/.docx/.txt/.md file is one CV (reference = file name "
        "without extension; the original file is stored); folders are searched for such files.  A .csv path "
        "holds one CV per row and needs --text-column; without --id-column a CV's id is a hash of its text.  "
        "Broken encodings are repaired and exact duplicate CVs dropped.  Re-importing updates changed "
        "candidates and leaves unchanged ones alone.  CV text is never printed."
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
                self._read(lambda path=path: read_candidate_csv(path, **columns), batch, problems)
            if problems:
                raise ImportFailed(problems, what="candidates")
            report = candidates_write(batch, source=options["source"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary("candidates")))
        self.stdout.write(f"Took {time.monotonic() - started:.1f} s.")

    @staticmethod
    def _read(read, batch: Batch, problems: list[str]) -> None:
        try:
            batch.extend(read())
        except ImportFailed as exc:
            problems.extend(exc.problems)
