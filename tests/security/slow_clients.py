"""Slow clients against gunicorn, with and without nginx in front (issue 16, finding 4).

The harness of ``tests/security/test_proxy.py``, and a script printing the figures of docs/security.md::

    .venv/bin/python -m tests.security.slow_clients

Everything runs on 127.0.0.1 on free ports: gunicorn serves the project with production settings (DEBUG=0, a
throw-away SQLite file, tasks in-process: ``/healthz`` needs nothing else), nginx runs the committed
``deploy/nginx/recruiting.conf.template`` rendered with the test ports inside a minimal main configuration of its
own (pid file, logs and temporary files in the test's folder).

A slow upload is what the issue measured: a CV upload (``multipart/form-data`` to ``/profile/cv/upload/``, with a
CSRF cookie, so Django reads the body) whose headers arrive at once and whose body arrives at 1 byte/s.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "recruiting.conf.template"
HOST = "127.0.0.1"


def nginx_binary() -> str | None:
    """The nginx executable (``PATH``, else Debian's ``/usr/sbin/nginx``), or None when not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def render_nginx_template(*, upstream: str, port: int, template: Path = NGINX_TEMPLATE) -> str:
    """The committed server configuration with ``${WEB_UPSTREAM}`` and ``${NGINX_PORT}`` filled in, as the nginx
    image's envsubst step does; nginx's own ``$variables`` are left alone.  Raises ``ValueError`` when a
    ``${NAME}`` placeholder is left over."""
    text = string.Template(template.read_text()).safe_substitute(WEB_UPSTREAM=upstream, NGINX_PORT=str(port))
    if "${" in text:
        raise ValueError(f"{template.name} has a placeholder other than WEB_UPSTREAM and NGINX_PORT")
    return text


@dataclass
class Process:
    """A server started here: ``port`` it listens on, ``log`` its output; ``stop()`` ends it."""

    proc: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wait_for_healthz(server: Process, what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            break
        if healthz(server.port, timeout=2) is not None:
            return
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(
        f"{what} did not answer /healthz on port {server.port}; its log:\n"
        f"{server.log.read_text(errors='replace')[-3000:]}"
    )


def start_gunicorn(folder: Path, *options: str, env: dict | None = None) -> Process:
    """gunicorn serving ``recruiting.wsgi`` on a free loopback port, started in the project folder (so it reads
    ``gunicorn.conf.py``; ``options`` override it, e.g. ``--worker-class sync --threads 1``).  ``env`` adds to the
    production-like environment.  Waits until ``/healthz`` answers; raises ``RuntimeError`` with the log if not."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "recruiting.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "",
            "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
    )
    log = folder / f"gunicorn-{port}.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(gunicorn), "recruiting.wsgi", "--bind", f"{HOST}:{port}", *options],
            cwd=REPO_ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Process(proc, port, log)
    _wait_for_healthz(server, "gunicorn")
    return server


def start_nginx(folder: Path, upstream_port: int, *, binary: str | None = None) -> Process:
    """nginx on a free loopback port running the committed template in front of ``127.0.0.1:upstream_port``, in
    the foreground, with its pid file, logs and temporary files under ``folder``.  Raises ``RuntimeError`` when
    nginx is missing or does not answer ``/healthz``."""
    binary = binary or nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (folder / "recruiting.conf").write_text(
        render_nginx_template(upstream=f"{HOST}:{upstream_port}", port=port)
    )
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # Run as root (CI), nginx would hand its workers to "nobody", who cannot write the test's folders.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        "http {\n    access_log off;\n"
        + "".join(
            f"    {name}_temp_path {path};\n"
            for name, path in (
                ("client_body", temp["body"]),
                ("proxy", temp["proxy"]),
                ("fastcgi", temp["fastcgi"]),
                ("uwsgi", temp["uwsgi"]),
                ("scgi", temp["scgi"]),
            )
        )
        + f"    include {folder / 'recruiting.conf'};\n}}\n"
    )
    log = folder / f"nginx-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                binary,
                "-p",
                str(folder),
                "-c",
                str(folder / "nginx.conf"),
                "-e",
                str(folder / "nginx-error.log"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Process(proc, port, folder / "nginx-error.log")
    _wait_for_healthz(server, "nginx")
    return server


def healthz(port: int, timeout: float) -> float | None:
    """Seconds ``GET /healthz`` took on a new connection, or None when it failed, was not 200 or took longer
    than ``timeout``."""
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return None
    elapsed = time.perf_counter() - started
    return elapsed if ok and elapsed <= timeout else None


def cv_upload_request(
    port: int, cv_bytes: int = 400, path: str = "/profile/cv/upload/"
) -> tuple[bytes, bytes]:
    """A portal CV upload as the browser sends it: (request head, body).  The CSRF cookie and field match, so
    Django's CSRF check reads the whole body before the view answers."""
    csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret
    boundary = "----slowclient" + secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="cv"; filename="cv.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"x" * cv_bytes
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nCookie: csrftoken={csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


@dataclass
class SlowUploads:
    """``count`` CV uploads to ``port``, each on its own connection, sending the head at once and then the body
    at ``bytes_per_second``; ``stop()`` closes them.  ``answered()`` counts the ones that got any response."""

    port: int
    count: int
    bytes_per_second: float = 1.0
    sockets: list[socket.socket] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> SlowUploads:
        for _ in range(self.count):
            sock = socket.create_connection((HOST, self.port), timeout=5)
            self.sockets.append(sock)
            thread = threading.Thread(target=self._trickle, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def _trickle(self, sock: socket.socket) -> None:
        head, body = cv_upload_request(self.port)
        try:
            sock.sendall(head)
            for i in range(len(body)):
                sock.sendall(body[i : i + 1])
                if self._stop.wait(1 / self.bytes_per_second):
                    return
        except OSError:
            return

    def answered(self) -> int:
        """How many of the uploads have received any response bytes (or were closed by the server)."""
        n = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                n += 1 if sock.recv(1, socket.MSG_PEEK) is not None else 0
            except BlockingIOError:
                pass
            except OSError:
                n += 1
            finally:
                sock.setblocking(True)
        return n

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def healthz_under_slow_uploads(
    port: int, *, slow: int, checks: int = 5, timeout: float = 3.0, settle: float = 2.0
) -> dict:
    """Start ``slow`` slow uploads to ``port``, wait ``settle`` seconds, then time ``checks`` sequential
    ``/healthz`` requests (each given ``timeout`` seconds).  Returns ``{"latencies": [seconds or None, …],
    "uploads_answered": n}``: None is a health check that failed or timed out; ``uploads_answered`` counts the
    uploads that got a response meanwhile (0 means every one of them was still in flight)."""
    uploads = SlowUploads(port, slow).start()
    try:
        time.sleep(settle)
        latencies = [healthz(port, timeout) for _ in range(checks)]
        answered = uploads.answered()
    finally:
        uploads.stop()
    return {"latencies": latencies, "uploads_answered": answered}


def _summary(result: dict) -> str:
    ok = [x for x in result["latencies"] if x is not None]
    failed = len(result["latencies"]) - len(ok)
    worst = f"{1000 * max(ok):.0f} ms" if ok else "-"
    return f"{len(ok)}/{len(result['latencies'])} answered, worst {worst}, {failed} timed out"


def main() -> int:
    """Print /healthz under slow uploads for bare sync gunicorn, bare gthread gunicorn and nginx + gthread."""
    import tempfile

    binary = nginx_binary()
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as tmp:
        folder = Path(tmp)
        rows = []
        sync = start_gunicorn(folder / "sync", "--worker-class", "sync", "--threads", "1", "--workers", "3")
        try:
            for slow in (2, 6):
                rows.append(
                    (
                        "gunicorn sync, 3 workers, no proxy",
                        slow,
                        healthz_under_slow_uploads(sync.port, slow=slow),
                    )
                )
        finally:
            sync.stop()
        threaded = start_gunicorn(folder / "gthread")  # gunicorn.conf.py: gthread, 3 workers x 4 threads
        try:
            for slow in (6, 16):
                rows.append(
                    (
                        "gunicorn gthread 3x4, no proxy",
                        slow,
                        healthz_under_slow_uploads(threaded.port, slow=slow),
                    )
                )
            if binary:
                proxy = start_nginx(folder / "nginx", threaded.port, binary=binary)
                try:
                    for slow in (6, 16, 50):
                        rows.append(
                            (
                                "nginx + gunicorn gthread 3x4",
                                slow,
                                healthz_under_slow_uploads(proxy.port, slow=slow),
                            )
                        )
                finally:
                    proxy.stop()
        finally:
            threaded.stop()
    for name, slow, result in rows:
        print(
            f"{name:<38} {slow:>3} uploads at 1 byte/s: /healthz {_summary(result)}; "
            f"uploads answered meanwhile: {result['uploads_answered']}"
        )
    if not binary:
        print("nginx not installed: the proxied rows are missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
