"""``/healthz`` (recruiting/views.py): the probe used by docker compose and load balancers."""

from __future__ import annotations

import pytest

from recruiting import views

pytestmark = pytest.mark.django_db


def test_healthy_without_broker_reports_in_process(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "in-process"}


class _BrokenConnection:
    """Stands in for ``django.db.connection`` when the database does not answer."""

    def cursor(self):
        raise OSError("connection refused")


def test_unavailable_database_returns_503(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(views, "connection", _BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "broker": "in-process"}


def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405
