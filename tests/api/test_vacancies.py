"""Vacancies through the API: public reads of open ones; recruiters' writes go through the services."""

from __future__ import annotations

import pytest

from recruiting import events
from recruiting.models import AuditLogEntry, Vacancy
from tests.api.conftest import assert_error
from tests.factories import SkillFactory, VacancySkillFactory

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "Senior Machine Learning Engineer\nYou will build ranking models in Python and PyTorch.\n"
    "Salary £80,000 - £95,000 per year. Hybrid, London."
)


def test_anonymous_list_shows_open_vacancies_only(world):
    body = world.client("anonymous").get("/api/v1/vacancies/").json()
    titles = {v["title"] for v in body["results"]}
    assert titles == {"Open role", "Managed role"}
    assert body["count"] == 2 and body["next"] is None


def test_recruiters_see_drafts_and_filter_by_status(world):
    client = world.client("recruiter")
    assert client.get("/api/v1/vacancies/").json()["count"] == 3
    drafts = client.get("/api/v1/vacancies/?status=draft").json()["results"]
    assert [v["title"] for v in drafts] == ["Draft role"]


def test_search_ordering_and_skill_filter(world):
    VacancySkillFactory(vacancy=world.open_vacancy, skill=SkillFactory(name="PyTorch"))
    client = world.client("anonymous")
    assert [v["title"] for v in client.get("/api/v1/vacancies/?search=managed").json()["results"]] == [
        "Managed role"
    ]
    assert [v["title"] for v in client.get("/api/v1/vacancies/?skill=pytorch").json()["results"]] == [
        "Open role"
    ]
    ordered = client.get("/api/v1/vacancies/?ordering=title").json()["results"]
    assert [v["title"] for v in ordered] == ["Managed role", "Open role"]
    skills = client.get(f"/api/v1/vacancies/{world.open_vacancy.pk}/").json()["skills"]
    assert skills == [
        {
            "name": "PyTorch",
            "category": "library",
            "importance": "required",
            "origin": "extracted",
            "mentions": 1,
        }
    ]


def test_pagination_is_limit_offset(world):
    body = world.client("recruiter").get("/api/v1/vacancies/?limit=1&offset=1").json()
    assert body["count"] == 3 and len(body["results"]) == 1
    assert "offset=2" in body["next"] and body["previous"]


def test_create_reads_terms_from_the_text_and_publishes_when_open(world, django_capture_on_commit_callbacks):
    client = world.client("recruiter")
    sent = []
    events.event_emitted.connect(
        lambda sender, event, payload, **kw: sent.append(event),
        weak=False,
        dispatch_uid="test-vacancy-published",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/vacancies/",
                {"reference": "API-7", "title": "Senior MLE", "description": DESCRIPTION, "status": "open"},
                format="json",
            )
    finally:
        events.event_emitted.disconnect(dispatch_uid="test-vacancy-published")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "api" and body["status"] == "open" and body["published_at"].endswith("Z")
    assert body["seniority"] == "senior" and body["salary_currency"] == "GBP"
    assert "vacancy.published" in sent


def test_create_as_draft_does_not_publish(world):
    body = (
        world.client("recruiter")
        .post(
            "/api/v1/vacancies/",
            {"reference": "API-8", "title": "MLE", "description": DESCRIPTION},
            format="json",
        )
        .json()
    )
    assert body["status"] == "draft" and body["published_at"] is None


def test_a_reference_is_used_once(world):
    client = world.client("recruiter")
    data = {"reference": "API-9", "title": "MLE", "description": DESCRIPTION}
    assert client.post("/api/v1/vacancies/", data, format="json").status_code == 201
    assert_error(client.post("/api/v1/vacancies/", data, format="json"), 409, "conflict")


def test_edit_keeps_status_and_reference(world):
    client = world.client("recruiter")
    response = client.patch(
        f"/api/v1/vacancies/{world.draft_vacancy.pk}/", {"description": DESCRIPTION}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft" and body["reference"] == world.draft_vacancy.reference
    assert body["title"] == "Draft role" and body["seniority"] == "senior"


def test_publish_and_close(world):
    client = world.client("recruiter")
    published = client.post(f"/api/v1/vacancies/{world.draft_vacancy.pk}/publish/").json()
    assert published["status"] == "open" and published["published_at"]
    closed = client.post(f"/api/v1/vacancies/{world.draft_vacancy.pk}/close/").json()
    assert closed["status"] == "closed"
    assert world.client("anonymous").get(f"/api/v1/vacancies/{world.draft_vacancy.pk}/").status_code == 404


def test_delete_is_audited_and_refused_once_anyone_applied(world):
    client = world.client("recruiter")
    assert client.delete(f"/api/v1/vacancies/{world.draft_vacancy.pk}/").status_code == 204
    assert not Vacancy.objects.filter(pk=world.draft_vacancy.pk).exists()
    assert AuditLogEntry.objects.filter(action="vacancy_delete", actor=world.recruiter).exists()
    error = assert_error(client.delete(f"/api/v1/vacancies/{world.managed_vacancy.pk}/"), 409, "conflict")
    assert "close it instead" in error["message"]


def test_the_detected_vacancy_language_is_exposed_read_only(world):
    from tests.matching.test_services_language import VACANCY_EN

    client = world.client("recruiter")
    body = client.post(
        "/api/v1/vacancies/",
        {"reference": "API-LANG", "title": "MLE", "description": VACANCY_EN},
        format="json",
    ).json()
    assert body["language"] == "en"
    assert client.get(f"/api/v1/vacancies/{body['id']}/").json()["language"] == "en"
