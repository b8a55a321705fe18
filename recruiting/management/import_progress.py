"""What ``import_candidates`` and ``import_vacancies`` share for CSV files: an import run fanned out over the Celery
workers (or written in this process when there is no broker), followed with a tqdm progress bar."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from recruiting import import_runs
from recruiting.import_reading import CSV_MAX_BYTES, Batch, ImportFailed
from recruiting.importers import ImportReport
from recruiting.models import ImportRun


def add_run_arguments(parser) -> None:
    """The options of a fanned-out CSV import: ``--chunk-size``, ``--in-process``, ``--timeout`` and
    ``--max-csv-mb``."""
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=import_runs.IMPORT_CHUNK_SIZE,
        help=f"CSV rows per worker task (default {import_runs.IMPORT_CHUNK_SIZE:,})",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="write every chunk in this process even when a broker is configured (as with none)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds to wait for the workers (default 3600); then the import is undone",
    )
    parser.add_argument(
        "--max-csv-mb",
        type=int,
        default=CSV_MAX_BYTES // 2**20,
        help=(
            f"largest CSV file read, in MiB (default {CSV_MAX_BYTES // 2**20}, the API's upload limit); the file "
            "is held in memory while it is read, so raise it only on a machine with the memory for it"
        ),
    )


def csv_max_bytes(options) -> int:
    """The CSV size limit, in bytes, the command's ``--max-csv-mb`` asks for (``CommandError`` below 1 MiB)."""
    if options["max_csv_mb"] < 1:
        raise CommandError("--max-csv-mb must be at least 1.")
    return options["max_csv_mb"] * 2**20


def csv_import(
    command: BaseCommand,
    *,
    kind: str,
    batch: Batch,
    source: str,
    origin: str,
    options: dict,
    status: str | None = None,
) -> tuple[ImportReport, str]:
    """Import ``batch`` as one import run and wait for it with a progress bar on stderr.  Returns the report and
    where it ran ("in this process" or "on the workers").  With no broker (``CELERY_BROKER_URL`` unset) or with
    ``--in-process`` the chunks are written here, one after another, and the command says so.  Raises
    ``CommandError`` when the run failed (it was undone: nothing imported) or the workers did not finish within
    ``--timeout`` seconds (the run is then failed and undone too)."""
    if options["chunk_size"] < 1:
        raise CommandError("--chunk-size must be at least 1.")
    in_process = bool(settings.CELERY_TASK_ALWAYS_EAGER or options["in_process"])
    extra = {"status": status} if status else {}
    with transaction.atomic():
        run = import_runs.import_run_start(
            kind=kind,
            batch=batch,
            source=source,
            origin=origin,
            chunk_size=options["chunk_size"],
            in_process=in_process,
            **extra,
        )
    plan = f"import run {run.pk}: {run.rows_total:,} {kind} in {run.chunks_total:,} chunk(s)"
    bar = tqdm(total=run.rows_total, unit="row", disable=None, file=command.stderr._out)
    try:
        if in_process:
            why = (
                "--in-process"
                if not settings.CELERY_TASK_ALWAYS_EAGER
                else "no broker configured (CELERY_BROKER_URL is unset)"
            )
            command.stderr.write(f"{why}: {plan}, written in this process.")
            try:
                run = import_runs.import_run_process(
                    run_id=run.pk, on_chunk=lambda r: bar.update(r.rows_done - bar.n)
                )
            except ImportFailed as exc:
                raise CommandError(str(exc)) from None
            return import_runs.import_run_report(run), "in this process"
        command.stderr.write(f"{plan}, enqueued for the Celery workers.")
        run = _wait(run, bar, options["timeout"])
    finally:
        bar.close()
    if run.status == ImportRun.Status.FAILED:
        raise CommandError(f"Nothing was imported (import run {run.pk} failed and was undone): {run.error}")
    return import_runs.import_run_report(run), "on the workers"


def _wait(run: ImportRun, bar: tqdm, timeout: float) -> ImportRun:
    started = time.monotonic()
    try:
        while True:
            run.refresh_from_db()
            bar.update(run.rows_done - bar.n)
            if run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED):
                return run
            if time.monotonic() - started > timeout:
                import_runs.import_run_fail(
                    run_id=run.pk,
                    error=f"no result after {timeout:.0f} s ({run.chunks_done} of {run.chunks_total} chunks "
                    "written): is a worker running?",
                )
                run.refresh_from_db()
                if run.status == ImportRun.Status.DONE:
                    return run  # the last chunk landed meanwhile
                raise CommandError(
                    f"Nothing was imported: gave up waiting after {timeout:.0f} s with {run.chunks_done} of "
                    f"{run.chunks_total} chunks written (is a worker running?); import run {run.pk} was undone."
                )
            time.sleep(0.5)
    except KeyboardInterrupt:
        import_runs.import_run_fail(run_id=run.pk, error="interrupted: the command was stopped")
        raise
