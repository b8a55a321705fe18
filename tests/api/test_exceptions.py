"""One error format for every error (recruiting/api/exceptions.py), JSON under /api/ even for 404 and 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from recruiting.api.views import scores
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db


def test_unknown_urls_under_api_are_json_404(world):
    # /api/v1/ itself is the API root (issue 14): tests/recruiting/test_issue14_defects.py.
    for url in ["/api/", "/api/v1", "/api/v2/vacancies/", "/api/v1/vacancies/abc/", "/api/v1/nothing/at/all"]:
        error = assert_error(APIClient().get(url), 404, "not_found")
        assert url in error["message"]


def test_a_missing_trailing_slash_is_pointed_out(world):
    error = assert_error(APIClient().get("/api/v1/vacancies"), 404, "not_found")
    assert "Did you mean /api/v1/vacancies/" in error["message"]


def test_an_object_that_does_not_exist_is_404(world):
    assert_error(world.client("recruiter").get("/api/v1/vacancies/999999/"), 404, "not_found")
    # ids too long for the database are simply not found
    assert_error(
        world.client("recruiter").get("/api/v1/vacancies/99999999999999999999999/"), 404, "not_found"
    )


def test_method_not_allowed(world):
    response = world.client("recruiter").put(f"/api/v1/vacancies/{world.open_vacancy.pk}/", {}, format="json")
    error = assert_error(response, 405, "method_not_allowed")
    assert "PUT" in error["message"]


def test_unsupported_media_type(world):
    response = world.client("recruiter").post(
        "/api/v1/vacancies/", data="<x/>", content_type="application/xml"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json(world):
    response = world.client("recruiter").post(
        "/api/v1/vacancies/", data="{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_validation_errors_name_the_fields(world):
    error = assert_error(
        world.client("recruiter").post("/api/v1/vacancies/", {"title": ""}, format="json"), 400, "invalid"
    )
    assert set(error["details"]) == {"reference", "title", "description"}
    assert error["details"]["title"] == ["This field may not be blank."]
    assert error["message"].startswith("reference: ")


def test_invalid_filter_values_are_400_not_500(world):
    client = world.client("recruiter")
    for url in [
        "/api/v1/applications/?vacancy=1e300",
        "/api/v1/applications/?candidate=-3",
        "/api/v1/match-scores/?min_score=nan",
        "/api/v1/vacancies/?status=nope",
        f"/api/v1/vacancies/{world.open_vacancy.pk}/match-scores/?min_score=abc",
        "/api/v1/vacancies/?updated_after=0001-01-01T00:00:00%2B18:00",
    ]:
        assert_error(client.get(url), 400, "invalid")


def test_times_with_any_offset_are_compared_in_utc(world):
    # PostgreSQL refuses offsets beyond ±15:59; the filter converts to UTC first
    body = (
        world.client("anonymous").get("/api/v1/vacancies/?updated_after=1231-01-05T10:07:26%2B18:00").json()
    )
    assert body["count"] == 2


def test_unexpected_errors_are_json_500_and_roll_back(world, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        world.open_vacancy.__class__.objects.filter(pk=world.open_vacancy.pk).update(title="half-done")
        raise RuntimeError("boom")

    monkeypatch.setattr(scores.SkillViewSet, "list", broken)
    client = APIClient(raise_request_exception=False)
    error = assert_error(client.get("/api/v1/skills/"), 500, "server_error")
    assert "boom" not in error["message"]
    assert "unhandled RuntimeError on GET /api/v1/skills/" in caplog.text
    world.open_vacancy.refresh_from_db()
    assert world.open_vacancy.title == "Open role"


def test_conflicts_are_409(world):
    client = world.client("other_candidate")
    error = assert_error(
        client.post("/api/v1/applications/", {"vacancy": world.open_vacancy.pk}, format="json"),
        409,
        "conflict",
    )
    assert error["message"] == "You have already applied for this vacancy."


def test_times_are_iso_8601_utc(world):
    body = world.client("recruiter").get(f"/api/v1/applications/{world.application.pk}/").json()
    assert body["created_at"].endswith("Z")
    assert "T" in body["created_at"]
