"""Full rescore end to end through Redis and worker processes with PostgreSQL: wall time and rows per second.

    python benchmarks/bench_rescore.py --candidates 10000 --vacancies 100 [--workers 2]

Sets up its own database (``bench_rescore``), writes synthetic data with ``generate_benchmark_data`` (extraction
included, timed apart), then times ``score --all`` — planning (refit, shortlist thresholds), chunk fan-out and
storage — first with one worker process (the baseline, same run) and then with ``--workers`` processes.
"""

from __future__ import annotations

import argparse
import time

import _stack


def timed_run(env, workers: int) -> tuple[float, int]:
    from matching import services
    from matching.models import MatchScore, ScoringRun

    procs = _stack.start_workers(env, workers, concurrency=1)
    try:
        MatchScore.objects.all().delete()
        start = time.perf_counter()
        run = services.scoring_run_start(scope="all")
        while True:
            run = ScoringRun.objects.get(pk=run.pk)
            if run.status in ("done", "failed"):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        if run.status == "failed":
            raise RuntimeError(run.error)
        return elapsed, MatchScore.objects.count()
    finally:
        _stack.stop_workers(procs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--vacancies", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    env = _stack.fresh_database("bench_rescore")
    t0 = time.perf_counter()
    _stack.manage(env, "generate_benchmark_data", "--candidates", str(a.candidates), "--vacancies", str(a.vacancies))
    gen = time.perf_counter() - t0
    _stack.django_setup(env)
    one, rows1 = timed_run(env, 1)
    many, rows = timed_run(env, a.workers)
    pairs = a.candidates * a.vacancies
    print(f"data: {a.candidates:,} candidates × {a.vacancies:,} vacancies = {pairs:,} pairs; generated and extracted "
          f"in {gen:.1f} s")
    print(f"baseline: 1 worker: {one:.1f} s wall, {rows1:,} rows stored, {rows1 / one:,.0f} rows/s, "
          f"{pairs / one:,.0f} pairs/s scored")
    print(f"rescore: {a.workers} workers: {many:.1f} s wall, {rows:,} rows stored, {rows / many:,.0f} rows/s, "
          f"{pairs / many:,.0f} pairs/s scored")
    print(f"ratio: {one / many:.2f}× faster with {a.workers} workers than with 1")


if __name__ == "__main__":
    main()
