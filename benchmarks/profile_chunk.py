"""One full-rescore chunk in this process, timed and profiled: where a chunk task's time goes.

    cd benchmarks && ../.venv/bin/python profile_chunk.py --reuse-db bench_rescore_chunk15b [--chunk 3] [--top 25]

Uses a database a benchmark built (``bench_rescore.py --db NAME``; never the lead's 100k one unless told). Loads
the stored model and warms the process caches (vacancy matrices, skill extractor) with one untimed chunk. Then,
``--repeat`` times and once more under cProfile: deletes the chosen chunk's stored scores and vacuums the table (so
every row is an insert, as after the benchmark's ``TRUNCATE``) and runs ``services.score_pairs`` on its
``MATCHING_CHUNK_SIZE`` candidates against every scorable vacancy — what ``matching.runs.scoring_run_chunk`` does.
Prints each run's wall time, this process's CPU time and its PostgreSQL backend's CPU time (CPU time is what two
busy workers share the two cores by), the cProfile of the profiled run (by internal and by cumulative time) and the
load average. Not a test.

``--over-stored`` keeps the chunk's stored scores, so the rows are replaced (``ON CONFLICT DO UPDATE``) as in a full
rescore over stored scores, instead of inserted. ``--phases`` prints, for each run, the wall time and the PostgreSQL
backend's CPU time of the row upsert, the unkept-rows delete and the commit (the deferred foreign-key checks and the
WAL flush). ``--set NAME=VALUE`` sets a PostgreSQL parameter for the session first (repeatable), to measure one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time

import _stack


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuse-db", metavar="NAME", required=True)
    ap.add_argument("--chunk", type=int, default=3, help="which chunk of MATCHING_CHUNK_SIZE candidates")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument(
        "--cpu-profile",
        action="store_true",
        help="profile this process's CPU time instead of wall time (on a loaded machine wall time also counts "
        "the time the process waits for a core)",
    )
    ap.add_argument(
        "--over-stored",
        action="store_true",
        help="keep the chunk's stored scores: rows are replaced, as in a full rescore over stored scores",
    )
    ap.add_argument("--phases", action="store_true", help="time the upsert, the delete and the commit apart")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a PostgreSQL session parameter"
    )
    a = ap.parse_args()
    _stack.django_setup(_stack.stack_env(a.reuse_db))
    from django.conf import settings
    from django.db import connection

    from matching import model_store, services, storage
    from matching.models import MatchScore
    from matching.selectors import scorable_vacancy_ids
    from recruiting.models import Candidate

    size = settings.MATCHING_CHUNK_SIZE
    ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    chunk = ids[a.chunk * size : (a.chunk + 1) * size]
    warm = ids[(a.chunk + 1) * size : (a.chunk + 2) * size] or ids[:size]
    model = model_store.model_load_or_fit()
    n_v = len(scorable_vacancy_ids())
    services.score_pairs(candidate_ids=warm, model=model)  # process caches warm, as in a running worker
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        for item in a.set:
            name, _, value = item.partition("=")
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
    phases: dict[str, list[float]] = {}
    if a.phases:

        def timed(name, fn):
            def wrapper(*args, **kwargs):
                start, server = time.perf_counter(), _stack.cpu_seconds(backend)
                try:
                    return fn(*args, **kwargs)
                finally:
                    spent = phases.setdefault(name, [0.0, 0.0])
                    spent[0] += time.perf_counter() - start
                    spent[1] += _stack.cpu_seconds(backend) - server

            return wrapper

        services.rows_upsert = timed("upsert", storage.rows_upsert)
        services.rows_delete_unkept = timed("delete unkept", storage.rows_delete_unkept)
        connection.commit = timed("commit", connection.commit)

    def once(profile: cProfile.Profile | None) -> tuple[int, float, float, float]:
        if not a.over_stored:
            MatchScore.objects.filter(candidate_id__in=chunk).delete()
            # no dead index entries left to step over, as after a TRUNCATE
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {MatchScore._meta.db_table}")
        phases.clear()
        start, cpu, server = time.perf_counter(), time.process_time(), _stack.cpu_seconds(backend)
        if profile:
            profile.enable()
        rows = services.score_pairs(candidate_ids=chunk, model=model)
        if profile:
            profile.disable()
        if phases:
            print(
                "  phases, wall / PostgreSQL CPU: "
                + ", ".join(f"{name} {w:.3f} / {c:.2f} s" for name, (w, c) in phases.items())
            )
        return (
            rows,
            time.perf_counter() - start,
            time.process_time() - cpu,
            _stack.cpu_seconds(backend) - server,
        )

    times = [once(None) for _ in range(a.repeat)]
    print(f"chunk {a.chunk}: {len(chunk)} candidates × {n_v} vacancies, {times[0][0]:,} rows")
    print(
        "per run, wall / this process's CPU / its PostgreSQL backend's CPU: "
        + ", ".join(f"{wall:.2f} / {cpu:.2f} / {server:.2f} s" for _, wall, cpu, server in times)
    )
    best = min(times, key=lambda t: t[2] + t[3])
    print(
        f"least CPU of {a.repeat}: {best[2]:.2f} s here + {best[3]:.2f} s PostgreSQL = {best[2] + best[3]:.2f} s"
    )
    profile = cProfile.Profile(time.process_time) if a.cpu_profile else cProfile.Profile()
    _, wall, cpu, server = once(profile)
    print(f"profiled run: {wall:.2f} / {cpu:.2f} / {server:.2f} s")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(a.top)
    stats.sort_stats("cumulative").print_stats(a.top + 15)
    print(out.getvalue())
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
