""" "Your match" on the vacancy page: the score and what it is made of, in plain words and bars; "scoring…"
while the worker catches up; on-demand scoring of a pair with no stored score."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from matching import model_store
from matching.models import MatchScore, StoredMatchingModel
from matching.services import match_score_on_demand
from portal import selectors, services
from recruiting.models import Candidate, DegreeLevel, Qualification
from recruiting.services import vacancy_upsert
from tests.factories import MatchScoreFactory, QualificationFactory, VacancyFactory
from tests.portal.conftest import CV_TEXT

pytestmark = pytest.mark.django_db

COMPONENTS = [
    {"name": "required", "label": "Required skills", "score": 50.0, "weight": 0.3, "points": 15.0},
    {"name": "desirable", "label": "Desirable skills", "score": 100.0, "weight": 0.05, "points": 5.0},
    {"name": "qualification", "label": "Qualification", "score": 70.0, "weight": 0.05, "points": 3.5},
    {"name": "experience", "label": "Experience", "score": 0.0, "weight": 0.0, "points": 0.0},
    {"name": "profile", "label": "Skill profile", "score": 60.0, "weight": 0.4, "points": 24.0},
    {"name": "text", "label": "Text similarity", "score": 40.0, "weight": 0.2, "points": 8.0},
]


def with_cv(candidate: Candidate) -> Candidate:
    Candidate.objects.filter(pk=candidate.pk).update(cv_text=CV_TEXT)
    candidate.refresh_from_db()
    return candidate


def scored(candidate, vacancy, **kwargs) -> MatchScore:
    return MatchScoreFactory(
        old_shape=True,  # an engine-1 explanation (below), stored before confidence existed
        candidate=candidate,
        vacancy=vacancy,
        score=55.5,
        explanation={"state": "scored", "reason": "", "components": COMPONENTS, "engine_version": "1.0.0"},
        matched_skills=[
            {
                "skill": "Python",
                "importance": "required",
                "weight": 0.5,
                "contribution": 15.0,
                "evidence": "x",
            },
            {
                "skill": "Docker",
                "importance": "desirable",
                "weight": 1.0,
                "contribution": 5.0,
                "evidence": "y",
            },
        ],
        missing_skills=[
            {"skill": "Kafka", "importance": "required", "weight": 0.2, "contribution": 0.0, "gain": 3.0},
            {
                "skill": "Kubernetes",
                "importance": "required",
                "weight": 0.3,
                "contribution": 0.0,
                "gain": 4.5,
            },
        ],
        **kwargs,
    )


def test_your_match_shows_the_score_skills_fit_and_what_would_raise_it(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory(title="ML Engineer", min_years_experience=3)
    QualificationFactory(vacancy=vacancy, level=DegreeLevel.MASTER, field="computer science")
    Qualification.objects.create(candidate=candidate, level=DegreeLevel.BACHELOR, field="physics")
    Candidate.objects.filter(pk=candidate.pk).update(years_experience=5)
    scored(candidate, vacancy)

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    html = response.content.decode()
    match = response.context["match"]
    # 56/100 but only 1 of the 3 required skills: the band is capped at partial (matching.bands, issue 14).
    assert match.state == "scored" and match.score_rounded == 56 and match.verdict == "Partial match"
    assert '<span class="score__value">56</span>' in html
    assert match.required_met == ["Python"] and match.required_missing == ["Kafka", "Kubernetes"]
    assert match.desirable_met == ["Docker"] and match.desirable_missing == []
    assert "You have 1 of the 3 required skills." in html
    assert "You have 1 of the 1 desirable skills." in html
    assert (
        "The role asks for at least a Master&#x27;s degree in computer science; "
        "you have a Bachelor&#x27;s degree in physics."
    ) in html
    assert "The role asks for 3 years of experience; your profile shows about 5 years." in html
    # Components with no weight (experience here) are not drawn; bars are CSS widths.
    assert [c["name"] for c in match.components] == [
        "required",
        "desirable",
        "qualification",
        "profile",
        "text",
    ]
    assert 'style="width: 50%"' in html
    # Largest gain first.
    assert [i["skill"] for i in match.improvements] == ["Kubernetes", "Kafka"]
    assert re.search(r"Kubernetes</strong>.*\+4\.5 points.*Kafka</strong>.*\+3\.0 points", html, re.DOTALL)
    assert 'http-equiv="refresh"' not in html


def test_insufficient_data_is_shown_with_its_reason(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory()
    MatchScoreFactory(candidate=candidate, vacancy=vacancy, insufficient=True)

    html = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()

    assert "Not enough data to score yet" in html
    assert "The CV has fewer than 20 words of readable text." in html


def test_a_candidate_without_cv_or_skills_is_asked_to_add_them(candidate_client):
    vacancy = VacancyFactory()
    html = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "Upload your CV or add your skills" in html
    assert not MatchScore.objects.exists()


def test_scoring_is_shown_while_the_worker_has_not_scored_the_last_save(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory()
    scored(candidate, vacancy, computed_at=timezone.now() - timedelta(hours=1))
    candidate.save()  # the profile changed just now

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    html = response.content.decode()
    assert response.context["match"].state == "pending"
    assert "Scoring…" in html
    # It refreshes itself every 5 s with a button to stop (WCAG 2.2.1), never with <meta http-equiv="refresh">.
    assert 'data-auto-refresh="5"' in html and "js/auto-refresh.js" in html
    assert 'http-equiv="refresh"' not in html


def test_a_pair_with_no_stored_score_is_scored_on_the_page_without_storing_it(candidate_client, candidate):
    with_cv(candidate)
    services.candidate_skills_add(candidate=candidate, names=["Python", "PyTorch", "Kubernetes"])
    vacancy, _ = vacancy_upsert(
        source="test",
        reference="v1",
        title="ML Engineer",
        description="We need Python and PyTorch for recommendation models. Kafka is a plus. " * 3,
    )
    MatchScore.objects.all().delete()  # e.g. not among the candidate's best vacancies nor the shortlist
    model_store.model_fit()  # stored by any scoring pass; a web request only loads it
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    expected = match_score_on_demand(candidate=candidate, vacancy=vacancy)
    match = response.context["match"]
    assert match.state == "scored" and match.score == expected.score
    assert "Python" in match.required_met
    assert not MatchScore.objects.exists()


def test_with_no_stored_model_the_page_shows_scoring_and_enqueues_the_scoring_instead_of_fitting(
    candidate_client, candidate, monkeypatch, django_capture_on_commit_callbacks
):
    """Fitting reads every candidate (minutes at 100,000): a web request never does it (issue 13)."""
    with_cv(candidate)
    services.candidate_skills_add(candidate=candidate, names=["Python", "PyTorch"])
    vacancy, _ = vacancy_upsert(
        source="test", reference="v1", title="ML Engineer", description="Python and PyTorch for models. " * 5
    )
    MatchScore.objects.all().delete()
    StoredMatchingModel.objects.all().delete()
    monkeypatch.setattr(model_store, "_models", {})
    monkeypatch.setattr(model_store, "model_fit", lambda *a, **k: pytest.fail("a web request fitted a model"))
    enqueued = []
    monkeypatch.setattr("matching.tasks.score_candidates.delay", lambda ids: enqueued.append(ids))
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    assert response.status_code == 200 and response.context["match"].state == "pending"
    assert "Scoring…" in response.content.decode()
    assert enqueued == [[candidate.pk]]
    # The page refreshes itself while it waits: that asks for no second task while the first has not run.
    with django_capture_on_commit_callbacks(execute=True):
        again = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))
    assert again.context["match"].state == "pending" and enqueued == [[candidate.pk]]
    assert not StoredMatchingModel.objects.exists()


def test_a_late_worker_does_not_leave_the_page_scoring_forever(candidate_client, candidate, monkeypatch):
    with_cv(candidate)
    services.candidate_skills_add(candidate=candidate, names=["Python"])
    vacancy, _ = vacancy_upsert(
        source="test", reference="v1", title="ML Engineer", description="Python and PyTorch for models. " * 5
    )
    MatchScore.objects.all().delete()
    model_store.model_fit()  # stored by any scoring pass; a web request only loads it
    monkeypatch.setattr(selectors, "SCORING_WAIT", timedelta(0))

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    assert response.context["match"].state in {"scored", "insufficient_data"}


def test_a_stale_score_is_recomputed_on_the_page(candidate_client, candidate):
    with_cv(candidate)
    services.candidate_skills_add(candidate=candidate, names=["Python"])
    vacancy, _ = vacancy_upsert(
        source="test", reference="v1", title="ML Engineer", description="Python and PyTorch for models. " * 5
    )
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    scored(candidate, vacancy, stale=True)
    model_store.model_fit()  # stored by any scoring pass; a web request only loads it

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    assert response.context["match"].score != 55.5


def test_profile_shows_scoring_until_a_newer_score_is_stored(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory()
    candidate.save()

    pending = candidate_client.get(reverse("portal:profile")).content.decode()
    assert "Scoring…" in pending and 'data-auto-refresh="5"' in pending and "js/auto-refresh.js" in pending

    scored(candidate, vacancy)
    done = candidate_client.get(reverse("portal:profile")).content.decode()
    assert "Scoring…" not in done and 'http-equiv="refresh"' not in done and "data-auto-refresh" not in done
    assert "Your best matches" in done and vacancy.title in done


def test_no_scoring_notice_without_open_vacancies(candidate_client, candidate):
    with_cv(candidate)
    candidate.save()
    assert "Scoring…" not in candidate_client.get(reverse("portal:profile")).content.decode()


def test_visitors_see_an_invitation_instead_of_a_match(client):
    vacancy = VacancyFactory()
    html = client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "See how well you match this role" in html
    assert not MatchScore.objects.exists()


def test_a_signed_in_user_without_a_profile_is_offered_one(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    vacancy = VacancyFactory()
    html = client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "Create my profile" in html


def test_the_whole_flow_with_the_real_engine(candidate_client, candidate, django_capture_on_commit_callbacks):
    """Saving a CV rescores through the (eager) worker after commit; the page then shows the stored score."""
    vacancy, _ = vacancy_upsert(
        source="test",
        reference="v1",
        title="ML Engineer",
        description="Required: Python, PyTorch and SQL for recommendation models. Kubernetes is a plus. " * 2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        candidate_client.post(
            reverse("portal:cv_upload"), {"cv": SimpleUploadedFile("cv.txt", (CV_TEXT * 2).encode())}
        )
        token = candidate_client.session["portal_pending_cv"]["token"]
        candidate_client.post(
            reverse("portal:cv_confirm"), {"token": token, "skills": ["Python", "PyTorch", "SQL"]}
        )

    candidate.refresh_from_db()
    stored = MatchScore.objects.get(candidate=candidate, vacancy=vacancy)
    assert stored.computed_at >= candidate.updated_at
    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))
    assert response.context["match"].state == "scored"
    assert response.context["match"].score == stored.score


def test_the_profile_stops_refreshing_when_the_worker_is_late(candidate_client, candidate):
    with_cv(candidate)
    VacancyFactory()
    Candidate.objects.filter(pk=candidate.pk).update(updated_at=timezone.now() - timedelta(minutes=5))

    html = candidate_client.get(reverse("portal:profile")).content.decode()

    assert "Scoring…" in html and "taking longer than usual" in html
    assert 'http-equiv="refresh"' not in html and "data-auto-refresh" not in html


# --- issue 12: rank, confidence, flags and how skills were counted ---------------------------------------------
def test_your_match_shows_rank_confidence_notes_and_how_skills_were_counted(candidate_client, candidate):
    from tests.factories import TEXT_ONLY_REASON, CandidateFactory, ContractMatchScoreFactory

    with_cv(candidate)
    vacancy = VacancyFactory(title="ML Engineer")
    for value in (90.0, 70.0, 70.0, 10.0):
        ContractMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(), score=value)
    ContractMatchScoreFactory(candidate=candidate, vacancy=vacancy, score=70.0, confidence="medium")

    response = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    html = response.content.decode()
    match = response.context["match"]
    assert (match.rank, match.tied, match.ranked_among) == (2, True, 5)
    assert "You are ranked joint 2nd of 5 candidates for this role" in html
    assert "Confidence: medium" in html and TEXT_ONLY_REASON in html
    assert "Keyword list: little evidence of use" in html
    assert "CV in German: scored on recognised skills and qualifications" in html
    assert "<strong>Python</strong> — used in your experience" in html
    assert "<strong>SQL</strong> — listed among your skills" in html
    assert "TensorFlow: credited 60 % through PyTorch (related)" in html


def test_an_old_score_shows_no_confidence_notes_or_counting(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory(title="ML Engineer")
    scored(candidate, vacancy)

    html = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()

    assert "You are ranked 1st of 1 candidates for this role" in html
    assert (
        "Confidence:" not in html
        and "Notes on your CV" not in html
        and "How your skills were counted" not in html
    )


def test_an_on_demand_score_has_no_rank(candidate_client, candidate):
    with_cv(candidate)
    vacancy = VacancyFactory(title="ML Engineer")
    html = candidate_client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "You are ranked" not in html


def test_best_matches_on_the_profile_show_the_rank(candidate_client, candidate):
    from tests.factories import CandidateFactory, ContractMatchScoreFactory

    with_cv(candidate)
    vacancy = VacancyFactory(title="ML Engineer", status="open")
    ContractMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(), score=95.0)
    ContractMatchScoreFactory(
        candidate=candidate,
        vacancy=vacancy,
        score=60.0,
        confidence="low",
        computed_at=timezone.now() + timedelta(seconds=5),
    )

    html = candidate_client.get(reverse("portal:profile")).content.decode()

    assert "ranked 2nd of 2" in html and "confidence low" in html
