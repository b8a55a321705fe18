"""Display names (recruiting.names): the name heuristic on CV first lines, the order of the fallbacks, and how the
name shows on the shortlist, hides under blind review, and is covered by the candidate's export and erasure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recruiting.models import Candidate
from recruiting.names import display_name, name_from_cv, name_from_reference
from recruiting.services import candidate_upsert
from tests.factories import CandidateFactory, EngineMatchScoreFactory, RecruiterFactory, VacancyFactory


# --- the heuristic (pure) -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jane Doe\nSenior ML engineer\njane@example.com", "Jane Doe"),
        ("Curriculum Vitae\n\nPriya Raman\n+44 7700 900123", "Priya Raman"),
        ("RESUME\nJOHN O'NEILL\n12 Baker Street, London", "John O'Neill"),
        (
            "jane.doe@example.com | +1 555 0100\nMaria-José García López\nData scientist",
            "Maria-José García López",
        ),
        ("Name: Ahmed Al Farsi\nEmail: ahmed@example.com", "Ahmed Al Farsi"),
        ("Ludwig van Beethoven | ludwig@example.com | Bonn", "Ludwig van Beethoven"),
        ("Résumé\nContact details\n221B Baker Street\nLondon NW1 6XE\nAda Lovelace", "Ada Lovelace"),
    ],
)
def test_name_from_cv_reads_the_name_and_skips_headings_contacts_and_addresses(text, expected):
    assert name_from_cv(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Skills * Programming Languages: Python (pandas, numpy), Sql, Java",
        "Curriculum Vitae\nData Scientist\nMachine Learning Engineer",
        "jane@example.com\n+44 7700 900123\nwww.example.com\n42 Station Road",
        "Education Details \nB.E in Computer Science",
        "Senior Data Scientist with 5 years of experience in Python",
        # The name appears only after the first six non-empty lines: too far down to be the header.
        "a\nb\nc\nd\ne\nf\nJane Doe",
    ],
)
def test_name_from_cv_gives_nothing_when_no_line_reads_like_a_name(text):
    assert name_from_cv(text) == ""


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("jane_doe-cv", "Jane Doe"),
        ("CV_Priya_Raman_2024", "Priya Raman"),
        ("cv-179b9b5735af", ""),
        ("user-3", ""),
        ("CAND-00012", ""),
        ("0123456789abcdef", ""),
        ("resume", ""),
    ],
)
def test_name_from_reference_reads_file_name_stems_but_never_generated_ids(reference, expected):
    assert name_from_reference(reference) == expected


def test_display_name_falls_back_in_order_and_never_shows_a_generated_reference():
    assert display_name(name="Jane Doe", cv_name="J. Doe", reference="jane-cv", pk=1) == "Jane Doe"
    assert display_name(name="", cv_name="Priya Raman", reference="cv-179b9b5735af", pk=2) == "Priya Raman"
    assert display_name(name=" ", cv_name="", reference="ada_lovelace_resume", pk=3) == "Ada Lovelace"
    unnamed = display_name(reference="cv-179b9b5735af", source="import", source_label="Data Science", pk=17)
    assert unnamed == "Data Science candidate 17"
    portal = display_name(reference="user-3", source="portal", pk=3)
    assert portal == "Portal candidate 3"
    for label in (unnamed, portal):
        assert "cv-" not in label and "user-" not in label


# --- where the name is stored and shown ---------------------------------------------------------------------
@pytest.mark.django_db
def test_a_cv_import_stores_the_name_on_its_first_lines_and_pages_show_it(client):
    candidate, _ = candidate_upsert(
        source="import",
        reference="cv-179b9b5735af",
        source_label="Data Science",
        cv_text="Curriculum Vitae\nGrace Hopper\ngrace@example.com\nPython, SQL and PyTorch for eight years.",
    )
    assert candidate.cv_name == "Grace Hopper"
    assert str(candidate) == candidate.display_name == "Grace Hopper"
    vacancy = VacancyFactory()
    EngineMatchScoreFactory(vacancy=vacancy, candidate=candidate, score=70.0)
    client.force_login(RecruiterFactory())
    html = client.get(reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])).content.decode()
    assert "Grace Hopper" in html and "cv-179b9b5735af" not in html
    # A new CV without a readable name: the name read from the old one goes.
    candidate_upsert(
        source="import",
        reference="cv-179b9b5735af",
        source_label="Data Science",
        cv_text="Skills: Python, SQL and PyTorch for eight years.",
    )
    candidate.refresh_from_db()
    assert candidate.cv_name == "" and candidate.display_name == f"Data Science candidate {candidate.pk}"


@pytest.mark.django_db
def test_blind_review_hides_the_name_read_from_the_cv_until_the_candidate_is_advanced(client):
    candidate = CandidateFactory(name="", cv_name="Grace Hopper", reference="cv-179b9b5735af")
    vacancy = VacancyFactory()
    EngineMatchScoreFactory(
        vacancy=vacancy,
        candidate=candidate,
        score=70.0,
        matched_skills=[
            {
                "skill": "Python",
                "importance": "required",
                "contribution": 8.0,
                "evidence": "Grace Hopper wrote the Python pipeline",
            }
        ],
    )
    client.force_login(RecruiterFactory())
    url = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    html = client.get(url + "?blind=1").content.decode()
    assert "Grace" not in html and "Hopper" not in html
    assert f"Candidate #{candidate.pk}" in html
    # The recruiter advances the candidate: the name shows again.
    client.post(url, {"action": "advance", "candidate_ids": [candidate.pk], "next": url})
    html = client.get(url).content.decode()
    assert "Grace Hopper" in html


@pytest.mark.django_db
def test_the_name_read_from_the_cv_is_in_the_data_export_and_gone_after_erasure(client):
    from django.contrib.auth import get_user_model

    from portal.privacy import candidate_account_delete, candidate_data_export

    user = get_user_model().objects.create_user(
        username="grace@example.com", email="grace@example.com", password="x-long-password-1"
    )
    CandidateFactory(user=user, name="", cv_name="Grace Hopper", reference=f"user-{user.pk}", source="portal")
    data = candidate_data_export(user=user)
    assert data["profile"]["name_read_from_cv"] == "Grace Hopper"
    assert data["profile"]["display_name"] == "Grace Hopper"
    candidate_account_delete(user=user)
    assert not Candidate.objects.filter(cv_name="Grace Hopper").exists()
