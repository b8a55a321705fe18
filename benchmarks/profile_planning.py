"""A full rescore's planning pass in this process, timed: the refit and the shortlist threshold scan.

    cd benchmarks && ../.venv/bin/python profile_planning.py --reuse-db bench_rescore_x [--repeat 3]

Uses a database a benchmark built (``bench_rescore.py --db NAME``; never the lead's 100k one unless told).  Runs
``--repeat`` times, one after the other: ``model_store.model_fit()``, then
``services.shortlist_thresholds_update()`` with one scan thread (what ``matching.runs`` plans with on one worker),
then the scan's reader alone — ``selectors.candidate_documents`` over the whole pool, ``THRESHOLD_SCAN_CHUNK`` ids
at a time, without evidence.  Prints each step's wall time, this process's CPU time (all threads) and its
PostgreSQL backend's CPU time (CPU time is what counts on a loaded machine), the least of the repeats and the
load average.  Writes the shortlist thresholds and the stored model, as a rescore would.  Not a test.
"""

from __future__ import annotations

import argparse
import os
import time

import _stack


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuse-db", metavar="NAME", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    _stack.django_setup(_stack.stack_env(a.reuse_db))
    from django.db import connection

    from matching import model_store, selectors, services
    from recruiting.models import Candidate

    ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def timed(step) -> tuple[float, float, float]:
        start, cpu, server = time.perf_counter(), time.process_time(), _stack.cpu_seconds(backend)
        step()
        return time.perf_counter() - start, time.process_time() - cpu, _stack.cpu_seconds(backend) - server

    def read_all() -> None:
        size = services.THRESHOLD_SCAN_CHUNK
        for start in range(0, len(ids), size):
            selectors.candidate_documents(ids[start : start + size], evidence=False)

    steps = {
        "model_fit": model_store.model_fit,
        "shortlist_thresholds_update": services.shortlist_thresholds_update,
        "candidate_documents (the scan's reader)": read_all,
    }
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in steps}
    for _ in range(a.repeat):
        for name, step in steps.items():
            results[name].append(timed(step))
    print(f"{len(ids):,} candidates; per run, wall / this process's CPU / its PostgreSQL backend's CPU")
    for name, times in results.items():
        best = min(times, key=lambda t: t[1] + t[2])
        print(
            f"  {name}: "
            + ", ".join(f"{w:.2f} / {c:.2f} / {s:.2f} s" for w, c, s in times)
            + f"; least CPU {best[1]:.2f} + {best[2]:.2f} = {best[1] + best[2]:.2f} s"
        )
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
