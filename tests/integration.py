"""Helpers for tests that start real ``celery worker`` processes against the broker and the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parent.parent


def broker_url() -> str:
    """The broker the integration tests use; skips (or fails under ``CI=true``) when none is configured."""
    url = getattr(settings, "BROKER_FOR_INTEGRATION", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but CELERY_BROKER_URL is not set: the integration tests need Redis")
        pytest.skip("CELERY_BROKER_URL is not set: no broker to start a worker against")
    return url


def test_database_url() -> str:
    """A DATABASE_URL that points at the database the running test uses."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def celery_queue(broker: str | None = None):
    """Point this process's Celery app at the real broker (or ``broker``) and a queue of its own; yields the
    queue name."""
    from django.conf import settings as django_settings

    from recruiting.celery import app

    url = broker or broker_url()  # skips (or fails in CI) before anything is changed
    queue = f"test-{uuid.uuid4().hex[:8]}"
    keys = ("task_always_eager", "broker_url", "broker_write_url", "broker_read_url", "task_default_queue")
    old = {k: app.conf.get(k) for k in keys}
    old_eager = django_settings.CELERY_TASK_ALWAYS_EAGER
    django_settings.CELERY_TASK_ALWAYS_EAGER = False  # services then log, not raise, when the broker is down
    # With a namespaced configuration, broker_url alone does not move the connection: set the write/read URLs.
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        broker_write_url=url,
        broker_read_url=url,
        task_default_queue=queue,
    )
    _reset_pools(app)
    try:
        yield queue
    finally:
        app.conf.update(**old)
        django_settings.CELERY_TASK_ALWAYS_EAGER = old_eager
        _reset_pools(app)


def _reset_pools(app) -> None:
    # Connection and producer pools are made lazily from the configuration; drop them so the next send
    # connects to the broker configured now.
    from kombu import pools

    pools.reset()  # kombu keeps global pools per connection; closed ones must not be reused
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(
    queue: str,
    *,
    concurrency: int = 2,
    name: str | None = None,
    extra_env: dict | None = None,
    broker: str | None = None,
    cwd: Path | None = None,
    wait: bool = True,
    faults: dict[str, float] | None = None,
) -> subprocess.Popen:
    """Start ``celery worker`` on ``queue`` against the test database; returns once it is ready (at once with
    ``wait=False``: then ``wait_until_ready``).

    ``cwd``: the worker's own working directory (its log goes there too), as on a machine of its own; the code
    is found through ``PYTHONPATH``.  By default it runs in the repository and logs into ``MEDIA_ROOT``.

    ``faults``: seconds of injected delay, ``{"scoring_delay": …, "copy_delay": …}`` (``tests.fault_worker``, the
    app the worker then runs); production code has no such hook.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recruiting.settings",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker or broker_url(),
        "CELERY_QUEUE": queue,
        "SECRET_KEY": "integration-test",
        "DEBUG": "0",
        "LOG_LEVEL": "INFO",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "1",  # loopback receivers
        **(extra_env or {}),
        **{f"FAULT_{name.upper()}": str(seconds) for name, seconds in (faults or {}).items()},
    }
    if cwd is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
    log_dir = Path(cwd) if cwd is not None else Path(settings.MEDIA_ROOT)
    log = open(log_dir / f"worker-{queue}-{name or 'w'}.log", "w+")  # noqa: SIM115 (lives with the worker)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.fault_worker" if faults else "recruiting",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-n",
            f"{name or 'w'}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        cwd=cwd or REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    if wait:
        wait_until_ready(proc)
    return proc


def start_workers(queue: str, *names: str, **options) -> list[subprocess.Popen]:
    """``start_worker`` for each of ``names`` (same ``options``), all started at once: returns when every one is
    ready, so the test pays for one cold start, not one per worker."""
    procs = [start_worker(queue, name=name, wait=False, **options) for name in names]
    try:
        for proc in procs:
            wait_until_ready(proc)
    except BaseException:
        for proc in procs:
            if not proc.log.closed:  # type: ignore[attr-defined]
                stop_worker(proc)
        raise
    return procs


def wait_until_ready(proc: subprocess.Popen) -> None:
    """Return once the worker's log says it is ready; stop it and raise (with its output) if it never does."""
    log = proc.log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        if "ready." in log.read():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log.seek(0)
    output = log.read()
    stop_worker(proc)
    raise RuntimeError(f"celery worker did not start:\n{output[-3000:]}")


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Ask ``proc`` to stop (SIGTERM), kill it after ``timeout`` seconds, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop_worker(proc: subprocess.Popen) -> None:
    stop_process(proc)
    proc.log.close()  # type: ignore[attr-defined]


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


@contextmanager
def s3_server(bucket: str = "cvs"):
    """An S3-compatible server for the test: moto's standalone server (``python -m moto.server``, from the test
    lock) on a free loopback port, with ``bucket`` created.  Yields a ``SimpleNamespace``: ``url`` (the
    ``STORAGE_URL`` that points at it, ``s3+http://KEY:SECRET@127.0.0.1:PORT/BUCKET?region=us-east-1``),
    ``endpoint``, ``bucket`` and a boto3 ``client``; the server is stopped afterwards."""
    import socket

    import boto3

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.create_bucket(Bucket=bucket)
                    break
                except Exception as exc:  # noqa: BLE001 - not answering yet
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        output = log.read()[-3000:].decode(errors="replace")
                        raise RuntimeError(f"moto server did not start ({exc}):\n{output}") from None
                    time.sleep(0.2)
            yield SimpleNamespace(
                url=f"s3+http://test:test@127.0.0.1:{port}/{bucket}?region=us-east-1",
                endpoint=endpoint,
                bucket=bucket,
                client=client,
            )
        finally:
            stop_process(proc, timeout=10)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(port: int, env: dict, log) -> subprocess.Popen:
    """gunicorn (one sync worker) serving ``recruiting.wsgi`` on 127.0.0.1:``port`` with ``env``, its output into
    ``log``; returns at once (then ``wait_until_up``)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "recruiting.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_up(proc: subprocess.Popen, port: int, log) -> None:
    """Return once the web process answers any HTTP request; kill it and raise (with its log) otherwise."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it is up
        except OSError:
            time.sleep(0.2)
    proc.kill()
    log.seek(0)
    raise RuntimeError(f"gunicorn did not start:\n{log.read()[-3000:]}")
