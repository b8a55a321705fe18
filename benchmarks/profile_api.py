"""Where a shortlist API request's time goes, beside the minimal ranked baseline's (issue 15, "Honest load figures"):
the same requests ``bench_api_wrk.py`` sends, made in this process through Django's full stack (middleware,
authentication, throttle, view, renderer) without HTTP, one at a time, on a database ``bench_api_wrk.py
--keep-db`` built.

    cd benchmarks && ../.venv/bin/python profile_api.py [--db matchwork_api_bench] [--requests 200] [--cprofile 25]

The shortlist API is measured with the page cache off (every page built) and then on, after a pass that stored
every page (every request a hit).  For each endpoint it prints, per request (means, milliseconds): wall time, this process's CPU time (Python:
Django, DRF, psycopg), the PostgreSQL backend's CPU time (``/proc/<pid>/stat`` of ``pg_backend_pid()``; the server
is on this machine), the number of queries and the time spent in them, then the queries by total time.
``--cprofile N`` adds cProfile's top N functions by own time for the shortlist API.  Only 127.0.0.1 is contacted.
Environment: ``BENCH_PG``, ``BENCH_REDIS`` (see ``_stack.py``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import _stack


def query_shape(sql: str) -> str:
    """A query's first 110 characters with its literals folded, to group the same query's runs."""
    sql = re.sub(r"'[^']*'", "'?'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"\s+", " ", sql)[:110]


def measure(client, paths: list[str], headers: list[dict], backend_pid: int) -> dict:
    """Send every path (with the matching headers) once; returns per-request means and the queries by time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    by_shape: dict[str, list[float]] = defaultdict(list)
    wall = cpu = backend = queries = sql = 0.0
    size = 0
    for path, extra in zip(paths, headers, strict=True):
        b0, c0, w0 = _stack.cpu_seconds(backend_pid), time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **extra)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        backend += _stack.cpu_seconds(backend_pid) - b0
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        size += len(response.content)
        queries += len(captured.captured_queries)
        for q in captured.captured_queries:
            sql += float(q["time"])
            by_shape[query_shape(q["sql"])].append(float(q["time"]))
    n = len(paths)
    return {
        "wall_ms": 1000 * wall / n,
        "cpu_ms": 1000 * cpu / n,
        "backend_ms": 1000 * backend / n,
        "queries": queries / n,
        "sql_ms": 1000 * sql / n,
        "bytes": size / n,
        "shapes": sorted(
            ((sum(t) * 1000 / n, len(t) / n, shape) for shape, t in by_shape.items()), reverse=True
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="matchwork_api_bench")
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per endpoint (each a random vacancy)"
    )
    parser.add_argument(
        "--cprofile", type=int, default=0, metavar="N", help="print cProfile's top N functions"
    )
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime or cumulative")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--page-cache",
        action="store_true",
        help="cProfile the shortlist API served from the page cache (default: building the page)",
    )
    args = parser.parse_args()
    os.environ["SHORTLIST_PAGE_CACHE_SECONDS"] = "120"  # on, as with Redis in production; off per row below
    os.environ["API_THROTTLE_USER"] = "1000000/min"  # one token sends every request; the throttle still runs
    _stack.api_django_setup(args.db)
    from django.db import connection
    from django.test import Client, override_settings

    from recruiting.models import Vacancy

    token = _stack.recruiter_token("api-profile-recruiter@example.org")
    vacancies = list(Vacancy.objects.filter(status="open").values_list("pk", flat=True))
    rng = random.Random(args.seed)
    sample = [rng.choice(vacancies) for _ in range(args.requests)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    client = Client(SERVER_NAME="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT": "application/json"}
    endpoints = {
        "ranked baseline": ([f"/bench/baseline-ranked/{v}/" for v in sample], [{}] * len(sample)),
        "shortlist API": (
            [f"/api/v1/vacancies/{v}/match-scores/?limit=50" for v in sample],
            [auth] * len(sample),
        ),
    }
    uncached = override_settings(SHORTLIST_PAGE_CACHE_SECONDS=0)
    with uncached:
        for paths, headers in endpoints.values():  # warm: imports, caches, the pages' explanations
            measure(client, paths[:20], headers[:20], backend_pid)
        results = {
            name: measure(client, paths, headers, backend_pid) for name, (paths, headers) in endpoints.items()
        }
    # The same requests again with the page cache on: a first pass stores every page, the second is all hits.
    measure(client, *endpoints["shortlist API"], backend_pid)
    results["API, cached"] = measure(client, *endpoints["shortlist API"], backend_pid)
    print(f"{args.requests} requests each, database {args.db}; per request, milliseconds")
    print(f"{'endpoint':<16} {'wall':>7} {'own CPU':>8} {'PG CPU':>7} {'queries':>8} {'in SQL':>7} {'KB':>7}")
    for name, r in results.items():
        print(
            f"{name:<16} {r['wall_ms']:>7.2f} {r['cpu_ms']:>8.2f} {r['backend_ms']:>7.2f} {r['queries']:>8.1f} "
            f"{r['sql_ms']:>7.2f} {r['bytes'] / 1024:>7.1f}"
        )
    for name, r in results.items():
        print(f"\n{name}: queries by time per request (ms, count per request)")
        for total, count, shape in r["shapes"][:12]:
            print(f"  {total:7.2f} {count:5.1f}  {shape}")
    if args.cprofile:
        paths, headers = endpoints["shortlist API"]
        profile = cProfile.Profile()
        with override_settings(SHORTLIST_PAGE_CACHE_SECONDS=120 if args.page_cache else 0):
            profile.enable()
            measure(client, paths, headers, backend_pid)
            profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
