"""Versions and staleness: weight changes, profile edits and version changes mark scores stale and rescore."""

from unittest import mock

import pytest

from matching import scoring, staleness, tasks
from matching.extraction import EXTRACTION_VERSION
from matching.models import MatchScore
from recruiting.models import Candidate, Vacancy
from recruiting.services import candidate_upsert, vacancy_update, vacancy_upsert
from tests.factories import RecruiterFactory
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        ds, _ = candidate_upsert(source="t", reference="ds", cv_text=DS_CV)
        sales, _ = candidate_upsert(source="t", reference="sales", cv_text=SALES_CV)
    return vacancy, ds, sales


def test_a_weight_change_marks_scores_stale_and_rescoring_applies_the_new_weights(
    scored, django_capture_on_commit_callbacks
):
    vacancy, ds, _ = scored
    before = MatchScore.objects.get(vacancy=vacancy, candidate=ds)
    assert before.weights == scoring.ComponentWeights().as_dict() and not before.stale
    with mock.patch.object(tasks.score_vacancies, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            vacancy_update(vacancy=vacancy, actor=RecruiterFactory(), weights={"text": 0, "qualification": 0})
        delay.assert_called_once_with([vacancy.pk])
    assert MatchScore.objects.filter(vacancy=vacancy, stale=True).count() == 2
    tasks.score_vacancies([vacancy.pk])  # what the worker does
    after = MatchScore.objects.get(vacancy=vacancy, candidate=ds)
    assert not after.stale and after.weights["text"] == 0
    used = {c["name"]: c["weight"] for c in after.explanation["components"]}
    assert used["text"] == 0 and used["qualification"] == 0
    assert sum(c["points"] for c in after.explanation["components"]) == pytest.approx(after.score, abs=0.5)


def test_bad_weights_are_refused_and_nothing_changes(scored):
    vacancy, _, _ = scored
    with pytest.raises(ValueError, match="unknown score components"):
        vacancy_update(vacancy=vacancy, actor=RecruiterFactory(), weights={"salary": 1})
    vacancy.refresh_from_db()
    assert vacancy.weights == {} and not MatchScore.objects.filter(stale=True).exists()


def test_sweep_finds_scores_of_another_engine_version_and_missing_scores(scored):
    _vacancy, ds, sales = scored
    MatchScore.objects.filter(candidate=ds).update(engine_version="0.0.1")
    MatchScore.objects.filter(candidate=sales).delete()
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        found = staleness.stale_sweep()
    assert found == {"marked_stale": 1, "candidates": 2, "run_tasks": 0, "profiles_refreshed": 0}
    delay.assert_called_once_with(sorted([ds.pk, sales.pk]))
    tasks.score_candidates(sorted([ds.pk, sales.pk]))
    assert MatchScore.objects.count() == 2 and not MatchScore.objects.filter(stale=True).exists()
    assert set(MatchScore.objects.values_list("engine_version", flat=True)) == {scoring.ENGINE_VERSION}


def test_an_engine_upgrade_re_extracts_old_profiles_and_rescores_them(scored):
    """Profiles written by the previous extraction rules (no evidence levels, no language) and scores of the
    previous engine: the sweep re-extracts the profiles first, then marks the scores stale and enqueues them."""
    from recruiting.models import CandidateSkill

    _vacancy, ds, _ = scored
    Candidate.objects.update(profile_version="")
    Vacancy.objects.update(profile_version="")
    CandidateSkill.objects.update(evidence_level="", strength=0.6)
    MatchScore.objects.update(engine_version="1.0.0")
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        found = staleness.stale_sweep()
    assert found["profiles_refreshed"] == 3 and found["marked_stale"] == 2
    delay.assert_called_once()
    levels = set(CandidateSkill.objects.filter(candidate=ds).values_list("evidence_level", flat=True))
    assert levels and "" not in levels
    assert set(Candidate.objects.values_list("profile_version", flat=True)) == {EXTRACTION_VERSION}
    assert staleness.stale_sweep()["profiles_refreshed"] == 0  # done once


def test_an_edited_profile_makes_its_old_scores_stale(scored):
    _vacancy, ds, _ = scored
    Candidate.objects.filter(pk=ds.pk).update(headline="changed")  # no updated_at bump: not a profile save
    assert staleness.scores_mark_stale() == 0
    ds.refresh_from_db()
    ds.save()  # a profile save bumps updated_at past computed_at
    assert staleness.scores_mark_stale() == 1


def test_a_stored_explanation_renders_the_same_after_the_vacancy_changes(scored):
    from matching.presentation import explanation_lines

    vacancy, ds, _ = scored
    score = MatchScore.objects.get(vacancy=vacancy, candidate=ds)
    before = explanation_lines(score)
    Vacancy.objects.filter(pk=vacancy.pk).update(weights={"text": 1, "required": 0})
    vacancy.skill_links.all().delete()
    score.refresh_from_db()
    assert explanation_lines(score) == before
    assert any("Required skills" in line for line in before)


def test_insufficient_data_is_stored_as_a_state_with_a_reason_and_a_readable_cv_gets_low_confidence(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
        _empty_vacancy, _ = vacancy_upsert(
            source="t",
            reference="vague",
            title="Vague",
            description="A great team and a friendly office. Apply today!",
        )
        _short, _ = candidate_upsert(source="t", reference="short", cv_text="Python developer.")
        _no_skills, _ = candidate_upsert(
            source="t", reference="none", cv_text=" ".join(["hardworking person"] * 20)
        )
        _good, _ = candidate_upsert(source="t", reference="good", cv_text=DS_CV)
    rows = {
        (s.candidate.reference, s.vacancy.reference): s
        for s in MatchScore.objects.select_related("candidate", "vacancy")
    }
    assert (
        rows["short", "mle"].score is None and "too little text" in rows["short", "mle"].explanation["reason"]
    )
    assert rows["short", "mle"].state == "insufficient_data" and rows["short", "mle"].confidence == ""
    # Readable, but no vocabulary skill recognised: a text-based number with low confidence and the reason.
    none = rows["none", "mle"]
    assert none.state == "scored" and none.score is not None and none.confidence == "low"
    assert "text similarity only" in none.explanation["confidence_reason"]
    assert (
        rows["good", "vague"].score is None
        and "no skill requirements" in rows["good", "vague"].explanation["reason"]
    )
    assert rows["good", "mle"].state == "scored" and rows["good", "mle"].score > 0
    assert rows["good", "mle"].confidence in {"high", "medium"}
    assert rows["good", "mle"].score > none.score


def test_two_sweeps_in_a_row_enqueue_a_candidate_once(scored, settings):
    """Issue 16, finding 12: while a sweep's batch is in flight, later sweeps do not queue it again; once the
    task has scored it (or the marker expires) a candidate that still needs scoring is enqueued again."""
    _, ds, sales = scored
    MatchScore.objects.filter(candidate=ds).update(engine_version="0.0.1")
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        first = staleness.stale_sweep()
        second = staleness.stale_sweep()
        third = staleness.stale_sweep()
    assert first["candidates"] == 1 and second["candidates"] == third["candidates"] == 0
    delay.assert_called_once_with([ds.pk])

    # A batch lost with the broker: once the marker expires the next sweep finds the candidate again.
    staleness.sweep_clear_in_flight([ds.pk])  # what expiry does
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        assert staleness.stale_sweep()["candidates"] == 1
    delay.assert_called_once_with([ds.pk])

    # The worker scores the batch and clears its markers: nothing is left to enqueue.
    tasks.score_candidates([ds.pk])
    assert staleness.sweep_not_in_flight([ds.pk, sales.pk]) == [ds.pk, sales.pk]
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        assert staleness.stale_sweep()["candidates"] == 0
    delay.assert_not_called()


def test_a_sweep_whose_enqueue_failed_is_not_marked_in_flight(scored, settings):
    """With the broker down nothing was queued, so the next sweep must try again at once."""
    _, ds, _ = scored
    settings.CELERY_TASK_ALWAYS_EAGER = False
    MatchScore.objects.filter(candidate=ds).update(engine_version="0.0.1")
    with (
        mock.patch.object(tasks.score_candidates, "delay", side_effect=ConnectionError("broker down")),
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        staleness.stale_sweep()
    assert staleness.sweep_not_in_flight([ds.pk]) == [ds.pk]
    with (
        mock.patch.object(tasks.score_candidates, "delay") as delay,
        mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()),
    ):
        assert staleness.stale_sweep()["candidates"] == 1
    delay.assert_called_once_with([ds.pk])
