"""The profile page: details, skills with vocabulary suggestions, qualifications and experience; every save
rescores the candidate after commit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from recruiting.models import Candidate, SkillOrigin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    seen = []
    monkeypatch.setattr("matching.tasks.score_candidates.delay", lambda ids: seen.append(ids))
    return seen


def test_profile_needs_sign_in(client):
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_profile_page_has_a_label_on_every_field(candidate_client):
    response = candidate_client.get(reverse("portal:profile"))
    html = response.content.decode()
    assert response.status_code == 200
    for form_name in ("profile_form", "skill_form", "qualification_form", "experience_form", "upload_form"):
        for field in response.context[form_name]:
            assert f'<label for="{field.id_for_label}">' in html, field.name
    assert re.search(r'<datalist id="skill-vocabulary">.*<option value="PyTorch">', html, re.DOTALL)
    assert 'list="skill-vocabulary"' in html


def test_save_details_rescores_after_commit(
    candidate_client, candidate, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(
            reverse("portal:profile"),
            {
                "name": " Ada Lovelace ",
                "headline": "ML engineer",
                "location": "London",
                "open_to_remote": "on",
                "salary_expectation": "85000",
                "salary_currency": "GBP",
            },
        )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.name == "Ada Lovelace" and candidate.headline == "ML engineer"
    assert candidate.open_to_remote and not candidate.open_to_relocation
    assert candidate.salary_expectation == Decimal(85000) and candidate.salary_currency == "GBP"
    assert enqueued == [[candidate.pk]]


def test_a_salary_needs_a_currency(candidate_client, candidate):
    response = candidate_client.post(
        reverse("portal:profile"), {"salary_expectation": "85000", "salary_currency": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_salary_currency_error"><li>Choose the currency of your salary expectation.' in html
    candidate.refresh_from_db()
    assert candidate.salary_expectation is None


def test_add_skills_by_name_or_alias_and_remove_them(
    candidate_client, candidate, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(reverse("portal:skill_add"), {"skills": "python, sklearn; PyTorch"})

    names = set(candidate.skill_links.values_list("skill__name", flat=True))
    assert names == {"Python", "scikit-learn", "PyTorch"}
    assert set(candidate.skill_links.values_list("origin", flat=True)) == {SkillOrigin.ENTERED}
    assert enqueued == [[candidate.pk]]

    link = candidate.skill_links.get(skill__name="Python")
    response = candidate_client.post(reverse("portal:skill_remove", args=[link.pk]))
    assert response.status_code == 302 and response.url.endswith("#skills")
    assert not candidate.skill_links.filter(skill__name="Python").exists()


def test_unknown_skills_are_refused_beside_the_field(candidate_client, candidate):
    response = candidate_client.post(reverse("portal:skill_add"), {"skills": "Python, Telepathy"})
    html = response.content.decode()
    assert 'id="id_skills_error"><li>Not in our skill list: Telepathy.' in html
    assert not candidate.skill_links.exists()


def test_add_and_remove_a_qualification(candidate_client, candidate):
    candidate_client.post(reverse("portal:qualification_add"), {"level": "3", "field": "Statistics"})
    candidate_client.post(reverse("portal:qualification_add"), {"level": "3", "field": "statistics"})
    qualification = candidate.qualifications.get()
    assert (qualification.level, qualification.field, qualification.origin) == (3, "Statistics", "entered")

    candidate_client.post(reverse("portal:qualification_remove", args=[qualification.pk]))
    assert not candidate.qualifications.exists()


def test_a_qualification_needs_a_level(candidate_client, candidate):
    response = candidate_client.post(reverse("portal:qualification_add"), {"level": "", "field": "Maths"})
    assert 'id="id_level_error"' in response.content.decode()
    assert not candidate.qualifications.exists()


def test_experience_entries_set_the_years_of_experience(candidate_client, candidate):
    candidate_client.post(
        reverse("portal:experience_add"),
        {
            "title": "ML Engineer",
            "organisation": "Acme",
            "start_date": "2018-01-01",
            "end_date": "2020-01-01",
        },
    )
    candidate_client.post(
        reverse("portal:experience_add"),
        {
            "title": "Data Scientist",
            "start_date": "2019-01-01",
            "end_date": "2021-01-01",
        },
    )
    candidate.refresh_from_db()
    assert candidate.experiences.count() == 2
    assert candidate.years_experience == 3.0  # 2018–2021, the overlap counted once

    html = candidate_client.get(reverse("portal:profile")).content.decode()
    assert "ML Engineer</strong> · Acme" in html and "Jan 2018 – Jan 2020" in html

    experience = candidate.experiences.get(title="Data Scientist")
    candidate_client.post(reverse("portal:experience_remove", args=[experience.pk]))
    candidate.refresh_from_db()
    assert candidate.years_experience == 2.0


def test_experience_dates_are_checked(candidate_client, candidate):
    response = candidate_client.post(
        reverse("portal:experience_add"),
        {
            "title": "ML Engineer",
            "start_date": "2020-01-01",
            "end_date": "2019-01-01",
        },
    )
    assert 'id="id_end_date_error"><li>The end date is before the start date.' in response.content.decode()
    future = date.today().replace(year=date.today().year + 1).isoformat()
    response = candidate_client.post(reverse("portal:experience_add"), {"title": "X", "start_date": future})
    assert 'id="id_start_date_error"><li>The start date is in the future.' in response.content.decode()
    assert not candidate.experiences.exists()


def test_an_account_without_a_profile_gives_consent_first(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("portal:application_list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:profile_start')}?next={reverse('portal:application_list')}"

    refused = client.post(reverse("portal:profile_start"), {})
    assert "We can only create your profile with your consent" in refused.content.decode()
    response = client.post(reverse("portal:profile_start"), {"consent": "on", "next": "/applications/"})
    assert response.status_code == 302 and response.url == "/applications/"
    candidate = Candidate.objects.get(user=user)
    assert candidate.consent_given_at is not None and candidate.reference == f"user-{user.pk}"
    assert client.get(reverse("portal:profile_start")).status_code == 302


def test_profile_start_ignores_an_outside_next(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("portal:profile_start"), {"consent": "on", "next": "https://evil.example/"}
    )
    assert response.url == reverse("portal:profile")
