"""``manage.py import_vacancies PATH…`` — vacancy files (.txt, .md, .pdf, .docx, folders) and CSV exports.

CSV files alone are imported as an import run fanned out over the Celery workers (``recruiting.import_runs``);
vacancy files are imported in this process, as before."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recruiting.import_reading import Batch, ImportFailed, read_vacancy_csv, read_vacancy_files
from recruiting.importers import vacancies_write
from recruiting.management.import_progress import add_run_arguments, csv_import, csv_max_bytes
from recruiting.models import ImportRun, Vacancy


class Command(BaseCommand):
    help = (
        "Import vacancies, all or nothing.  Each .txt/.md/.pdf/.docx file is one vacancy (reference = file "
        "name without extension, title = its first line); folders are searched for such files.  A .csv path "
        "holds one vacancy per row and needs --text-column, --title-column and --id-column.  Re-importing "
        "updates changed vacancies and leaves unchanged ones alone.  CSV files alone are written in chunks by the "
        "Celery workers in parallel (in this process when no broker is configured), still all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="vacancy files, folders or CSV files")
        parser.add_argument("--text-column", help="CSV column holding the vacancy text")
        parser.add_argument("--title-column", help="CSV column holding the job title")
        parser.add_argument("--id-column", help="CSV column holding the vacancy's id (its reference)")
        parser.add_argument(
            "--source", default="import", help='where the vacancies come from (default "import")'
        )
        parser.add_argument(
            "--status",
            choices=[Vacancy.Status.DRAFT, Vacancy.Status.OPEN],
            default=Vacancy.Status.OPEN,
            help="status given to imported vacancies (default open)",
        )
        add_run_arguments(parser)

    def handle(self, *args, **options):
        started = time.monotonic()
        csv_paths = [p for p in options["paths"] if p.lower().endswith(".csv")]
        other_paths = [p for p in options["paths"] if not p.lower().endswith(".csv")]
        columns = {k: options[k] for k in ("text_column", "title_column", "id_column")}
        if csv_paths and not all(columns.values()):
            raise CommandError("CSV files need --text-column, --title-column and --id-column.")
        batch = Batch()
        problems: list[str] = []
        try:
            if other_paths:
                self._read(lambda: read_vacancy_files(other_paths), batch, problems)
            for path in csv_paths:
                self._read(
                    lambda path=path: read_vacancy_csv(path, **columns, max_bytes=csv_max_bytes(options)),
                    batch,
                    problems,
                )
            if problems:
                raise ImportFailed(problems, what="vacancies")
            if other_paths:
                report = vacancies_write(batch, source=options["source"], status=options["status"])
                where = "in this process"
            else:
                report, where = csv_import(
                    self,
                    kind=ImportRun.Kind.VACANCIES,
                    batch=batch,
                    source=options["source"],
                    origin=", ".join(Path(p).name for p in csv_paths),
                    options=options,
                    status=options["status"],
                )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary("vacancies")))
        self.stdout.write(f"Took {time.monotonic() - started:.1f} s {where}.")

    @staticmethod
    def _read(read, batch: Batch, problems: list[str]) -> None:
        try:
            batch.extend(read())
        except ImportFailed as exc:
            problems.extend(exc.problems)
