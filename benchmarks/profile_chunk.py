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
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path

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
    a = ap.parse_args()
    _stack.django_setup(_stack.stack_env(a.reuse_db))
    from django.conf import settings
    from django.db import connection

    from matching import model_store, services
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

    def once(profile: cProfile.Profile | None) -> tuple[int, float, float, float]:
        MatchScore.objects.filter(candidate_id__in=chunk).delete()
        with connection.cursor() as cursor:  # no dead index entries left to step over, as after a TRUNCATE
            cursor.execute(f"VACUUM {MatchScore._meta.db_table}")
        start, cpu, server = time.perf_counter(), time.process_time(), _cpu_seconds(backend)
        if profile:
            profile.enable()
        rows = services.score_pairs(candidate_ids=chunk, model=model)
        if profile:
            profile.disable()
        return rows, time.perf_counter() - start, time.process_time() - cpu, _cpu_seconds(backend) - server

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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a local process (Linux ``/proc``; 0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
