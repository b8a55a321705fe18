"""nginx in front of gunicorn (issue 16, finding 4): slow uploads no longer starve the web workers, the body limits
are the settings' numbers, and X-Forwarded-Proto is set by the proxy and believed only by Django.

The tests that run nginx need Debian's nginx (``apt-get install nginx``; ``.ci/run`` installs it): they skip
without it, and fail under ``CI=true``.  The harness is ``tests/security/slow_clients.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket

import pytest
import yaml
from django.conf import settings

from recruiting.import_reading import CSV_MAX_BYTES
from tests.security.slow_clients import (
    HOST,
    NGINX_TEMPLATE,
    REPO_ROOT,
    cv_upload_request,
    healthz_under_slow_uploads,
    nginx_binary,
    render_nginx_template,
    start_gunicorn,
    start_nginx,
)

SLOW_UPLOADS = 8  # twice the threads of the gunicorn under test (1 process × 4 threads)
HEALTHZ_BOUND = 2.0  # seconds; the issue saw /healthz time out for 10 s, a healthy answer here takes ~10 ms


@pytest.fixture(scope="module")
def nginx() -> str:
    binary = nginx_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is missing (.ci/run installs Debian's nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run runs these tests")
    return binary


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """gunicorn with the project's gunicorn.conf.py (gthread), one process of 4 threads."""
    server = start_gunicorn(tmp_path_factory.mktemp("web"), "--workers", "1", "--threads", "4")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(nginx, web, tmp_path_factory):
    server = start_nginx(tmp_path_factory.mktemp("nginx"), web.port, binary=nginx)
    yield server
    server.stop()


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def _body_limits(config: str) -> dict[str, int]:
    """``client_max_body_size`` per place: ``"server"`` and each ``location`` that sets its own."""
    limits, place, depth = {}, "http", 0
    for raw in config.splitlines():
        line = raw.split("#", 1)[0].strip()
        opened = re.match(r"(server|location\s+[^{]+?)\s*\{", line)
        if opened:
            place = " ".join(opened.group(1).split())
        found = re.match(r"client_max_body_size\s+(\S+);", line)
        if found:
            limits[place] = _size(found.group(1))
        depth += line.count("{") - line.count("}")
        if line.endswith("}") and depth == 1:
            place = "server"
    return limits


def test_the_proxy_body_limits_are_the_settings_numbers():
    """client_max_body_size is the whole request: the CV limit (or the CSV import's) plus the form around it."""
    limits = _body_limits(NGINX_TEMPLATE.read_text())
    assert limits == {
        "server": settings.CV_MAX_UPLOAD_BYTES + settings.UPLOAD_ENVELOPE_BYTES,
        "location = /api/v1/imports/candidates/": CSV_MAX_BYTES + settings.UPLOAD_ENVELOPE_BYTES,
    }


def test_compose_puts_nginx_in_front_and_publishes_only_it():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    nginx = services["nginx"]
    assert any("deploy/nginx/recruiting.conf.template" in volume for volume in nginx["volumes"])
    assert nginx["environment"]["WEB_UPSTREAM"] == "web:8000"
    web_env = services["web"]["environment"]
    assert str(web_env["TRUST_X_FORWARDED_PROTO"]) == "1" and str(web_env["TRUSTED_PROXY_COUNT"]) == "1"
    # The web command leaves the worker class to gunicorn.conf.py.
    assert "worker-class" not in json.dumps(services["web"]["command"])
    assert "gunicorn" in json.dumps(services["web"]["command"])


def test_slow_uploads_do_not_starve_gunicorn_behind_nginx(proxy):
    result = healthz_under_slow_uploads(proxy.port, slow=SLOW_UPLOADS)
    assert result["uploads_answered"] == 0, (
        "the slow uploads must still be in flight while /healthz is checked"
    )
    assert all(latency is not None and latency < HEALTHZ_BOUND for latency in result["latencies"]), result


def test_without_the_proxy_the_same_uploads_hold_every_sync_worker(tmp_path):
    """The control: the harness's slow uploads really do tie up workers (the issue's finding), so the test above
    cannot pass by accident.  Bare sync gunicorn, 2 workers, 8 slow uploads: /healthz gets no answer."""
    server = start_gunicorn(tmp_path, "--worker-class", "sync", "--threads", "1", "--workers", "2")
    try:
        result = healthz_under_slow_uploads(server.port, slow=SLOW_UPLOADS, checks=2, timeout=2.0)
    finally:
        server.stop()
    assert result["latencies"] == [None, None]


def _send(port: int, head: bytes, body: bytes = b"") -> tuple[int, str, bytes]:
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(head)
        try:
            sock.sendall(body)
        except OSError:  # nginx answered 413 and closed before the body went out
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.getheader("Content-Type", ""), response.read()


def test_an_oversized_body_is_refused_by_nginx_with_a_clear_413(proxy):
    limit = settings.CV_MAX_UPLOAD_BYTES + settings.UPLOAD_ENVELOPE_BYTES
    head, _ = cv_upload_request(proxy.port)
    head = re.sub(rb"Content-Length: \d+", f"Content-Length: {limit + 1}".encode(), head)
    status, content_type, text = _send(proxy.port, head)
    assert status == 413 and content_type.startswith("text/plain") and b"too large" in text

    api = (
        f"POST /api/v1/applications/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {limit + 1}\r\n\r\n"
    ).encode()
    status, content_type, text = _send(proxy.port, api)
    assert status == 413 and content_type.startswith("application/json")
    assert json.loads(text)["error"]["code"] == "request_too_large"


def test_a_cv_just_over_its_limit_still_reaches_django(proxy):
    """Between the CV limit and the proxy's, Django answers (here: the CSRF-checked upload redirects an anonymous
    visitor to the login), so the form can say the CV is too large in its own words."""
    head, body = cv_upload_request(proxy.port, cv_bytes=settings.CV_MAX_UPLOAD_BYTES + 1024)
    status, _, _ = _send(proxy.port, head, body)
    assert status == 302


def test_the_csv_import_takes_a_body_larger_than_a_cv(proxy):
    size = settings.CV_MAX_UPLOAD_BYTES + settings.UPLOAD_ENVELOPE_BYTES + 1024 * 1024
    head = (
        f"POST /api/v1/imports/candidates/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: text/csv\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    status, _, text = _send(proxy.port, head, b"x" * size)
    assert status == 401 and json.loads(text)["error"]["code"] == "not_authenticated"  # Django answered


def _get(port: int, path: str, headers: dict) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_nginx_replaces_a_client_x_forwarded_proto(nginx, tmp_path):
    """Compose trusts X-Forwarded-Proto (TRUST_X_FORWARDED_PROTO=1) because nginx writes it: a client's own
    ``https`` never reaches Django, so a plain-HTTP request is still redirected to HTTPS."""
    server = start_gunicorn(
        tmp_path / "web", "--workers", "1", env={"TRUST_X_FORWARDED_PROTO": "1", "SECURE_SSL_REDIRECT": "1"}
    )
    try:
        front = start_nginx(tmp_path / "nginx", server.port, binary=nginx)
        try:
            spoofed = {"X-Forwarded-Proto": "https"}
            direct = _get(server.port, "/api/v1/nowhere/", spoofed)
            through = _get(front.port, "/api/v1/nowhere/", spoofed)
        finally:
            front.stop()
    finally:
        server.stop()
    assert (
        direct.status == 404
    )  # the API's catch-all: Django does believe the header when it comes straight to gunicorn …
    assert through.status == 301 and through.getheader("Location").startswith(
        "https://"
    )  # … nginx replaced it


def test_gunicorn_alone_does_not_believe_x_forwarded_proto(tmp_path):
    """Whether a request was HTTPS is Django's decision (SECURE_PROXY_SSL_HEADER); gunicorn's own default
    believed X-Forwarded-Proto from any client on loopback, behind Django's back."""
    server = start_gunicorn(
        tmp_path, "--workers", "1", env={"TRUST_X_FORWARDED_PROTO": "0", "SECURE_SSL_REDIRECT": "1"}
    )
    try:
        response = _get(server.port, "/api/v1/nowhere/", {"X-Forwarded-Proto": "https"})
    finally:
        server.stop()
    assert response.status == 301 and response.getheader("Location").startswith("https://")


def test_the_rendered_template_names_the_test_ports():
    text = render_nginx_template(upstream="127.0.0.1:9", port=10)
    assert "server 127.0.0.1:9;" in text and "listen 10;" in text
    assert "$proxy_add_x_forwarded_for" in text and "X-Forwarded-Proto $scheme" in text
