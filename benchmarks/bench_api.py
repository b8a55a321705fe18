"""Ranked shortlist API under load (issue 7): ``GET /api/v1/vacancies/<id>/match-scores/?limit=50`` — a vacancy's
top 50 candidates with their explanations — driven by locust at a fixed rate against gunicorn and PostgreSQL.

    make bench-deps      # once: locust into .venv (benchmarks/requirements.txt)
    .venv/bin/python benchmarks/bench_api.py [--candidates 100000] [--vacancies 1000] [--rate 100] [--duration 60]
    .venv/bin/python benchmarks/bench_api.py --reuse-db ...   # the load again on a database kept with --keep-db

What it does, all on 127.0.0.1 (only loopback is ever contacted; BENCH_PG and BENCH_REDIS must name it):

1. Data (timed apart from the load, and skipped with ``--reuse-db``): a database of its own
   (``matchwork_api_bench``, dropped and created with psql, user postgres, trust auth), ``migrate``,
   ``generate_benchmark_data --candidates N --vacancies M``, a full rescore (``score --all --wait``) through
   ``--score-workers`` ``celery worker`` processes on Redis db 7, then ``VACUUM ANALYZE`` (the statistics and
   visibility map autovacuum keeps on a live database; without them, right after a rescore rewrote the table,
   ``COUNT(*)`` reads the heap and a page took 107 ms instead of 15).
2. ``--users`` recruiter accounts (staff in the Recruiters group) with DRF API tokens, and the open vacancy ids.
3. gunicorn ``recruiting.wsgi`` with ``--gunicorn-workers`` sync workers on a free loopback port, production
   settings (DEBUG=0, ALLOWED_HOSTS=127.0.0.1, CONN_MAX_AGE 60 s).  No Celery worker: the endpoint only reads.
4. Warm-up, 20 unrecorded requests to each endpoint, then ``--sequential`` shortlist requests from one client,
   one after another: the service time without any queueing (context, not the baseline), and how many rows a
   page really holds.
5. Baseline, same run: locust, same users, same tokens, same rate and duration, against ``GET /healthz`` — the
   same gunicorn, Django middleware and PostgreSQL connection (one ``SELECT 1``) and a Redis broker check, so it
   measures the floor of this stack with this load generator on these cores, without the ranking query, the
   pagination count, the select_related rows and the serialisation of 50 explained scores.
6. The benchmark: locust, ``locust -f benchmarks/locustfile_api.py --headless -u USERS -r USERS --run-time
   DURATION``, each user a recruiter at ``rate / users`` requests per second (``constant_throughput``, random
   phase), each request for a vacancy drawn at random among the open ones.  Figures from locust's
   ``_stats.csv``: requests, Requests/s, 50 % and 99 % (locust rounds times above 100 ms to 10 ms), max,
   Failure Count.  A failure is any status but 200, a failed connection or a page without ``results``.

The offered load is fixed; if the server cannot keep up, each user falls behind its period and the achieved
rate (printed beside the offered one) drops below it — read the latency figures together with that rate.
Prints the data-building time, the three measurements, the ratios to the baseline and the issue's target
(p99 ≤ 50 ms at 100 req/s, no errors).  Exits 1 if any request failed.  Drops the database it built afterwards
unless ``--keep-db``; a ``--reuse-db`` run leaves it in place (drop it with ``psql
postgres://postgres@127.0.0.1:5432/postgres -c 'DROP DATABASE matchwork_api_bench'``).  Environment: ``BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), ``BENCH_REDIS``
(``redis://127.0.0.1:6379/7``).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _stack

DB = "matchwork_api_bench"
HOST = "127.0.0.1"  # loopback only
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_api.py"
LIMIT = 50
TARGET = {"rate": 100.0, "p99_ms": 50.0}

ACCOUNTS_SCRIPT = r"""
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.authtoken.models import Token
from matching.models import MatchScore
from recruiting.models import Candidate, Vacancy
from recruiting.permissions import RECRUITERS_GROUP

User = get_user_model()
group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
tokens = []
for i in range(N_RECRUITERS):
    user, _ = User.objects.get_or_create(username=f"api-bench-recruiter-{i}@example.org",
                                         defaults={"email": f"api-bench-recruiter-{i}@example.org"})
    user.is_staff, user.is_active = True, True
    user.set_unusable_password()
    user.save()
    user.groups.add(group)
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
with connection.cursor() as cursor:
    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [MatchScore._meta.db_table])
    estimate = cursor.fetchone()[0]
print("ACCOUNTS " + json.dumps({
    "tokens": tokens,
    "vacancies": list(Vacancy.objects.filter(status="open").order_by("pk").values_list("pk", flat=True)),
    "candidates": Candidate.objects.count(), "all_vacancies": Vacancy.objects.count(), "match_scores": estimate}))
"""


def loopback_only() -> None:
    for name, url in (("BENCH_PG", _stack.PG), ("BENCH_REDIS", _stack.REDIS)):
        host = urllib.parse.urlsplit(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            sys.exit(f"{name} points at {host!r}: this benchmark only ever contacts 127.0.0.1")


def psql(*args: str, db: str = "postgres", capture: bool = False, check: bool = True) -> str:
    out = subprocess.run(
        ["psql", f"{_stack.PG}/{db}", "-v", "ON_ERROR_STOP=1", *args],
        check=check,
        text=True,
        capture_output=capture,
    )
    return out.stdout if capture else ""


def manage_streamed(env: dict, *args: str) -> None:
    """``manage.py`` with its progress shown (the 100k build runs for many minutes)."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=_stack.ROOT, env=env, check=True)


def build(args: argparse.Namespace) -> dict:
    """Fresh database with N × M synthetic data, fully scored; returns the timings in seconds."""
    timings = {}
    print(f"== data: database {DB}, fresh; migrate", flush=True)
    started = time.monotonic()
    env = _stack.fresh_database(DB)
    timings["migrate"] = time.monotonic() - started
    print(
        f"== data: generate_benchmark_data --candidates {args.candidates} --vacancies {args.vacancies}",
        flush=True,
    )
    started = time.monotonic()
    manage_streamed(
        env,
        "generate_benchmark_data",
        "--candidates",
        str(args.candidates),
        "--vacancies",
        str(args.vacancies),
    )
    timings["generate"] = time.monotonic() - started
    print(
        f"== data: full rescore (score --all --wait) through {args.score_workers} Celery worker(s)",
        flush=True,
    )
    workers = _stack.start_workers(env, args.score_workers, concurrency=1)
    try:
        started = time.monotonic()
        manage_streamed(env, "score", "--all", "--wait", "--timeout", str(args.score_timeout))
        timings["rescore"] = time.monotonic() - started
    finally:
        _stack.stop_workers(workers)
    started = time.monotonic()
    psql("-qc", "VACUUM ANALYZE", db=DB)
    timings["analyze"] = time.monotonic() - started
    return timings


def accounts(env: dict, users: int) -> dict:
    output = _stack.manage(env, "shell", "-c", ACCOUNTS_SCRIPT.replace("N_RECRUITERS", str(users)))
    return json.loads(next(line for line in output.splitlines() if line.startswith("ACCOUNTS "))[9:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives with the server)
        "w+",
        prefix=f"bench-api-gunicorn-{port}-",
        suffix=".log",
        delete=False,
    )
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "recruiting.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=_stack.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, _ = get(port, "/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"gunicorn did not answer /healthz; see {log.name}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(
            "GET",
            path,
            headers={"Accept": "application/json", **({"Authorization": f"Token {token}"} if token else {})},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def shortlist_path(vacancy: int) -> str:
    return f"/api/v1/vacancies/{vacancy}/match-scores/?limit={LIMIT}"


def sequential(port: int, token: str, vacancies: list[int], n: int, seed: int) -> dict:
    """Warm every gunicorn worker up, then ``n`` shortlist requests from one client, one at a time."""
    rng = random.Random(seed)
    for _ in range(20):
        get(port, "/healthz")
        get(port, shortlist_path(rng.choice(vacancies)), token)
    times, rows, totals, errors = [], [], [], 0
    for _ in range(n):
        started = time.perf_counter()
        try:
            status, body = get(port, shortlist_path(rng.choice(vacancies)), token)
        except (OSError, http.client.HTTPException):
            status, body = 0, b""
        times.append(time.perf_counter() - started)
        try:
            page = json.loads(body) if status == 200 else None
        except ValueError:
            page = None
        if not (isinstance(page, dict) and isinstance(page.get("results"), list)):
            errors += 1
            continue
        rows.append(len(page["results"]))
        totals.append(page["count"])
    times.sort()
    return {
        "requests": n,
        "errors": errors,
        "p50_ms": 1000 * statistics.median(times) if times else float("nan"),
        "p90_ms": 1000 * times[int(0.9 * (len(times) - 1))] if times else float("nan"),
        "max_ms": 1000 * times[-1] if times else float("nan"),
        "rows_per_page": statistics.mean(rows) if rows else 0.0,
        "stored_per_vacancy": statistics.median(totals) if totals else 0,
    }


def run_locust(port: int, config: dict, users: int, duration: float, workdir: Path, label: str) -> dict:
    """One headless locust run; returns the figures of its request row in ``<label>_stats.csv``."""
    locust = Path(sys.executable).with_name("locust")
    if not locust.exists():
        raise SystemExit(f"{locust} is missing: run 'make bench-deps' first")
    config_path = workdir / f"{label}.json"
    config_path.write_text(json.dumps(config))
    prefix = workdir / label
    log = workdir / f"{label}.log"
    with log.open("w") as out:
        subprocess.run(
            [
                str(locust),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "--run-time",
                f"{duration:g}s",
                "--stop-timeout",
                "30",
                "--host",
                f"http://{HOST}:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=_stack.ROOT,
            env={**_locust_env(), "BENCH_API_CONFIG": str(config_path)},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics; its output:\n{log.read_text()[-3000:]}")
    with stats.open(newline="") as f:
        row = next((r for r in csv.DictReader(f) if r["Name"] != "Aggregated"), None)
    failures = []
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(newline="") as f:
            failures = [f"{r['Occurrences']}× {r['Error']}" for r in csv.DictReader(f)]
    if row is None:
        raise RuntimeError(f"locust recorded no request; its output:\n{log.read_text()[-3000:]}")

    def number(key: str) -> float:
        try:
            return float(row[key])
        except (TypeError, ValueError):
            return float("nan")

    return {
        "name": row["Name"],
        "requests": int(number("Request Count")),
        "rps": number("Requests/s"),
        "p50_ms": number("50%"),
        "p99_ms": number("99%"),
        "max_ms": number("Max Response Time"),
        "mean_ms": number("Average Response Time"),
        "errors": int(number("Failure Count")),
        "failures": failures,
    }


def _locust_env() -> dict:
    """The caller's environment without the Django and stack settings locust has no use for."""
    return {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY")
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="offered requests per second, in total")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of each locust run")
    parser.add_argument(
        "--users",
        type=int,
        default=20,
        help="locust users, each a recruiter with its own token, at rate / users requests per second",
    )
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument(
        "--sequential", type=int, default=100, help="shortlist requests from one client first"
    )
    parser.add_argument(
        "--score-workers", type=int, default=2, help="Celery worker processes for the rescore"
    )
    parser.add_argument(
        "--score-timeout", type=float, default=6 * 3600, help="seconds to wait for the rescore"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON too")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB} database afterwards")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"load only, on the {DB} database of an earlier --keep-db run (kept again)",
    )
    args = parser.parse_args()
    if args.users < 1 or args.rate <= 0 or args.duration <= 0 or args.gunicorn_workers < 1:
        parser.error("--users, --rate, --duration and --gunicorn-workers must be positive")
    loopback_only()
    per_token = 60 * args.rate / args.users
    if per_token >= 1000:
        parser.error(
            f"{per_token:.0f} requests/min per recruiter token would meet the API's 1000/min user "
            "throttle: raise --users"
        )

    env = {
        **_stack.stack_env(DB),
        "ALLOWED_HOSTS": HOST,
    }  # loopback only: the HTTPS set stays off (no TLS proxy)
    timings: dict = {}
    server = None
    try:
        if args.reuse_db:
            found = psql("-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", capture=True).strip()
            if found != "1":
                sys.exit(f"no database {DB} to reuse: run once with --keep-db")
            print(
                f"== data: reusing database {DB} (not rebuilt, build time not measured in this run)",
                flush=True,
            )
        else:
            timings = build(args)
        data = accounts(env, args.users)
        vacancies = data["vacancies"]
        if not vacancies:
            raise RuntimeError("no open vacancy in the database")
        if timings:
            print(
                f"\nData building ({data['candidates']:,} candidates × {args.vacancies:,} vacancies), apart from "
                f"the load figures:\n  migrate {timings['migrate']:.1f} s, generate {timings['generate']:.1f} s, "
                f"full rescore {timings['rescore']:.1f} s ({args.score_workers} workers), VACUUM ANALYZE "
                f"{timings['analyze']:.1f} s; total {sum(timings.values()):.1f} s",
                flush=True,
            )

        port = free_port()
        server = start_gunicorn(env, port, args.gunicorn_workers)
        print(
            f"\n== gunicorn ({args.gunicorn_workers} sync workers, DEBUG=0) on http://{HOST}:{port}/; "
            f"{data['candidates']:,} candidates, {len(vacancies):,} open vacancies of {data['all_vacancies']:,}, "
            f"≈{data['match_scores']:,} stored match scores (planner estimate)",
            flush=True,
        )
        token = data["tokens"][0]
        seq = sequential(port, token, vacancies, args.sequential, args.seed)
        print(
            f"== one client, sequential: {seq['requests']} shortlist requests, p50 {seq['p50_ms']:.1f} ms, "
            f"p90 {seq['p90_ms']:.1f} ms, max {seq['max_ms']:.1f} ms, {seq['errors']} errors; "
            f"{seq['rows_per_page']:.1f} rows per page, median {seq['stored_per_vacancy']:,.0f} stored scores "
            "per vacancy",
            flush=True,
        )

        config = {
            "tokens": data["tokens"],
            "vacancies": vacancies,
            "per_user_rate": args.rate / args.users,
            "limit": LIMIT,
            "seed": args.seed,
        }
        results = {}
        with tempfile.TemporaryDirectory(prefix="bench-api-locust-") as workdir:
            for label, target in (("baseline", "healthz"), ("shortlist", "shortlist")):
                print(
                    f"== locust: {label} ({target}), {args.users} users × {args.rate / args.users:g}/s = "
                    f"{args.rate:g} req/s offered, {args.duration:g} s",
                    flush=True,
                )
                results[label] = run_locust(
                    port, {**config, "target": target}, args.users, args.duration, Path(workdir), label
                )
    finally:
        if server is not None:
            stop(server)
            server.log.close()
        if not (args.keep_db or args.reuse_db):  # a database this run did not build is never dropped
            psql("-qc", f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', check=False)

    base, load = results["baseline"], results["shortlist"]
    head = f"locust, {args.rate:g} req/s offered, {args.duration:g} s"
    width = max(len(head), *(len(r["name"]) for r in results.values()))
    print(
        f"\n{head:<{width}}  {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    )
    for label in ("baseline", "shortlist"):
        r = results[label]
        print(
            f"{r['name']:<{width}}  {r['requests']:>8} {r['rps']:>7.1f} {r['p50_ms']:>7.0f} {r['p99_ms']:>7.0f} "
            f"{r['max_ms']:>7.0f} {r['errors']:>6}"
            + (f"  {'; '.join(r['failures'])}" if r["failures"] else "")
        )
    print(
        f"\nshortlist vs baseline (/healthz, same rate and clients): p50 {ratio(load['p50_ms'], base['p50_ms'])}, "
        f"p99 {ratio(load['p99_ms'], base['p99_ms'])}; achieved {load['rps']:.1f} of {args.rate:g} req/s offered "
        f"(baseline {base['rps']:.1f})"
    )
    if load["rps"] < 0.95 * args.rate:
        print(
            f"  the server did not keep up with the offered rate: its capacity here is about {load['rps']:.0f} "
            f"req/s, and the latencies are mostly queueing behind {args.users} clients (one client alone: p50 "
            f"{seq['p50_ms']:.0f} ms)"
        )
    met = (
        load["p99_ms"] <= TARGET["p99_ms"]
        and load["errors"] == 0
        and args.rate >= TARGET["rate"]
        and load["rps"] >= 0.95 * args.rate
    )
    print(
        f"target (issue 7): p99 ≤ {TARGET['p99_ms']:g} ms at {TARGET['rate']:g} req/s, zero errors, "
        f"100,000 candidates: {'met' if met else 'not met'} at {data['candidates']:,} candidates, "
        f"{args.rate:g} req/s offered, {args.gunicorn_workers} gunicorn workers"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "candidates": data["candidates"],
                    "open_vacancies": len(vacancies),
                    "match_scores_estimate": data["match_scores"],
                    "rate": args.rate,
                    "duration": args.duration,
                    "users": args.users,
                    "gunicorn_workers": args.gunicorn_workers,
                    "build_seconds": timings,
                    "sequential": seq,
                    **results,
                },
                indent=2,
            )
        )
    if base["errors"] + load["errors"] + seq["errors"]:
        print(f"gunicorn's log: {server.log.name}")
        return 1
    Path(server.log.name).unlink(missing_ok=True)
    return 0


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.1f}× the baseline" if baseline else "n/a (baseline 0 ms)"


if __name__ == "__main__":
    sys.exit(main())
