"""Incremental rescoring: from one candidate's save to all their scores stored, with a running worker.

    python benchmarks/bench_incremental.py --candidates 2000 --vacancies 1000 --saves 100

Sets up its own PostgreSQL database (``bench_incremental`` on loopback) and Redis db 7, writes synthetic data,
runs a full rescore, starts one ``celery worker``, then saves one candidate's CV 100 times (each save commits and
enqueues ``score_candidates``) and times until the candidate's scores against every open vacancy are stored
(computed after the save).  Prints p50/p95.  Baseline, in the same run: the same save scored in-process with a
refit of the model first (what an engine without a persisted model would do).
"""

from __future__ import annotations

import argparse
import statistics
import time

import _stack


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidates", type=int, default=2000)
    ap.add_argument("--vacancies", type=int, default=1000)
    ap.add_argument("--saves", type=int, default=100)
    ap.add_argument("--baseline-saves", type=int, default=5)
    a = ap.parse_args()

    env = _stack.fresh_database("bench_incremental")
    _stack.manage(
        env, "generate_benchmark_data", "--candidates", str(a.candidates), "--vacancies", str(a.vacancies)
    )
    _stack.django_setup(env)
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from matching import model_store, runs, services
    from matching.models import MatchScore
    from recruiting.models import Candidate
    from recruiting.services import candidate_upsert

    t0 = time.perf_counter()
    workers = _stack.start_workers(env, 1, concurrency=1)
    try:
        run = runs.scoring_run_start(scope="all")
        while True:
            run.refresh_from_db()
            if run.status in ("done", "failed"):
                break
            time.sleep(0.5)
        print(
            f"setup: {a.candidates:,} candidates × {a.vacancies:,} vacancies scored in {time.perf_counter() - t0:.1f} s "
            f"({MatchScore.objects.count():,} rows stored)"
        )
        cand = Candidate.objects.order_by("pk").first()
        expected = min(a.vacancies, settings.MATCHING_TOP_N_PER_CANDIDATE)
        timings, parts = [], []
        for i in range(a.saves):
            saved_at = timezone.now()
            start = time.perf_counter()
            with transaction.atomic():
                candidate_upsert(
                    source=cand.source, reference=cand.reference, cv_text=cand.cv_text + f"\nUpdate {i}."
                )
            committed, committed_at = time.perf_counter(), timezone.now()
            while MatchScore.objects.filter(candidate=cand, computed_at__gte=saved_at).count() < expected:
                time.sleep(0.002)
            timings.append(time.perf_counter() - start)
            # the save in this process; commit → the worker's scores computed (their computed_at); → seen stored
            computed = max(MatchScore.objects.filter(candidate=cand).values_list("computed_at", flat=True))
            parts.append(
                (
                    committed - start,
                    (computed - committed_at).total_seconds(),
                    (timezone.now() - computed).total_seconds(),
                )
            )
    finally:
        _stack.stop_workers(workers)
    slowest = sorted(range(len(timings)), key=timings.__getitem__, reverse=True)[:8]
    in_order = ", ".join(
        f"#{i} {timings[i] * 1000:.0f} ({' + '.join(f'{p * 1000:.0f}' for p in parts[i])})"
        for i in sorted(slowest)
    )
    typical = sorted(range(len(timings)), key=timings.__getitem__)[len(timings) // 2]
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]

    from django.conf import settings

    settings.CELERY_TASK_ALWAYS_EAGER = True
    base = []
    for i in range(a.baseline_saves):
        start = time.perf_counter()
        model_store.model_fit()
        services.score_pairs(candidate_ids=[cand.pk])
        base.append(time.perf_counter() - start)
    b50 = statistics.median(base)
    print(
        f"incremental: save → {expected} scores stored (of {a.vacancies:,} open vacancies scored), over "
        f"{a.saves} saves: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms"
    )
    print(
        "slowest saves (save number, ms (the save + commit → scores computed + → seen stored)): "
        f"{in_order}; the median save #{typical}: {' + '.join(f'{p * 1000:.0f}' for p in parts[typical])}"
    )
    print(f"baseline: refit + score in-process, {a.baseline_saves} saves: p50 {b50 * 1000:.0f} ms")
    print(f"ratio: the persisted model in a running worker is {b50 / p50:.1f}× faster (p50)")


if __name__ == "__main__":
    main()
