"""Generated hostile JSON against every JSON write endpoint (issue 16, finding 3): a Hypothesis strategy nests
arrays and objects far past the API's depth bound and puts numbers out of every range — beyond 64 bits, float
literals that overflow to infinity, ``NaN``, ``Infinity``, integers of thousands of digits — into each field the
endpoint's schema names.  Every request answers 4xx in the API's error format, with nothing logged at ERROR.

The endpoints are read from the OpenAPI schema the API serves, so a new JSON write endpoint is covered the day it
appears.  The fixed corpus of such requests is ``API_CASES`` in ``hostile.py``; this is its generator.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from recruiting import webhooks
from tests.api.test_schemathesis import _known_id, _world

pytestmark = [pytest.mark.security, pytest.mark.django_db]

MAX_DEPTH = 32  # recruiting.api.parsers.BoundedJSONParser's bound
EXAMPLES = 12  # per endpoint


def _json_write_endpoints() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, every field, the fields that do not hold text) of every operation that takes a JSON body,
    from the served schema.  Out-of-range numbers go into the second kind only: a number in a text field is text
    to DRF (``{"title": 1e400}`` is the title "1e400"); deep nesting goes anywhere."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            body = item.get(method, {}).get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            ref = body.get("schema", {}).get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
            numeric = sorted(name for name, spec in properties.items() if spec.get("type") != "string")
            found.append((method, path, sorted(properties) or ["id"], numeric))
    return found


ENDPOINTS = _json_write_endpoints()

huge_numbers = st.one_of(
    st.integers(min_value=2**63).map(str),  # beyond bigint
    st.integers(max_value=-(2**63) - 1).map(str),
    st.integers(min_value=309, max_value=100_000).map(lambda e: f"1e{e}"),  # overflows a float: inf
    st.integers(min_value=309, max_value=100_000).map(lambda e: f"-1.5E+{e}"),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1" + "0" * 5000, "-" + "9" * 4400]),
)


def _nest(value: str, shapes: list[str]) -> str:
    for shape in shapes:
        value = f"[{value}]" if shape == "array" else f'{{"a": {value}}}'
    return value


deep_values = st.builds(
    _nest,
    st.one_of(huge_numbers, st.just("1"), st.just('"x"')),
    st.lists(st.sampled_from(["array", "object"]), min_size=MAX_DEPTH + 1, max_size=3000),
)
hostile_values = st.one_of(huge_numbers, deep_values)


def hostile_bodies(fields: list[str], numeric: list[str]) -> st.SearchStrategy[bytes]:
    """A JSON body (raw bytes): a field nested too deep, the whole body nested too deep, or out-of-range numbers in
    one or all of the ``numeric`` fields."""

    def body(values: dict[str, str]) -> str:
        return "{" + ", ".join(f'"{name}": {value}' for name, value in values.items()) + "}"

    shapes = [deep_values, st.builds(lambda f, v: body({f: v}), st.sampled_from(fields), deep_values)]
    if numeric:
        shapes += [
            st.builds(lambda f, v: body({f: v}), st.sampled_from(numeric), hostile_values),
            st.fixed_dictionaries({f: hostile_values for f in numeric}).map(body),
        ]
    return st.one_of(*shapes).map(str.encode)


def _is_error_format(response) -> bool:
    if not response["Content-Type"].startswith("application/json"):
        return False
    body = response.json()
    return set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}


def test_every_json_write_endpoint_is_covered():
    paths = {path for _, path, _, _ in ENDPOINTS}
    assert {"/api/v1/auth/token/", "/api/v1/applications/", "/api/v1/scoring-runs/"} <= paths
    assert len(ENDPOINTS) >= 8


@pytest.mark.parametrize(
    ("method", "path", "fields", "numeric"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_hostile_json_is_a_4xx_in_the_error_format(method, path, fields, numeric, monkeypatch, caplog):
    monkeypatch.setattr(webhooks, "_post", lambda url, body, headers: (204, ""))
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {
            **SimpleRateThrottle.THROTTLE_RATES,
            "user": "100000/min",
            "applications": "100000/min",
            "scoring": "100000/min",
            "anon": "100000/min",
        },
    )
    ids, tokens = _world()
    known = _known_id(path, ids)
    url = path.replace("{id}", str(known if known is not None else 1))
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens['recruiter'][1]}")

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=hostile_bodies(fields, numeric))
    def check(body: bytes) -> None:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = getattr(client, method)(
                url, data=body, content_type="application/json", HTTP_ACCEPT="application/json"
            )
        assert 400 <= response.status_code < 500, (response.status_code, body[:200], response.content[:300])
        assert _is_error_format(response), (body[:200], response.content[:300])
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], body[:200]

    check()
