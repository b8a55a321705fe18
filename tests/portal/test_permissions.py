"""Candidate A cannot reach candidate B's profile, CV file, applications, data export or match by any URL.

Every portal URL works on the signed-in user's own candidate; an id that belongs to someone else is a 404 and
changes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from portal import services
from recruiting.models import Application, Candidate
from recruiting.services import application_create
from tests.factories import MatchScoreFactory, VacancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(other_candidate):
    """Candidate B, with everything a URL could point at."""
    Candidate.objects.filter(pk=other_candidate.pk).update(name="Bob Secret", cv_text="Bob's private CV")
    other_candidate.refresh_from_db()
    other_candidate.cv_file.save(
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.txt", ContentFile(b"BOB CV BYTES"), save=True
    )
    services.candidate_skills_add(candidate=other_candidate, names=["Kafka"])
    services.candidate_qualification_add(candidate=other_candidate, level=4, field="astrophysics")
    services.candidate_experience_add(
        candidate=other_candidate, title="Bob's job", start_date=date(2019, 1, 1)
    )
    vacancy = VacancyFactory(title="Shared vacancy")
    application_create(candidate=other_candidate, vacancy=vacancy, cover_note="Bob's note")
    MatchScoreFactory(candidate=other_candidate, vacancy=vacancy, score=12.5)
    return other_candidate


def test_a_cannot_act_on_bs_skills_qualifications_experience_or_applications(
    candidate_client, candidate, bob
):
    skill = bob.skill_links.get()
    qualification = bob.qualifications.get()
    experience = bob.experiences.get()
    application = bob.applications.get()
    for url in (
        reverse("portal:skill_remove", args=[skill.pk]),
        reverse("portal:qualification_remove", args=[qualification.pk]),
        reverse("portal:experience_remove", args=[experience.pk]),
        reverse("portal:application_withdraw", args=[application.pk]),
    ):
        assert candidate_client.post(url).status_code == 404, url
    assert bob.skill_links.count() == bob.qualifications.count() == bob.experiences.count() == 1
    application.refresh_from_db()
    assert application.stage == Application.Stage.APPLIED


def test_no_page_of_a_shows_bs_data(candidate_client, candidate, bob):
    vacancy = bob.applications.get().vacancy
    Candidate.objects.filter(pk=candidate.pk).update(cv_text="Ada's CV " * 40)
    pages = [
        reverse("portal:profile"),
        reverse("portal:application_list"),
        reverse("portal:vacancy_list"),
        reverse("portal:vacancy_detail", args=[vacancy.pk]),
        reverse("portal:privacy"),
    ]
    for url in pages:
        html = candidate_client.get(url).content.decode()
        for secret in (
            "Bob Secret",
            "Bob&#x27;s private CV",
            "astrophysics",
            "Bob&#x27;s job",
            "Bob&#x27;s note",
        ):
            assert secret not in html, (url, secret)
    detail = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))
    assert detail.context["match"].score != 12.5


def test_the_cv_download_serves_only_the_signed_in_candidates_file(candidate_client, candidate, bob):
    # A has no CV: there is no URL that names a candidate, so B's file cannot be asked for.
    assert candidate_client.get(reverse("portal:cv_download")).status_code == 404
    assert candidate_client.get(reverse("portal:cv_download"), {"candidate": bob.pk}).status_code == 404
    candidate.cv_file.save("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.txt", ContentFile(b"ADA CV"), save=True)
    response = candidate_client.get(reverse("portal:cv_download"), {"candidate": bob.pk, "id": bob.pk})
    assert b"".join(response.streaming_content) == b"ADA CV"


def test_uploaded_files_are_not_served_under_media(candidate_client, bob):
    assert candidate_client.get(f"/media/{bob.cv_file.name}").status_code == 404


def test_the_export_holds_only_the_signed_in_users_data(candidate_client, bob):
    response = candidate_client.get(reverse("portal:privacy_export"), {"user": bob.user_id})
    body = response.content.decode()
    data = json.loads(body)
    assert data["account"]["email"] == "ada@example.com"
    assert data["applications"] == [] and data["match_scores"] == [] and data["skills"] == []
    for secret in ("Bob", "astrophysics", "Kafka"):
        assert secret not in body


def test_visitors_reach_none_of_the_private_pages(client, bob):
    skill, application = bob.skill_links.get(), bob.applications.get()
    gets = [
        reverse(name)
        for name in (
            "portal:profile",
            "portal:application_list",
            "portal:cv_download",
            "portal:cv_confirm",
            "portal:privacy_export",
            "portal:privacy_delete",
        )
    ]
    posts = [
        reverse("portal:skill_remove", args=[skill.pk]),
        reverse("portal:application_withdraw", args=[application.pk]),
        reverse("portal:cv_upload"),
        reverse("portal:skill_add"),
        reverse("portal:privacy_delete"),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url
    for url in posts:
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url
    assert bob.skill_links.exists()
