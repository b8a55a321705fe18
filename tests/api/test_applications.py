"""Applications: a candidate applies for themself and withdraws; a recruiter moves them through the pipeline.
``Idempotency-Key`` makes a retried POST harmless (recruiting/api/idempotency.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework.authtoken.models import Token

from recruiting.models import Application, ApplicationStageChange, AuditLogEntry, IdempotencyKey
from tests.api.conftest import assert_error
from tests.factories import CandidateFactory, UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def test_a_candidate_applies_for_themself(world):
    response = world.client("candidate").post(
        URL, {"vacancy": world.open_vacancy.pk, "cover_note": " Hi "}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["candidate"] == {
        "id": world.candidate.pk,
        "reference": world.candidate.reference,
        "name": "Ada",
    }
    assert body["vacancy"]["id"] == world.open_vacancy.pk
    assert body["stage"] == "applied" and body["cover_note"] == "Hi"
    assert [(c["from_stage"], c["to_stage"]) for c in body["stage_changes"]] == [("", "applied")]
    assert Application.objects.get(pk=body["id"]).source == Application.Source.API


def test_extra_fields_cannot_apply_for_someone_else(world):
    world.client("candidate").post(
        URL, {"vacancy": world.open_vacancy.pk, "candidate": world.other_candidate.pk}, format="json"
    )
    application = Application.objects.get(vacancy=world.open_vacancy, candidate=world.candidate)
    assert application.candidate_id == world.candidate.pk


def test_drafts_and_closed_vacancies_take_no_applications(world):
    client = world.client("candidate")
    error = assert_error(client.post(URL, {"vacancy": world.draft_vacancy.pk}, format="json"), 400, "invalid")
    assert set(error["details"]) == {"vacancy"}


def test_a_recruiter_moves_an_application_with_a_reason(world):
    client = world.client("recruiter")
    response = client.post(
        f"{URL}{world.application.pk}/move/", {"stage": "interview", "reason": "Strong CV"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "interview" and body["advanced"] is True
    change = ApplicationStageChange.objects.get(application=world.application, to_stage="interview")
    assert (change.actor, change.reason) == (world.recruiter, "Strong CV")
    assert AuditLogEntry.objects.filter(action="stage_change", actor=world.recruiter).exists()


def test_moves_the_services_refuse_are_409(world):
    client = world.client("recruiter")
    error = assert_error(
        client.post(f"{URL}{world.application.pk}/move/", {"stage": "rejected"}, format="json"),
        409,
        "conflict",
    )
    assert error["message"] == "Give a reason for the rejection."
    assert_error(client.post(f"{URL}{world.application.pk}/move/", {"stage": "applied"}, format="json"), 409)
    assert_error(client.post(f"{URL}{world.application.pk}/move/", {"stage": "nowhere"}, format="json"), 400)


def test_a_candidate_withdraws_and_can_apply_again(world):
    client = world.client("candidate")
    body = client.post(f"{URL}{world.application.pk}/withdraw/").json()
    assert body["stage"] == "withdrawn"
    assert_error(client.post(f"{URL}{world.application.pk}/withdraw/"), 409, "conflict")
    again = client.post(URL, {"vacancy": world.managed_vacancy.pk}, format="json")
    assert again.status_code == 201 and again.json()["id"] == world.application.pk
    assert again.json()["stage"] == "applied"


def test_list_filters_and_orders(world):
    client = world.client("recruiter")
    assert client.get(f"{URL}?vacancy={world.open_vacancy.pk}").json()["count"] == 1
    assert client.get(f"{URL}?stage=applied&stage=screening").json()["count"] == 2
    assert client.get(f"{URL}?stage=hired").json()["count"] == 0


def test_list_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = world.client("recruiter")
    with django_assert_max_num_queries(8):
        assert client.get(URL).json()["count"] == 2


# --- Idempotency-Key ----------------------------------------------------------------------------------------
def test_a_retry_with_the_same_key_is_replayed_not_repeated(world):
    client = world.client("candidate")
    data = {"vacancy": world.open_vacancy.pk, "cover_note": "Hello"}
    first = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    second = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="key-1")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(candidate=world.candidate, vacancy=world.open_vacancy).count() == 1
    assert (
        ApplicationStageChange.objects.filter(
            application__vacancy=world.open_vacancy, application__candidate=world.candidate
        ).count()
        == 1
    )


def test_without_a_key_a_retry_is_a_conflict(world):
    client = world.client("candidate")
    data = {"vacancy": world.open_vacancy.pk}
    assert client.post(URL, data, format="json").status_code == 201
    assert_error(client.post(URL, data, format="json"), 409, "conflict")


def test_the_same_key_with_another_body_is_refused(world):
    client = world.client("candidate")
    assert (
        client.post(
            URL, {"vacancy": world.open_vacancy.pk}, format="json", HTTP_IDEMPOTENCY_KEY="key-2"
        ).status_code
        == 201
    )
    error = assert_error(
        client.post(URL, {"vacancy": world.managed_vacancy.pk}, format="json", HTTP_IDEMPOTENCY_KEY="key-2"),
        422,
        "idempotency_key_reused",
    )
    assert "different request" in error["message"]


def test_keys_belong_to_one_user(world):
    data = {"vacancy": world.open_vacancy.pk}
    assert (
        world.client("candidate").post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code
        == 201
    )
    # Bob's request with the same key is his own: it runs (and conflicts, as he already applied)
    response = world.client("other_candidate").post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert_error(response, 409, "conflict")
    assert "Idempotent-Replayed" not in response


def test_a_failed_request_is_not_remembered(world):
    client = world.client("candidate")
    assert_error(
        client.post(URL, {"vacancy": world.draft_vacancy.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k3"), 400
    )
    assert not IdempotencyKey.objects.filter(key="k3").exists()
    world.draft_vacancy.status = "open"
    world.draft_vacancy.save()
    response = client.post(URL, {"vacancy": world.draft_vacancy.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_a_key_must_be_short_and_printable(world):
    error = assert_error(
        world.client("candidate").post(
            URL, {"vacancy": world.open_vacancy.pk}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 201
        ),
        400,
        "invalid",
    )
    assert "Idempotency-Key" in error["details"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_requests_with_one_key_make_one_application(live_server):
    candidate_user = UserFactory(username="racer@example.com")
    candidate = CandidateFactory(user=candidate_user)
    vacancy = VacancyFactory()
    token = Token.objects.create(user=candidate_user).key
    barrier = threading.Barrier(2)

    def post(_):
        barrier.wait()
        return requests.post(
            f"{live_server.url}{URL}",
            json={"vacancy": vacancy.pk},
            timeout=30,
            headers={"Authorization": f"Token {token}", "Idempotency-Key": "race-1"},
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(post, range(2)))

    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert responses[0].json() == responses[1].json()
    assert Application.objects.filter(candidate=candidate, vacancy=vacancy).count() == 1
