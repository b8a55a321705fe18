"""Shared set-up for the benchmarks that need the real stack: a PostgreSQL database of their own on loopback,
Redis, migrations, synthetic data and ``celery worker`` processes.  Not a test; used by bench_*.py scripts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")


def stack_env(db: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recruiting.settings",
        "DATABASE_URL": f"{PG}/{db}",
        "CELERY_BROKER_URL": REDIS,
        "CELERY_QUEUE": f"bench-{db}",
        "SECRET_KEY": "benchmark-only-secret",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def fresh_database(db: str) -> dict:
    """Drop and create ``db``, migrate it; returns the environment pointing at it."""
    admin = f"{PG}/postgres"
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{db}"'], check=True)
    subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=True, capture_output=True)
    env = stack_env(db)
    manage(env, "migrate", "--noinput")
    return env


def start_workers(
    env: dict, n: int, concurrency: int = 1, extra: dict | None = None
) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = open(f"/tmp/bench-worker-{env['CELERY_QUEUE']}-{i}.log", "w+")  # noqa: SIM115 (lives with the worker)
        p = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "recruiting",
                "worker",
                "-Q",
                env["CELERY_QUEUE"],
                "-c",
                str(concurrency),
                "-n",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env={**env, **(extra or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        p.log = log  # type: ignore[attr-defined]
        procs.append(p)
    for p in procs:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            p.log.seek(0)
            if "ready." in p.log.read():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("a worker did not start")
    return procs


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux ``/proc``; a Celery worker's pool children run the tasks)."""
    out, stack = [], [pid]
    while stack:
        current = stack.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                stack.extend(int(c) for c in task.read_text().split())
            except OSError:
                continue
    return out


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PeakRss:
    """Peak resident memory of each worker's process tree, in MiB: the largest of ``VmRSS`` sampled with
    :meth:`sample` and each process's own high-water mark (``VmHWM``) read by :meth:`peaks` (Linux only)."""

    def __init__(self, procs: list[subprocess.Popen]) -> None:
        self.procs = procs
        self.peak_kib = [0] * len(procs)

    def sample(self) -> None:
        for i, p in enumerate(self.procs):
            for pid in _descendants(p.pid):
                self.peak_kib[i] = max(self.peak_kib[i], _status_kib(pid, "VmRSS"))

    def peaks(self) -> list[float]:
        for i, p in enumerate(self.procs):
            for pid in _descendants(p.pid):
                self.peak_kib[i] = max(self.peak_kib[i], _status_kib(pid, "VmHWM"))
        return [k / 1024 for k in self.peak_kib]


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
        p.log.close()


def django_setup(env: dict) -> None:
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k
            in (
                "DJANGO_SETTINGS_MODULE",
                "DATABASE_URL",
                "CELERY_BROKER_URL",
                "CELERY_QUEUE",
                "SECRET_KEY",
                "DEBUG",
                "LOG_LEVEL",
            )
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def api_django_setup(db: str) -> None:
    """Django set up in this process as ``bench_api_wrk.py``'s gunicorn runs it (``wrk_settings``: the service's
    URLs plus its baselines) on database ``db``, serving 127.0.0.1 only (the HTTPS settings stay off), for scripts
    that send API requests through Django's test client."""
    os.environ.update(
        {**stack_env(db), "DJANGO_SETTINGS_MODULE": "wrk_settings", "ALLOWED_HOSTS": "127.0.0.1"}
    )
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _process_stat(pid: int | str) -> tuple[str, int, float] | None:
    """``(command name, parent pid, user + system CPU seconds)`` of a local process from ``/proc/<pid>/stat``
    (fields 2, 4, 14 and 15); None when it cannot be read (the process ended)."""
    try:
        head, tail = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
    except OSError:
        return None
    fields = tail.split()
    return (
        head.split("(", 1)[1],
        int(fields[1]),
        (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"),
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a local process has used so far, e.g. a PostgreSQL backend's from
    ``pg_backend_pid()`` when the server runs on this machine; 0 when it cannot be read (the process ended)."""
    stat = _process_stat(pid)
    return 0.0 if stat is None else stat[2]


def cpu_by_process_group(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the local processes a web benchmark loads: ``web`` (the process ``server_pid``
    and its children: gunicorn's master and workers) and ``redis`` (``redis-server``), from ``/proc/<pid>/stat``;
    and ``machine``, every core's busy time (``/proc/stat``: those, PostgreSQL, the kernel).  Differences of two
    readings split a run's CPU.  PostgreSQL's backends are not read one by one: summed from ``/proc`` they showed
    a fraction of what ``pg_backend_pid()``'s own reading shows (``profile_api.py``), so only ``machine`` counts them."""
    # /proc/stat's first line: cpu user nice system idle iowait irq softirq steal …
    busy = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    totals = {"web": 0.0, "redis": 0.0, "machine": (sum(busy) - busy[3] - busy[4]) / os.sysconf("SC_CLK_TCK")}
    for entry in Path("/proc").iterdir():
        stat = _process_stat(entry.name) if entry.name.isdigit() else None
        if stat is None:
            continue
        comm, parent, seconds = stat
        if server_pid in (int(entry.name), parent):
            totals["web"] += seconds
        elif comm.startswith("redis-server"):
            totals["redis"] += seconds
    return totals


def recruiter_token(username: str) -> str:
    """The API token of a recruiter ``username`` (created, with the recruiters' group, when missing); Django must
    be set up."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from recruiting.permissions import RECRUITERS_GROUP

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": username})
    user.is_staff = user.is_active = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name=RECRUITERS_GROUP)[0])
    return Token.objects.get_or_create(user=user)[0].key
