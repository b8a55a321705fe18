"""Ranked shortlist API under ``wrk`` (issue 15, "Honest load figures"): throughput and latency of
``GET /api/v1/vacancies/<id>/match-scores/?limit=50`` beside a minimal baseline endpoint over the same table,
measured in the same run by a C load generator that barely competes for the cores (locust, in Python, took a
large share of them in ``bench_api.py``).

    apt-get install wrk       # Debian package
    .venv/bin/python benchmarks/bench_api_wrk.py [--candidates 100000] [--vacancies 1000] [--keep-db]
    .venv/bin/python benchmarks/bench_api_wrk.py --reuse-db          # the load again on a kept database

1. Data, as ``bench_api.py`` builds it (same database ``matchwork_api_bench``, so ``--reuse-db`` works on one
   either script kept): ``migrate``, ``generate_benchmark_data``, a full rescore through Celery workers,
   ``VACUUM ANALYZE``.  Timed apart from the load; skipped with ``--reuse-db``.
2. ``--tokens`` recruiter accounts with API tokens.  The API's per-user throttle (1000/min) stays on, as in
   production: wrk's script spreads requests over the tokens so that no token comes near it.
3. gunicorn as production runs it (``gunicorn.conf.py``: ``gthread`` workers) with ``--gunicorn-workers``
   processes of ``--gunicorn-threads`` threads, production settings plus one URL
   (``benchmarks/wrk_settings.py`` → ``wrk_urls.py``): ``GET /bench/baseline/<vacancy>/``, a bare DRF view with
   no authentication that returns 50 rows of
   ``MatchScore.objects.filter(vacancy=…).order_by("-score").values(…)``; and ``GET /bench/baseline-ranked/<id>/``,
   the same in the service's ranking order (``score DESC NULLS LAST, id``), which the index the API uses serves.
   PostgreSQL plans the issue's ``order_by("-score")`` as a backward scan of the whole ``score`` index (seconds
   for some vacancies), so the ranked baseline is the fair yardstick and both are reported.  And
   ``GET /bench/baseline-ranked-auth/<id>/``: the ranked baseline behind the API's token authentication, throttles
   and recruiter check (not in the issue: what any authenticated request costs here before a page is built).
4. Warm-up (5 s of each), then ``wrk -t THREADS -c CONNECTIONS -d DURATION --latency`` against the ranked
   baseline, the authenticated ranked baseline, the shortlist API (the page cache on, as production runs with Redis: after the warm-up most pages
   come from the cache), the shortlist API again with gunicorn restarted with ``SHORTLIST_PAGE_CACHE_SECONDS=0``
   (every page built by PostgreSQL: the worst case, as when writes keep replacing the cache's generation), then the
   issue's baseline (last: its slow queries go on running in PostgreSQL after wrk's timeout and would load a run
   after it); each request names a vacancy drawn at random among the
   open ones (and, for the API, a token in turn).  Figures from wrk's ``done()`` hook: requests, requests/s,
   p50/p99/max latency, errors = non-2xx/3xx responses + socket errors (connect, read, write, timeout).
5. Prints the four rows, how many pages the cache held, and the ratios against the issue's targets, against each
   baseline (the uncached run against the ranked baseline): throughput ≥ 0.7× the
   baseline's, p99 ≤ 2× the baseline's, 0 errors.  Exits 1 when the shortlist API had an error (a baseline's
   errors are printed, not the API's).

Only 127.0.0.1 is contacted.  Environment: ``BENCH_PG``, ``BENCH_REDIS`` (see ``_stack.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _stack
import bench_api as api

TARGET = {"throughput_ratio": 0.7, "p99_ratio": 2.0}

LUA = r"""
local paths = PATHS
local tokens = TOKENS
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  if #tokens > 0 then
    return wrk.format("GET", path, {["Accept"] = "application/json",
                                    ["Authorization"] = "Token " .. tokens[(counter % #tokens) + 1]})
  end
  return wrk.format("GET", path, {["Accept"] = "application/json"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    latency.mean, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_table(values: list) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def run_wrk(
    port: int, script: Path, args: argparse.Namespace, duration: float, server_pid: int | None = None
) -> dict:
    """One wrk run with ``script``; returns its figures (milliseconds, requests/s, errors) and, with
    ``server_pid``, the CPU milliseconds per request of the web server, Redis, wrk and the whole machine
    (``_stack.cpu_by_process_group``)."""
    before = _stack.cpu_by_process_group(server_pid) if server_pid else None
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{duration:g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            f"http://{api.HOST}:{port}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line[4:])
    cpu = {}
    if before is not None and raw["requests"]:
        after, wrk_after = (
            _stack.cpu_by_process_group(server_pid),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        cpu = {group: (after[group] - before[group]) * 1000 / raw["requests"] for group in after}
        wrk_seconds = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
        cpu["wrk"] = wrk_seconds * 1000 / raw["requests"]
    return {
        "cpu_ms_per_request": cpu,
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "errors": raw["status_errors"] + raw["socket_errors"],
        "status_errors": raw["status_errors"],
        "socket_errors": raw["socket_errors"],
    }


def redis_keys(env: dict, pattern: str) -> int:
    """How many keys of the benchmark's Redis match ``pattern``."""
    import redis

    return sum(1 for _ in redis.Redis.from_url(env["CELERY_BROKER_URL"]).scan_iter(match=pattern, count=1000))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (at most --connections)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each measured wrk run")
    parser.add_argument(
        "--tokens", type=int, default=200, help="recruiter API tokens the requests rotate over"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        default=4,
        help="threads per gunicorn process (GUNICORN_THREADS; 4 in production). A keep-alive connection stays "
        "with the process that accepted it, so wrk's 8 connections may crowd one process, whose GIL then "
        "caps it at one core: 1 thread with 8 processes spreads them",
    )
    parser.add_argument(
        "--score-workers", type=int, default=2, help="Celery worker processes for the rescore"
    )
    parser.add_argument(
        "--score-timeout", type=float, default=6 * 3600, help="seconds to wait for the rescore"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON too")
    parser.add_argument(
        "--db", default=api.DB, help=f"database name (default {api.DB}, the one bench_api.py keeps)"
    )
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {api.DB} database afterwards")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"load only, on the {api.DB} database of an earlier --keep-db run (kept again)",
    )
    args = parser.parse_args()
    if (
        min(args.connections, args.threads, args.tokens, args.gunicorn_workers, args.gunicorn_threads) < 1
        or args.duration <= 0
    ):
        parser.error(
            "--connections, --threads, --tokens, --gunicorn-workers, --gunicorn-threads and --duration must be positive"
        )
    if args.threads > args.connections:
        parser.error(
            "--threads must not exceed --connections (wrk gives each thread at least one connection)"
        )
    api.DB = args.db  # bench_api's build() and psql() read the module's name
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    api.loopback_only()

    bench_dir = str(Path(__file__).resolve().parent)
    env = {**_stack.stack_env(api.DB), "ALLOWED_HOSTS": api.HOST}
    timings: dict = {}
    server = None
    results: dict = {}
    try:
        if args.reuse_db:
            found = api.psql(
                "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{api.DB}'", capture=True
            ).strip()
            if found != "1":
                sys.exit(f"no database {api.DB} to reuse: run once with --keep-db")
            print(f"== data: reusing database {api.DB} (build not timed in this run)", flush=True)
        else:
            timings = api.build(args)
            print(
                f"== data built in {sum(timings.values()):.1f} s: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
                flush=True,
            )
        data = api.accounts(env, args.tokens)
        vacancies = data["vacancies"]
        if not vacancies:
            raise RuntimeError("no open vacancy in the database")
        server_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "wrk_settings",
            "PYTHONPATH": os.pathsep.join([bench_dir, str(_stack.ROOT)]),
            "GUNICORN_THREADS": str(args.gunicorn_threads),
        }
        port = api.free_port()
        server = api.start_gunicorn(server_env, port, args.gunicorn_workers)
        print(
            f"== gunicorn ({args.gunicorn_workers} gthread workers × {args.gunicorn_threads} threads, DEBUG=0) on http://{api.HOST}:{port}/; "
            f"{data['candidates']:,} candidates, {len(vacancies):,} open vacancies, ≈{data['match_scores']:,} "
            "stored scores",
            flush=True,
        )
        rng = random.Random(args.seed)
        sample = [rng.choice(vacancies) for _ in range(min(len(vacancies), 500))]
        for baseline in ("baseline", "baseline-ranked"):
            status, body = api.get(port, f"/bench/{baseline}/{sample[0]}/")
            if status != 200 or not isinstance(json.loads(body), list):
                raise RuntimeError(f"the {baseline} endpoint answered {status}: {body[:300]!r}")
        with tempfile.TemporaryDirectory(prefix="bench-api-wrk-") as workdir:
            scripts = {
                "ranked": (
                    "GET /bench/baseline-ranked/<id>/ (no auth, 50 rows, ranking order)",
                    [f"/bench/baseline-ranked/{v}/" for v in sample],
                    [],
                ),
                "authed": (
                    "GET /bench/baseline-ranked-auth/<id>/ (the same, token, throttle, recruiter check)",
                    [f"/bench/baseline-ranked-auth/{v}/" for v in sample],
                    data["tokens"],
                ),
                "shortlist": (
                    f"GET /api/v1/vacancies/<id>/match-scores/?limit={api.LIMIT}",
                    [api.shortlist_path(v) for v in sample],
                    data["tokens"],
                ),
                "uncached": (
                    "the same, page cache off (SHORTLIST_PAGE_CACHE_SECONDS=0)",
                    [api.shortlist_path(v) for v in sample],
                    data["tokens"],
                ),
                "baseline": (
                    'GET /bench/baseline/<id>/ (no auth, 50 rows, order_by("-score"))',
                    [f"/bench/baseline/{v}/" for v in sample],
                    [],
                ),
            }
            for label, (name, paths, tokens) in scripts.items():
                if label == "uncached":  # every request builds its page: the worst case, all cache misses
                    cached_pages = redis_keys(env, "*shortlist:page:*")
                    api.stop(server)
                    server.log.close()
                    Path(server.log.name).unlink(missing_ok=True)
                    server = api.start_gunicorn(
                        {**server_env, "SHORTLIST_PAGE_CACHE_SECONDS": "0"}, port, args.gunicorn_workers
                    )
                script = Path(workdir) / f"{label}.lua"
                script.write_text(LUA.replace("PATHS", lua_table(paths)).replace("TOKENS", lua_table(tokens)))
                print(f"== wrk warm-up: {label}, 5 s", flush=True)
                run_wrk(port, script, args, 5)
                print(
                    f"== wrk: {label}, {args.connections} connections, {args.threads} threads, "
                    f"{args.duration:g} s",
                    flush=True,
                )
                results[label] = {"name": name, **run_wrk(port, script, args, args.duration, server.pid)}
    finally:
        if server is not None:
            api.stop(server)
            server.log.close()
        if not (args.keep_db or args.reuse_db):
            api.psql("-qc", f'DROP DATABASE IF EXISTS "{api.DB}" WITH (FORCE)', check=False)

    head = f"wrk -c {args.connections} -t {args.threads} -d {args.duration:g}s, {data['candidates']:,} candidates"
    width = max(len(head), *(len(r["name"]) for r in results.values()))
    print(
        f"\n{head:<{width}}  {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    )
    for label in ("ranked", "authed", "baseline", "shortlist", "uncached"):
        r = results[label]
        print(
            f"{r['name']:<{width}}  {r['requests']:>9} {r['rps']:>8.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
            f"{r['max_ms']:>7.1f} {r['errors']:>6}"
        )
    print(
        "\nCPU milliseconds per request (from /proc): the web server's processes, Redis, wrk, and every core's busy "
        "time (the machine: those, PostgreSQL and the kernel; its other processes idle)"
    )
    for label in ("ranked", "authed", "baseline", "shortlist", "uncached"):
        cpu = results[label]["cpu_ms_per_request"]
        print(
            f"  {label:<10} "
            + ", ".join(f"{group} {cpu[group]:.2f}" for group in ("web", "redis", "wrk", "machine"))
        )
    print(
        f"pages in the shortlist page cache after the cached run: {cached_pages} "
        f"(the run asked for {len(set(sample))} vacancies' first pages)"
    )
    ratios = {}
    for measured, label in (
        ("shortlist", "ranked"),
        ("shortlist", "baseline"),
        ("uncached", "ranked"),
        ("authed", "ranked"),
        ("shortlist", "authed"),
    ):
        base, load = results[label], results[measured]
        throughput = load["rps"] / base["rps"] if base["rps"] else float("nan")
        p99 = load["p99_ms"] / base["p99_ms"] if base["p99_ms"] else float("nan")
        ratios[f"{measured}/{label}"] = {"throughput_ratio": throughput, "p99_ratio": p99}
        print(
            f"\n{measured} / {label} baseline: throughput {throughput:.2f}× (target ≥ {TARGET['throughput_ratio']}×: "
            f"{'met' if throughput >= TARGET['throughput_ratio'] else 'missed'}), p99 {p99:.2f}× (target ≤ "
            f"{TARGET['p99_ratio']:g}×: {'met' if p99 <= TARGET['p99_ratio'] else 'missed'}); the baseline's own "
            f"errors {base['errors']}"
        )
    errors = results["shortlist"]["errors"] + results["uncached"]["errors"]
    print(f"shortlist API errors {errors}, cached and not (target 0: {'met' if errors == 0 else 'missed'})")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "candidates": data["candidates"],
                    "open_vacancies": len(vacancies),
                    "connections": args.connections,
                    "threads": args.threads,
                    "duration": args.duration,
                    "gunicorn_workers": args.gunicorn_workers,
                    "gunicorn_threads": args.gunicorn_threads,
                    "build_seconds": timings,
                    "ratios": ratios,
                    **results,
                },
                indent=2,
            )
        )
    if errors:
        print(f"gunicorn's log: {server.log.name}")
        return 1
    Path(server.log.name).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
