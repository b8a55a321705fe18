"""Privacy: download all my data as JSON; delete my account (personal data erased, applications kept only as
anonymous statistics)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from matching.models import MatchScore
from portal import privacy, services
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    Experience,
    Note,
    Qualification,
)
from recruiting.services import application_create, application_move
from tests.factories import PASSWORD, MatchScoreFactory, RecruiterFactory, UserFactory, VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_profile(candidate):
    """A candidate with a CV file, skills, a degree, a job, an application with history, a score and a note."""
    Candidate.objects.filter(pk=candidate.pk).update(
        cv_text="Python and PyTorch. MSc Statistics.", name="Ada"
    )
    candidate.refresh_from_db()
    candidate.cv_file.save("0123456789abcdef0123456789abcdef.txt", ContentFile(b"my cv"), save=True)
    services.candidate_skills_add(candidate=candidate, names=["Python"])
    services.candidate_qualification_add(candidate=candidate, level=3, field="statistics")
    from datetime import date

    services.candidate_experience_add(candidate=candidate, title="ML Engineer", start_date=date(2020, 1, 1))
    vacancy = VacancyFactory(title="Applied Scientist")
    application = application_create(candidate=candidate, vacancy=vacancy, cover_note="I am Ada, call me.")
    application_move(application=application, to_stage="screening", actor=RecruiterFactory())
    MatchScoreFactory(candidate=candidate, vacancy=vacancy)
    Note.objects.create(candidate=candidate, body="Strong in Python")
    return candidate


def test_export_is_a_json_attachment_with_everything(candidate_client, full_profile):
    response = candidate_client.get(reverse("portal:privacy_export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="matchwork-my-data-')
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    assert data["profile"]["name"] == "Ada" and data["profile"]["consent_given_at"]
    assert data["cv_text"] == "Python and PyTorch. MSc Statistics."
    assert [s["skill"] for s in data["skills"]] == ["Python"]
    assert data["qualifications"][0]["level_label"] == "Master's degree"
    assert data["experience"][0]["title"] == "ML Engineer"
    (application,) = data["applications"]
    assert application["vacancy"]["title"] == "Applied Scientist"
    assert application["cover_note"] == "I am Ada, call me."
    assert [h["to_stage"] for h in application["history"]] == ["applied", "screening"]
    (score,) = data["match_scores"]
    assert score["score"] is not None and score["explanation"]["components"]
    assert score["matched_skills"] and score["missing_skills"]


def test_export_for_an_account_without_a_profile(client):
    client.force_login(UserFactory(email="x@example.com", username="x@example.com"))
    data = json.loads(client.get(reverse("portal:privacy_export")).content)
    assert data["account"]["email"] == "x@example.com" and data["profile"] is None


def test_export_needs_sign_in(client):
    response = client.get(reverse("portal:privacy_export"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_privacy_page(client, candidate_client):
    html = candidate_client.get(reverse("portal:privacy")).content.decode()
    assert "Privacy notice" in html and "Download my data" in html and "Delete my account" in html
    client.logout()
    assert (
        "Log in</a> to download or delete your data" in client.get(reverse("portal:privacy")).content.decode()
    )


def test_delete_needs_the_password(candidate_client, user):
    page = candidate_client.get(reverse("portal:privacy_delete"))
    assert page.status_code == 200 and '<label for="id_password">' in page.content.decode()

    response = candidate_client.post(reverse("portal:privacy_delete"), {"password": "nope"})

    assert 'id="id_password_error"><li>That is not your password.' in response.content.decode()
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_delete_erases_personal_data_and_keeps_applications_anonymous(
    candidate_client, full_profile, user, django_capture_on_commit_callbacks
):
    candidate = full_profile
    cv_path = candidate.cv_file.name
    application = Application.objects.get(candidate=candidate)
    assert default_storage.exists(cv_path)

    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(
            reverse("portal:privacy_delete"), {"password": PASSWORD}, follow=True
        )

    assert "Your account and your personal data have been deleted." in response.content.decode()
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    for model in (CandidateSkill, Qualification, Experience, MatchScore, Note):
        assert not model.objects.exists(), model.__name__
    assert not default_storage.exists(cv_path)
    application.refresh_from_db()
    assert application.candidate_id is None and application.cover_note == ""
    assert application.stage == "screening"
    assert list(application.stage_changes.values_list("to_stage", flat=True)) == ["applied", "screening"]
    assert application.stage_changes.get(to_stage="applied").actor_id is None
    assert "_auth_user_id" not in candidate_client.session


def test_staff_accounts_are_not_deleted_from_the_portal(client):
    recruiter = RecruiterFactory()
    client.force_login(recruiter)
    response = client.post(reverse("portal:privacy_delete"), {"password": PASSWORD})
    assert "Staff accounts are removed by an administrator" in response.content.decode()
    assert get_user_model().objects.filter(pk=recruiter.pk).exists()


def test_delete_service_without_a_candidate(db):
    user = UserFactory()
    privacy.candidate_account_delete(user=user)
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_export_your_matches_and_api_never_name_a_draft_vacancy(candidate_client, full_profile, user):
    """Issue 16, finding 2: every non-closed vacancy is scored, drafts included; the candidate's export, "your
    matches" and the API list only vacancies the candidate may see (open ones, or ones they applied to)."""
    from rest_framework.test import APIClient

    from recruiting.models import Vacancy

    draft = VacancyFactory(title="CONFIDENTIAL merger team", status=Vacancy.Status.DRAFT)
    MatchScoreFactory(candidate=full_profile, vacancy=draft, skills_score=99.0)
    closed_applied = Vacancy.objects.get(title="Applied Scientist")
    Vacancy.objects.filter(pk=closed_applied.pk).update(status=Vacancy.Status.CLOSED)

    assert candidate_client.get(reverse("portal:vacancy_detail", args=[draft.pk])).status_code == 404
    export = candidate_client.get(reverse("portal:privacy_export")).content.decode()
    assert "CONFIDENTIAL" not in export and f'"id": {draft.pk},' not in export
    assert [s["vacancy"]["title"] for s in json.loads(export)["match_scores"]] == ["Applied Scientist"]
    assert "CONFIDENTIAL" not in candidate_client.get(reverse("portal:profile")).content.decode()
    assert all(s.vacancy_id != draft.pk for s in services_best_matches(full_profile))
    api = APIClient()
    api.force_authenticate(user)
    body = api.get("/api/v1/match-scores/?limit=500", HTTP_ACCEPT="application/json").json()
    assert body["results"] == []  # the API lists a candidate's scores for open vacancies only
    assert "CONFIDENTIAL" not in json.dumps(body)


def services_best_matches(candidate):
    from portal.selectors import candidate_best_matches

    return candidate_best_matches(candidate=candidate, limit=50)
