"""Response headers every page carries: Content-Security-Policy (own middleware, ``recruiting.security``),
X-Frame-Options, nosniff, Referrer-Policy; HSTS on HTTPS responses."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from recruiting.security import csp_header_value

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        out[name] = sources
    return out


@pytest.mark.parametrize(
    "path",
    ["/", "/privacy/", "/admin/login/", "/accounts/login/", "/api/v1/skills/", "/healthz", "/no-such-page/"],
)
def test_every_response_has_a_strict_content_security_policy(client, path):
    response = client.get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no CDN
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_only_the_swagger_page_may_run_inline_script(client):
    docs = _directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert docs["script-src"] == "'self' 'unsafe-inline'"
    assert docs["default-src"] == "'self'" and docs["object-src"] == "'none'"


def test_a_response_with_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from recruiting.security import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    assert (
        ContentSecurityPolicyMiddleware(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'none'"
    )


def test_header_value_format():
    assert (
        csp_header_value({"default-src": "'self'", "img-src": "'self' data:"})
        == "default-src 'self'; img-src 'self' data:"
    )


@override_settings(
    SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
)
def test_hsts_on_https_responses(client):
    response = client.get("/privacy/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_templates_load_nothing_from_another_origin():
    """No CDN anywhere: every script, style sheet and image in the templates comes from this origin."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", text):
            offenders.append(f"{path.relative_to(root)}: {text[match.start() : match.start() + 60]!r}")
    assert not offenders, offenders


def test_the_policy_sent_is_the_one_in_settings(client, settings):
    """One home for the policy (issue 13): ``settings.CONTENT_SECURITY_POLICY``; no second copy in the
    middleware that a change to the setting would miss."""
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "img-src": "'self'"}
    assert _directives(client.get("/privacy/")["Content-Security-Policy"])["img-src"] == "'self'"
    del settings.CONTENT_SECURITY_POLICY
    with pytest.raises(AttributeError):  # a deployment without a policy fails at start, not with a hidden one
        Client().get("/privacy/")
