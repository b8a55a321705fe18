"""Candidates (recruiters), /me/ (the logged-in candidate) and candidate imports (JSON rows or a CSV upload)."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recruiting.models import AuditLogEntry, Candidate
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db

CV = "Machine learning engineer. Five years of Python, PyTorch and SQL.\nMSc Computer Science, 2019."


def test_recruiters_list_candidates_without_cv_text(world):
    body = world.client("recruiter").get("/api/v1/candidates/?search=ada").json()
    assert [c["name"] for c in body["results"]] == ["Ada"]
    assert "cv_text" not in body["results"][0]
    assert body["results"][0]["has_account"] is True


def test_reading_a_cv_is_audited(world):
    body = world.client("recruiter").get(f"/api/v1/candidates/{world.candidate.pk}/").json()
    assert body["cv_text"] == world.candidate.cv_text
    entry = AuditLogEntry.objects.get(action="view_cv")
    assert (entry.actor, entry.object_id, entry.detail) == (
        world.recruiter,
        str(world.candidate.pk),
        {"via": "api"},
    )


def test_create_and_edit_go_through_candidate_upsert(world):
    client = world.client("recruiter")
    created = client.post(
        "/api/v1/candidates/",
        {"reference": "ext-9", "cv_text": CV, "name": "Grace", "email": "grace@example.com"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["source"] == "api" and body["email"] == "grace@example.com"
    assert {"Python", "PyTorch"} <= {skill["name"] for skill in body["skills"]}  # extracted by the service
    assert_error(
        client.post("/api/v1/candidates/", {"reference": "ext-9", "cv_text": CV}, format="json"), 409
    )
    edited = client.patch(
        f"/api/v1/candidates/{body['id']}/", {"source_label": "referral"}, format="json"
    ).json()
    assert edited["source_label"] == "referral" and edited["cv_text"] == CV and edited["name"] == "Grace"


def test_an_empty_cv_is_refused(world):
    error = assert_error(
        world.client("recruiter").post(
            "/api/v1/candidates/", {"reference": "e", "cv_text": "  "}, format="json"
        ),
        400,
        "invalid",
    )
    assert "cv_text" in error["details"]


def test_me_reads_and_updates_my_profile(world):
    client = world.client("candidate")
    body = client.patch(
        "/api/v1/me/",
        {
            "headline": " ML engineer ",
            "salary_currency": "GBP",
            "salary_expectation": "85000.00",
            "open_to_remote": True,
        },
        format="json",
    )
    assert body.status_code == 200, body.content
    me = body.json()
    assert me["headline"] == "ML engineer" and me["salary_expectation"] == "85000.00" and me["open_to_remote"]
    world.candidate.refresh_from_db()
    assert world.candidate.headline == "ML engineer"
    assert world.other_candidate.headline == ""


def test_me_can_replace_the_cv_text(world):
    me = world.client("candidate").patch("/api/v1/me/", {"cv_text": CV}, format="json").json()
    assert me["cv_text"] == CV
    assert Candidate.objects.get(pk=world.candidate.pk).cv_text == CV


def test_me_refuses_bad_values(world):
    error = assert_error(
        world.client("candidate").patch("/api/v1/me/", {"salary_currency": "pounds"}, format="json"),
        400,
        "invalid",
    )
    assert "salary_currency" in error["details"]


# --- imports ------------------------------------------------------------------------------------------------
IMPORT_URL = "/api/v1/imports/candidates/"


def test_import_json_rows(world):
    client = world.client("recruiter")
    rows = {
        "candidates": [
            {"reference": "r1", "cv_text": CV, "name": "One", "email": "one@example.com"},
            {"reference": "r2", "cv_text": CV + "\nKubernetes.", "label": "referral"},
        ]
    }
    report = client.post(IMPORT_URL, rows, format="json").json()
    assert (report["created"], report["updated"], report["unchanged"], report["total"]) == (2, 0, 0, 2)
    assert Candidate.objects.get(source="api", reference="r2").source_label == "referral"
    again = client.post(IMPORT_URL, rows, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_import_is_all_or_nothing_and_names_every_problem(world):
    rows = {
        "candidates": [
            {"reference": "ok", "cv_text": CV},
            {"reference": "same", "cv_text": CV + " a"},
            {"reference": "same", "cv_text": CV + " b"},
        ]
    }
    error = assert_error(
        world.client("recruiter").post(IMPORT_URL, rows, format="json"), 400, "import_failed"
    )
    assert any("'same'" in p for p in error["details"]["problems"])
    assert not Candidate.objects.filter(source="api").exists()


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_import_a_csv_upload(world):
    data = _csv(
        [
            {"reference": "c1", "cv_text": CV, "name": "Csv One"},
            {"reference": "c2", "cv_text": CV + "\nSpark.", "name": "Csv Two"},
        ]
    )
    response = world.client("recruiter").post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert Candidate.objects.get(source="api", reference="c1").name == "Csv One"


def test_a_csv_without_the_cv_column_is_explained(world):
    data = _csv([{"reference": "c1", "text": CV}])
    error = assert_error(
        world.client("recruiter").post(
            IMPORT_URL, {"file": SimpleUploadedFile("people.csv", data)}, format="multipart"
        ),
        400,
        "import_failed",
    )
    assert "no column 'cv_text'" in error["details"]["problems"][0]
    assert "people.csv" in error["details"]["problems"][0]


def test_a_retried_import_with_the_same_key_is_replayed(world):
    client = world.client("recruiter")
    data = _csv([{"reference": "k1", "cv_text": CV}])
    first = client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("a.csv", data)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    # the retry is a new multipart body (new boundary), with the same content
    second = client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("a.csv", data)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    assert first.json() == second.json() and first.json()["created"] == 1
    assert second["Idempotent-Replayed"] == "true"
    other = client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("a.csv", data + b"k2,Another CV text\n")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    assert_error(other, 422, "idempotency_key_reused")


def test_cv_text_and_emails_never_reach_the_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    client = world.client("recruiter")
    client.post(
        IMPORT_URL,
        {"candidates": [{"reference": "p1", "cv_text": CV, "email": "secret@example.com"}]},
        format="json",
    )
    client.post(
        "/api/v1/candidates/",
        {"reference": "p2", "cv_text": CV, "email": "hidden@example.com"},
        format="json",
    )
    client.get(f"/api/v1/candidates/{world.candidate.pk}/")
    assert "Five years of Python" not in caplog.text
    assert "secret@example.com" not in caplog.text and "hidden@example.com" not in caplog.text


def test_the_detected_cv_language_is_exposed_read_only(world):
    from tests.matching.test_language import GERMAN

    client = world.client("recruiter")
    body = client.post("/api/v1/candidates/", {"reference": "de-1", "cv_text": GERMAN}, format="json").json()
    assert body["language"] == "de"
    listed = client.get("/api/v1/candidates/?search=de-1").json()["results"]
    assert [c["language"] for c in listed] == ["de"]
    edited = client.patch(f"/api/v1/candidates/{body['id']}/", {"language": "fr"}, format="json")
    assert Candidate.objects.get(pk=body["id"]).language == "de"
    assert edited.status_code == 200 and edited.json()["language"] == "de"  # unknown input fields are ignored


def test_the_profile_fields_a_candidate_edits_are_the_ones_me_and_recruiters_read(world):
    """One list of profile fields (``recruiting.services.CANDIDATE_PROFILE_FIELDS``, issue 13): what the portal's
    profile page edits, ``PATCH /me/`` writes and ``GET /me/`` and the recruiters' candidate page return."""
    from recruiting.services import CANDIDATE_PROFILE_FIELDS

    values = {
        "name": "Ada L.",
        "headline": "ML engineer",
        "location": "Leeds",
        "open_to_remote": True,
        "open_to_relocation": True,
        "salary_expectation": "65000.00",
        "salary_currency": "GBP",
    }
    assert set(values) == set(CANDIDATE_PROFILE_FIELDS)
    written = world.client("candidate").patch("/api/v1/me/", values, format="json")
    assert written.status_code == 200, written.content[:300]
    assert {name: written.json()[name] for name in values} == values
    read = world.client("recruiter").get(f"/api/v1/candidates/{world.candidate.pk}/").json()
    assert {name: read[name] for name in values} == values
