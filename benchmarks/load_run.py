"""Load run (issue 8): gunicorn with 4 workers and PostgreSQL on loopback for 60 s, candidates applying through the
API while recruiters browse shortlists (the API's match scores of a vacancy and the workspace's shortlist page).
Reports requests per second, p50/p99 latency and errors.  A benchmark, not a test.

    .venv/bin/python benchmarks/load_run.py [--seconds 60] [--candidate-threads 12] [--recruiter-threads 4]

What it does, all on 127.0.0.1 (only loopback is ever targeted):

1. A database of its own (``matchwork_load``: dropped and created with psql, user postgres, trust auth),
   ``migrate``, ``generate_benchmark_data --candidates 2000 --vacancies 20``, and ``score --all --wait`` through one
   ``celery worker`` on Redis (so shortlists exist and applying enqueues, as in production).
2. Accounts: 240 candidate logins tied to generated candidates and 12 recruiters, each with an API token; the
   recruiters also sign in to the workspace (the admin login, with its CSRF token).
3. ``collectstatic``, ``VACUUM ANALYZE`` (also with ``--reuse-db``), and gunicorn (``--workers 4``, the rest from
   ``gunicorn.conf.py``: gthread, ``GUNICORN_THREADS`` threads each, default 4; ``GUNICORN_CMD_ARGS="--worker-class
   sync --threads 1"`` measures the old sync workers) on a free port; DEBUG=0, production settings.
4. For ``--seconds``: candidate threads, each with its own accounts, list open vacancies, read their match scores
   and apply (``POST /api/v1/applications/``, never twice to one vacancy, below the 30/min apply throttle);
   recruiter threads read ``GET /api/v1/vacancies/<id>/match-scores/?limit=50`` and the workspace page
   ``/admin/recruiting/vacancy/<id>/shortlist/``.  Keep-alive connections (``http.client``), one per thread.
5. Prints a table per request kind and overall (requests, req/s, p50, p99, max, errors) and writes it as JSON
   with ``--json PATH``.  An error is any status other than 200/201/302, or a failed connection.

Environment: ``BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), ``BENCH_REDIS``
(``redis://127.0.0.1:6379/7``).  ``--keep-db`` keeps the database for a second run with ``--reuse-db``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import ROOT, fresh_database, manage, stack_env, start_workers, stop_workers

DB = "matchwork_load"
HOST = "127.0.0.1"  # loopback only
CANDIDATE_ACCOUNTS = 240
RECRUITER_ACCOUNTS = 12
APPLY_SHARE = 0.3

ACCOUNTS_SCRIPT = r"""
import json, sys
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from recruiting.models import Application, Candidate, Vacancy
from recruiting.permissions import RECRUITERS_GROUP

n_candidates, n_recruiters, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
User = get_user_model()
group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
out = {"candidates": [], "recruiters": [], "vacancies": list(
    Vacancy.objects.filter(status="open").order_by("pk").values_list("pk", flat=True))}
# A repeated run (--reuse-db) starts from the same state: the previous run's applications are removed.
Application.objects.filter(candidate__user__username__startswith="load-candidate-").delete()
free = iter(Candidate.objects.filter(user__isnull=True).order_by("pk"))
for i in range(n_candidates):
    user, _ = User.objects.get_or_create(username=f"load-candidate-{i}@example.org",
                                         defaults={"email": f"load-candidate-{i}@example.org"})
    if not Candidate.objects.filter(user=user).exists():
        candidate = next(free)
        candidate.user = user
        candidate.save(update_fields=["user"])
    out["candidates"].append(Token.objects.get_or_create(user=user)[0].key)
for i in range(n_recruiters):
    user, _ = User.objects.get_or_create(username=f"load-recruiter-{i}@example.org",
                                         defaults={"email": f"load-recruiter-{i}@example.org", "is_staff": True})
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.add(group)
    out["recruiters"].append({"username": user.username, "token": Token.objects.get_or_create(user=user)[0].key})
print("ACCOUNTS " + json.dumps(out))
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare(env: dict, reuse: bool) -> dict:
    if not reuse:
        print(f"== database {DB}: fresh, migrate", flush=True)
        env = fresh_database(DB)
        started = time.monotonic()
        manage(env, "generate_benchmark_data", "--candidates", "2000", "--vacancies", "20")
        print(f"== 2000 candidates, 20 vacancies generated in {time.monotonic() - started:.0f} s", flush=True)
        workers = start_workers(env, 1, concurrency=2)
        try:
            started = time.monotonic()
            manage(env, "score", "--all", "--wait", "--timeout", "1200")
            print(f"== scored in {time.monotonic() - started:.0f} s", flush=True)
        finally:
            stop_workers(workers)
    password = secrets.token_urlsafe(18)
    output = manage(
        env,
        "shell",
        "-c",
        ACCOUNTS_SCRIPT.replace("sys.argv[1]", str(CANDIDATE_ACCOUNTS))
        .replace("sys.argv[2]", str(RECRUITER_ACCOUNTS))
        .replace("sys.argv[3]", repr(password)),
    )
    accounts = json.loads(next(line for line in output.splitlines() if line.startswith("ACCOUNTS "))[9:])
    accounts["password"] = password
    manage(env, "collectstatic", "--noinput")
    # The statistics and visibility map autovacuum keeps on a live database (and bench_api.py makes too): without
    # them, right after scoring wrote the table (or with autovacuum off, as on the shared benchmark machine), the
    # ranks' counts read the heap, one wide row per page, and a candidate's page of scores took 315 ms, not 33.
    started = time.monotonic()
    subprocess.run(["psql", "-X", env["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=True)
    print(f"== VACUUM ANALYZE in {time.monotonic() - started:.0f} s", flush=True)
    return accounts


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile("w+", prefix=f"load-run-gunicorn-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "recruiting.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "4",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 180  # four workers importing Django on two busy cores can take a minute
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not answer /healthz; see {log.name}")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, kind: str, seconds: float, status: int | str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status not in (200, 201, 302):
                self.errors[kind][str(status)] += 1


class Session:
    """One keep-alive connection; cookies for the workspace pages."""

    def __init__(self, port: int, recorder: Recorder, token: str | None = None):
        self.port, self.recorder, self.token = port, recorder, token
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        body: dict | None = None,
        form: dict | None = None,
        record: bool = True,
    ) -> tuple[int, bytes, http.client.HTTPResponse | None]:
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = None
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        if form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
            status: int | str = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            content, response, status = b"", None, type(exc).__name__
        if record:
            self.recorder.add(kind, time.perf_counter() - started, status)
        if response is not None:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
        return (status if isinstance(status, int) else 0), content, response

    def admin_login(self, username: str, password: str) -> None:
        _, page, _ = self.request("login", "GET", "/admin/login/", record=False)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _, _ = self.request(
            "login",
            "POST",
            "/admin/login/?next=/admin/",
            record=False,
            form={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        if status != 302:
            raise RuntimeError(f"workspace login failed for {username}: {status}")


def candidate_loop(
    port: int, tokens: list[str], vacancies: list[int], deadline: float, recorder: Recorder, seed: int
) -> None:
    rng = random.Random(seed)
    sessions = [Session(port, recorder, token) for token in tokens]
    left = {id(s): rng.sample(vacancies, len(vacancies)) for s in sessions}  # vacancies not yet applied to
    while time.monotonic() < deadline:
        session = rng.choice(sessions)
        if rng.random() < APPLY_SHARE and left[id(session)]:
            vacancy = left[id(session)].pop()
            session.request(
                "candidate: apply (POST /api/v1/applications/)",
                "POST",
                "/api/v1/applications/",
                body={"vacancy": vacancy, "cover_note": "Keen to talk about this role."},
            )
        elif rng.random() < 0.5:
            session.request(
                "candidate: open vacancies (GET /api/v1/vacancies/)", "GET", "/api/v1/vacancies/?limit=20"
            )
        else:
            session.request(
                "candidate: my match scores (GET /api/v1/match-scores/)",
                "GET",
                "/api/v1/match-scores/?limit=20",
            )
    for s in sessions:
        s.conn.close()


def recruiter_loop(
    port: int,
    accounts: list[dict],
    password: str,
    vacancies: list[int],
    deadline: float,
    recorder: Recorder,
    seed: int,
) -> None:
    rng = random.Random(seed)
    api = [Session(port, recorder, a["token"]) for a in accounts]
    web = Session(port, recorder)
    web.admin_login(accounts[0]["username"], password)
    while time.monotonic() < deadline:
        vacancy = rng.choice(vacancies)
        if rng.random() < 0.5:
            rng.choice(api).request(
                "recruiter: shortlist API (GET /api/v1/vacancies/<id>/match-scores/)",
                "GET",
                f"/api/v1/vacancies/{vacancy}/match-scores/?limit=50",
            )
        else:
            web.request(
                "recruiter: shortlist page (GET /admin/recruiting/vacancy/<id>/shortlist/)",
                "GET",
                f"/admin/recruiting/vacancy/{vacancy}/shortlist/",
            )
    for s in (*api, web):
        s.conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def report(recorder: Recorder, seconds: float) -> dict:
    rows = {}
    everything: list[float] = []
    for kind in sorted(recorder.latencies):
        values = recorder.latencies[kind]
        everything += values
        rows[kind] = _row(values, sum(recorder.errors[kind].values()), seconds, dict(recorder.errors[kind]))
    rows["all"] = _row(everything, sum(sum(e.values()) for e in recorder.errors.values()), seconds, {})
    width = max(len(k) for k in rows)
    print(
        f"\n{'request':<{width}}  {'n':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    )
    for kind, row in rows.items():
        print(
            f"{kind:<{width}}  {row['requests']:>7} {row['rps']:>7.1f} {row['p50_ms']:>7.1f} "
            f"{row['p99_ms']:>7.1f} {row['max_ms']:>7.1f} {row['errors']:>6}"
            + (f"  {row['by_status']}" if row["by_status"] else "")
        )
    return rows


def _row(values: list[float], errors: int, seconds: float, by_status: dict) -> dict:
    return {
        "requests": len(values),
        "rps": len(values) / seconds if seconds else 0.0,
        "p50_ms": 1000 * (statistics.median(values) if values else float("nan")),
        "p99_ms": 1000 * percentile(values, 99),
        "max_ms": 1000 * (max(values) if values else float("nan")),
        "errors": errors,
        "by_status": by_status,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--candidate-threads", type=int, default=12)
    parser.add_argument("--recruiter-threads", type=int, default=4)
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument(
        "--reuse-db", action="store_true", help=f"use the {DB} database of an earlier --keep-db run"
    )
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB} database afterwards")
    args = parser.parse_args()

    env = stack_env(DB)
    env["ALLOWED_HOSTS"] = HOST  # loopback only: the HTTPS set stays off (no TLS proxy in front)
    accounts = prepare(env, reuse=args.reuse_db)
    vacancies = accounts["vacancies"]
    port = free_port()
    workers = start_workers(env, 1, concurrency=2)  # applying enqueues scoring, as in production
    server = start_gunicorn(env, port)
    print(
        f"== gunicorn (4 workers) on http://{HOST}:{port}/, {len(vacancies)} open vacancies; "
        f"{args.candidate_threads} candidate and {args.recruiter_threads} recruiter threads for "
        f"{args.seconds:.0f} s",
        flush=True,
    )
    recorder = Recorder()
    threads = []
    try:
        per = len(accounts["candidates"]) // max(1, args.candidate_threads)
        per_recruiter = len(accounts["recruiters"]) // max(1, args.recruiter_threads)
        started = time.monotonic()
        deadline = started + args.seconds
        for i in range(args.candidate_threads):
            tokens = accounts["candidates"][i * per : (i + 1) * per]
            threads.append(
                threading.Thread(target=candidate_loop, args=(port, tokens, vacancies, deadline, recorder, i))
            )
        for i in range(args.recruiter_threads):
            mine = accounts["recruiters"][i * per_recruiter : (i + 1) * per_recruiter]
            threads.append(
                threading.Thread(
                    target=recruiter_loop,
                    args=(port, mine, accounts["password"], vacancies, deadline, recorder, 100 + i),
                )
            )
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        stop_workers(workers)
        if not args.keep_db:
            subprocess.run(
                [
                    "psql",
                    f"{os.environ.get('BENCH_PG', 'postgres://postgres@127.0.0.1:5432')}/postgres",
                    "-qc",
                    f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)',
                ],
                check=False,
            )
    rows = report(recorder, elapsed)
    if args.json:
        Path(args.json).write_text(json.dumps({"seconds": elapsed, "rows": rows}, indent=2))
    return 1 if rows["all"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
