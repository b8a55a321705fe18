"""Full rescore end to end through Redis and worker processes with PostgreSQL: wall time and rows per second.

    python benchmarks/bench_rescore.py --candidates 10000 --vacancies 100 [--workers 2]
    python benchmarks/bench_rescore.py --reuse-db matchwork_api_bench --no-baseline   # 100k × 1k kept by bench_api.py
    python benchmarks/bench_rescore.py --reuse-db NAME --planning-only   # the planning alone (refit, thresholds)

Sets up its own database (``bench_rescore``, or ``--db NAME``), writes synthetic data with ``generate_benchmark_data`` (extraction
included, timed apart), then times ``score --all`` — planning (refit, shortlist thresholds), chunk fan-out and
storage — first with one worker process (the baseline, same run) and then with ``--workers`` processes.
Prints the planning phase (refit and threshold scan on one worker) apart from the fanned-out chunks.
``--keep-scores`` rescores over the stored scores (what a production rescore finds) instead of an emptied table.
``--reuse-db`` rescores a database built before (e.g. the 100,000 × 1,000 one ``bench_api.py --keep-db`` keeps)
instead of generating one; ``--no-baseline`` skips the one-worker run (half an hour at that size).
"""

from __future__ import annotations

import argparse
import os
import time

import _stack


def timed_run(env, workers: int, planning_only: bool = False, keep_scores: bool = False) -> tuple[float, int]:
    from matching import runs
    from matching.models import MatchScore, ScoringRun

    procs = _stack.start_workers(env, workers, concurrency=1)
    try:
        from django.db import connection

        if not keep_scores:
            with connection.cursor() as cursor:  # a clean slate, fast even at 5 M rows
                cursor.execute(f"TRUNCATE {MatchScore._meta.db_table}")
        rss = _stack.PeakRss(procs)
        start = time.perf_counter()
        run = runs.scoring_run_start(scope="all")
        while True:
            run = ScoringRun.objects.get(pk=run.pk)
            if run.status in ("done", "failed") or (planning_only and run.started_at):
                break
            rss.sample()
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        print(
            "  peak RSS per worker (process tree, MiB): "
            + ", ".join(f"{m:,.0f}" for m in rss.peaks())
            + " (target ≤ 1,536 MiB each)"
        )
        if run.status == "failed":
            raise RuntimeError(run.error)
        plan = (run.started_at - run.created_at).total_seconds() if run.started_at else 0.0
        if planning_only:
            print(f"  {workers} worker(s): planning (refit + threshold scan) {plan:.1f} s; chunks not timed")
            return plan, 0
        chunks = (run.finished_at - run.started_at).total_seconds() if run.started_at else 0.0
        print(
            f"  {workers} worker(s): planning (refit + threshold scan) {plan:.1f} s, then {run.chunks_total} chunks "
            f"in {chunks:.1f} s"
        )
        return elapsed, MatchScore.objects.count()
    finally:
        _stack.stop_workers(procs)
        if planning_only:  # the chunks the workers did not take: gone before the next run
            from recruiting.celery import app

            app.control.purge()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--vacancies", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--reuse-db", metavar="NAME", help="rescore this existing database instead of generating one"
    )
    ap.add_argument("--no-baseline", action="store_true", help="skip the one-worker baseline run")
    ap.add_argument(
        "--planning-only",
        action="store_true",
        help="stop when the first chunk starts: time the planning (refit, threshold scan) alone; implies "
        "--no-baseline; the stored scores are left part-written",
    )
    ap.add_argument(
        "--keep-scores",
        action="store_true",
        help="rescore over the stored scores, as a production rescore does, instead of emptying the table first",
    )
    ap.add_argument(
        "--db",
        default="bench_rescore",
        help="name of the database to build (dropped and created; default bench_rescore); "
        "give each engineer's runs their own",
    )
    a = ap.parse_args()
    if a.reuse_db:
        env = _stack.stack_env(a.reuse_db)
        gen = None
    else:
        env = _stack.fresh_database(a.db)
        t0 = time.perf_counter()
        _stack.manage(
            env, "generate_benchmark_data", "--candidates", str(a.candidates), "--vacancies", str(a.vacancies)
        )
        gen = time.perf_counter() - t0
    _stack.django_setup(env)
    from matching.selectors import scorable_vacancy_ids
    from recruiting.models import Candidate

    a.candidates, a.vacancies = Candidate.objects.count(), len(scorable_vacancy_ids())
    pairs = a.candidates * a.vacancies
    print(
        f"data: {a.candidates:,} candidates × {a.vacancies:,} vacancies = {pairs:,} pairs; "
        + (f"generated and extracted in {gen:.1f} s" if gen is not None else f"reused database {a.reuse_db}")
    )
    if a.planning_only:
        timed_run(env, a.workers, planning_only=True)
        print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        return
    if not a.no_baseline:
        one, rows1 = timed_run(env, 1, keep_scores=a.keep_scores)
        print(
            f"baseline: 1 worker: {one:.1f} s wall, {rows1:,} rows stored, {rows1 / one:,.0f} rows/s, "
            f"{pairs / one:,.0f} pairs/s scored"
        )
    many, rows = timed_run(env, a.workers, keep_scores=a.keep_scores)
    print(
        f"rescore: {a.workers} workers: {many:.1f} s wall, {rows:,} rows stored, {rows / many:,.0f} rows/s, "
        f"{pairs / many:,.0f} pairs/s scored"
    )
    if not a.no_baseline:
        print(f"ratio: {one / many:.2f}× faster with {a.workers} workers than with 1")


if __name__ == "__main__":
    main()
