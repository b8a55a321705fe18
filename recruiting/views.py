"""Operational views: ``/healthz`` reports whether the database and the broker answer; ``/favicon.ico`` answers
the browsers that ask for it on every page (the portal and the workspace link the SVG icon; the admin does not)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

FAVICON = "img/favicon.svg"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from recruiting.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001
        return "unavailable"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Return ``{"database": "ok"|"unavailable", "broker": "ok"|"unavailable"|"in-process"}``.

    Status 200 when both answer (or tasks run in-process), 503 otherwise.
    """
    database = "ok" if _database_ok() else "unavailable"
    broker = _broker_status()
    healthy = database == "ok" and broker != "unavailable"
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: the site's SVG icon (``static/img/favicon.svg``), cached for a day."""
    path = finders.find(FAVICON)
    if not path:
        raise Http404("No favicon.")
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
