"""``score [--all | --vacancy REF | --candidate REF] [--wait]``: enqueue scoring, optionally wait for it.

While waiting, a dropped database connection (``OperationalError`` / ``InterfaceError``) closes the connection
and tries again, ``DB_RETRIES`` times ``DB_RETRY_SLEEP`` seconds apart; if the database stays out of reach the
command stops with a ``CommandError`` naming the run — the run itself carries on in the workers.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connection, transaction
from tqdm import tqdm

from matching import runs
from matching.models import ScoringRun
from recruiting.models import Candidate, Vacancy

DB_RETRIES = 5
DB_RETRY_SLEEP = 2.0


def run_progress(run: ScoringRun) -> None:
    """Reload the run's progress (the query the wait loop repeats)."""
    run.refresh_from_db(fields=["status", "done", "total", "error"])


def _by_reference(model, reference: str, source: str | None):
    rows = model.objects.filter(reference=reference)
    if source:
        rows = rows.filter(source=source)
    found = list(rows[:2])
    if not found:
        raise CommandError(f"no {model._meta.verbose_name} with reference {reference!r}")
    if len(found) > 1:
        raise CommandError(f"reference {reference!r} exists in several sources; name one with --source")
    return found[0]


class Command(BaseCommand):
    help = (
        "Enqueue scoring of every candidate against every open or draft vacancy (--all, which also refits "
        "the TF-IDF model), of one vacancy, or of one candidate. --wait shows progress until all is stored."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="full rescore (refits the model)")
        target.add_argument("--vacancy", metavar="REF", help="one vacancy, by reference")
        target.add_argument("--candidate", metavar="REF", help="one candidate, by reference")
        parser.add_argument("--source", help="the source of the reference, where several sources share it")
        parser.add_argument("--wait", action="store_true", help="wait until every score is stored")
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds to wait at most (default 3600)"
        )

    def handle(self, *args, **opts):
        # Timed from the start: without a broker the tasks run in-process while the run is started, so the
        # scoring itself happens before the wait loop below.
        started = time.monotonic()
        with transaction.atomic():
            if opts["all"]:
                run = runs.scoring_run_start(scope="all")
            elif opts["vacancy"]:
                vacancy = _by_reference(Vacancy, opts["vacancy"], opts["source"])
                run = runs.scoring_run_start(
                    scope="vacancy", target=vacancy.reference, vacancy_ids=[vacancy.pk]
                )
            else:
                candidate = _by_reference(Candidate, opts["candidate"], opts["source"])
                run = runs.scoring_run_start(
                    scope="candidate", target=candidate.reference, candidate_ids=[candidate.pk]
                )
        run.refresh_from_db()
        planned = f"in {run.chunks_total} chunks" if run.chunks_total else "(a worker plans the chunks)"
        self.stdout.write(f"Scoring run {run.pk}: {run.total} pairs {planned}, enqueued.")
        if not opts["wait"]:
            return
        with tqdm(total=run.total, unit="pair", disable=None, file=self.stderr._out) as bar:
            while True:
                self._progress(run)
                bar.update(run.done - bar.n)
                if run.status in (ScoringRun.Status.DONE, ScoringRun.Status.FAILED):
                    break
                if time.monotonic() - started > opts["timeout"]:
                    raise CommandError(
                        f"gave up waiting after {opts['timeout']:.0f} s: {run.done} of {run.total} "
                        "pairs stored (is a worker running?)"
                    )
                time.sleep(0.5)
        if run.status == ScoringRun.Status.FAILED:
            raise CommandError(f"scoring run {run.pk} failed: {run.error}")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Stored {run.done} match scores in {elapsed:.1f} s."))

    def _progress(self, run: ScoringRun) -> None:
        """``run_progress``, reconnecting when the database connection dropped; a ``CommandError`` naming the
        run when it stays out of reach."""
        for attempt in range(1, DB_RETRIES + 1):
            try:
                run_progress(run)
                return
            except (OperationalError, InterfaceError) as exc:
                error = exc
                connection.close()  # the next query opens a fresh connection
                if attempt < DB_RETRIES:
                    self.stderr.write(
                        f"Database connection lost ({str(exc).strip() or type(exc).__name__}); "
                        f"reconnecting ({attempt}/{DB_RETRIES - 1})…"
                    )
                    time.sleep(DB_RETRY_SLEEP)
        raise CommandError(
            f"lost the database connection while waiting for scoring run {run.pk} "
            f"({str(error).strip() or type(error).__name__}; tried {DB_RETRIES} times). The run carries on in "
            f"the workers: follow scoring run {run.pk} in the admin's scoring runs."
        )
