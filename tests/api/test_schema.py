"""The OpenAPI schema (drf-spectacular) validates without warnings; Swagger UI is served from our static files."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(out),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/vacancies/{id}/match-scores/" in schema["paths"]


def test_every_operation_documents_the_error_format(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "details"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("401", "403", "429", "500"):
                ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code)
            if "{id}" in path:
                assert "404" in responses, (method, path)


def test_token_authentication_is_documented(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_swagger_ui_is_served_with_our_own_assets(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    scripts = [a for a in assets if a.endswith((".js", ".css"))]
    assert scripts, html
    for asset in scripts:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    # No CDN host anywhere in the page (jsdelivr, unpkg, cdnjs …): a host name has a dot, so the page's random
    # CSRF token (letters and digits, which once held "cdn") cannot match.
    assert not any(re.match(r"(?:https?:)?//", a) for a in assets), assets
    assert not re.search(r"(?:cdn|unpkg)[\w-]*\.[a-z]{2,}|\.(?:jsdelivr|cloudflare)\.", html.lower())
    assert "/api/schema/" in html
