"""One full-rescore chunk in this process, timed and profiled: where a chunk task's time goes.

    cd benchmarks && ../.venv/bin/python profile_chunk.py --reuse-db bench_rescore_chunk15b [--chunk 3] [--top 25]

Uses a database a benchmark built (``bench_rescore.py --db NAME``; never the lead's 100k one unless told). Loads
the stored model and warms the process caches (vacancy matrices, skill extractor) with one untimed chunk, then,
``--repeat`` times: deletes the chosen chunk's stored scores (so every row is an insert, as after the benchmark's
``TRUNCATE``) and runs ``services.score_pairs`` on its ``MATCHING_CHUNK_SIZE`` candidates against every scorable
vacancy — what ``matching.runs.scoring_run_chunk`` does — printing the wall time and rows of each run, then the
cProfile of the last one (by internal and by cumulative time) and the load average. Not a test.
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
    a = ap.parse_args()
    _stack.django_setup(_stack.stack_env(a.reuse_db))
    from django.conf import settings

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
    times = []
    profile = None
    for _ in range(a.repeat):
        MatchScore.objects.filter(candidate_id__in=chunk).delete()
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        rows = services.score_pairs(candidate_ids=chunk, model=model)
        profile.disable()
        times.append(time.perf_counter() - start)
    print(f"chunk {a.chunk}: {len(chunk)} candidates × {n_v} vacancies, {rows:,} rows")
    print("wall (profiled) per run: " + ", ".join(f"{t:.2f} s" for t in times))
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(a.top)
    stats.sort_stats("cumulative").print_stats(a.top + 15)
    print(out.getvalue())
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
