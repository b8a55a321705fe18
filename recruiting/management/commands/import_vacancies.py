"""``manage.py import_vacancies PATH…`` — vacancy files (.txt, .md, .pdf, .docx, folders) and CSV exports."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from recruiting.import_reading import Batch, ImportFailed, read_vacancy_csv, read_vacancy_files
from recruiting.importers import vacancies_write
from recruiting.models import Vacancy


class Command(BaseCommand):
    help = (
        "Import vacancies, all or nothing.  Each .txt/.md/.pdf/.docx file is one vacancy (reference = file "
        "name without extension, title = its first line); folders are searched for such files.  A .csv path "
        "holds one vacancy per row and needs --text-column, --title-column and --id-column.  Re-importing "
        "updates changed vacancies and leaves unchanged ones alone."
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
                self._read(lambda path=path: read_vacancy_csv(path, **columns), batch, problems)
            if problems:
                raise ImportFailed(problems, what="vacancies")
            report = vacancies_write(batch, source=options["source"], status=options["status"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary("vacancies")))
        self.stdout.write(f"Took {time.monotonic() - started:.1f} s.")

    @staticmethod
    def _read(read, batch: Batch, problems: list[str]) -> None:
        try:
            batch.extend(read())
        except ImportFailed as exc:
            problems.extend(exc.problems)
