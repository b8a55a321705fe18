"""How long the API's match-score list across vacancies (``GET /api/v1/match-scores/``) takes a recruiter, in each
ordering and filter, on a database ``bench_api_wrk.py --keep-db`` built (100,000 × 1,000: ≈ 5.3 million stored
scores).  Each request goes through Django's full stack in this process (no HTTP); its wall time and its slowest
query are printed, the median of ``--repeat`` runs after one warm-up.  Not a test.

    cd benchmarks && ../.venv/bin/python bench_score_lists.py [--db matchwork_api_bench] [--repeat 3]

Environment: ``BENCH_PG``, ``BENCH_REDIS`` (see ``_stack.py``).  Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import _stack

QUERIES = (
    "",  # the ranking: best first, no score last, then id
    "&ordering=-score",
    "&ordering=score",
    "&min_score=90",
    "&ordering=-computed_at",
    "&candidate={candidate}",
    "&vacancy={vacancy}&ordering=-computed_at",
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="matchwork_api_bench")
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per list (after one warm-up)")
    args = parser.parse_args()
    _stack.api_django_setup(args.db)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from matching.models import MatchScore

    token = _stack.recruiter_token("api-lists-recruiter@example.org")
    client = Client(SERVER_NAME="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_ACCEPT": "application/json"}
    some = MatchScore.objects.order_by("pk").values("candidate_id", "vacancy_id").first()
    print(
        f"database {args.db}: {MatchScore.objects.count():,} stored scores; median of {args.repeat} requests"
    )
    print(f"{'GET /api/v1/match-scores/?limit=50…':<58} {'wall ms':>9} {'slowest query ms':>17}")
    for query in QUERIES:
        path = "/api/v1/match-scores/?limit=50" + query.format(
            candidate=some["candidate_id"], vacancy=some["vacancy_id"]
        )
        walls, slowest = [], []
        for i in range(args.repeat + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, **auth)
                wall = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
            if i:  # the first request warms caches and explains the page's narrow rows
                walls.append(wall * 1000)
                slowest.append(max(float(q["time"]) for q in captured.captured_queries) * 1000)
        print(
            f"{path[len('/api/v1/match-scores/') :]:<58} {statistics.median(walls):>9.1f} "
            f"{statistics.median(slowest):>17.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
