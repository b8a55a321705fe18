"""Duplicate candidates: detection (same e-mail, same CV file, near-identical CV text) and a merge that loses
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import MatchScore
from recruiting.duplicates import candidate_duplicates, candidate_merge, text_similarities
from recruiting.models import (
    Application,
    ApplicationStageChange,
    AuditLogEntry,
    Candidate,
    CandidateSkill,
    Experience,
    Note,
    Qualification,
)
from recruiting.services import application_create, application_move
from tests.factories import (
    CandidateFactory,
    CandidateSkillFactory,
    EngineMatchScoreFactory,
    NoteFactory,
    QualificationFactory,
    RecruiterFactory,
    SkillFactory,
    UserFactory,
    VacancyFactory,
)

CV = (
    "Machine learning engineer with six years of Python, PyTorch and SQL. Built recommendation models and "
    "deployed them on Kubernetes. MSc Computer Science, University of Leeds. Led a team of four engineers."
)


# --- detection (pure) ---------------------------------------------------------------------------------------


def test_text_similarity_is_high_for_near_identical_cvs_and_low_otherwise():
    sims = text_similarities(
        CV,
        {
            1: CV.replace("four", "five"),
            2: CV + "\n" + CV,
            3: "Chef with ten years in French kitchens; pastry and sauces.",
            4: "",
        },
    )
    assert sims[1] >= 0.9 and sims[2] >= 0.9
    assert sims[3] < 0.2
    assert 4 not in sims
    assert text_similarities("", {1: CV}) == {}


# --- detection (database) -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicates_by_email_cv_file_and_near_identical_text():
    candidate = CandidateFactory(email="Ada@Example.org", cv_text=CV, cv_sha256="a" * 64)
    same_email = CandidateFactory(email="ada@example.ORG", cv_text="Short, unrelated text about gardening.")
    same_file = CandidateFactory(cv_sha256="a" * 64, cv_text="Another text entirely: accounting.")
    near_text = CandidateFactory(cv_text=CV.replace("six years", "6 years"))
    everything = CandidateFactory(email="ada@example.org", cv_text=CV, cv_sha256="a" * 64)
    CandidateFactory(
        email="bob@example.org", cv_text="Data analyst: Excel, Tableau and SQL reports for finance."
    )

    found = candidate_duplicates(candidate=candidate)

    by_id = {d.candidate.pk: d for d in found}
    assert set(by_id) == {same_email.pk, same_file.pk, near_text.pk, everything.pk}
    assert found[0].candidate == everything  # most reasons first
    assert by_id[same_email.pk].reasons == ["same e-mail address"]
    assert by_id[same_file.pk].reasons == ["same CV file"]
    assert by_id[near_text.pk].reasons[0].startswith("near-identical CV text")
    assert by_id[near_text.pk].similarity >= 0.9


@pytest.mark.django_db
def test_blank_email_is_not_a_duplicate_signal():
    candidate = CandidateFactory(email="", cv_text="Alpha beta gamma.")
    CandidateFactory(email="", cv_text="Completely different words here about cooking.")
    assert candidate_duplicates(candidate=candidate) == []


# --- merge --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merging_two_duplicate_candidates_keeps_every_application_score_and_note():
    recruiter = RecruiterFactory()
    keep = CandidateFactory(name="Ada Lovelace", email="ada@example.org", cv_text=CV, headline="")
    dupe = CandidateFactory(
        name="A. Lovelace",
        email="ADA@example.org",
        cv_text=CV + " Also Rust.",
        headline="ML engineer",
        user=UserFactory(),
    )
    only_keep, only_dupe, both, scored_both = (
        VacancyFactory(title=t) for t in ("Only keep", "Only dupe", "Both applied", "Both scored")
    )

    # Applications: one each, one shared (the duplicate's is further along), one only on the duplicate.
    app_keep = application_create(candidate=keep, vacancy=only_keep)
    app_dupe = application_create(candidate=dupe, vacancy=only_dupe)
    shared_keep = application_create(candidate=keep, vacancy=both, cover_note="first try")
    shared_dupe = application_create(candidate=dupe, vacancy=both)
    application_move(application=shared_dupe, to_stage="interview", actor=recruiter, reason="great portfolio")
    NoteFactory(candidate=keep, application=shared_keep, body="About the less advanced application")

    # Scores: disjoint ones are kept; for a shared vacancy the newer wins.
    now = timezone.now()
    EngineMatchScoreFactory(candidate=keep, vacancy=only_keep, score=70.0)
    moved = EngineMatchScoreFactory(candidate=dupe, vacancy=only_dupe, score=60.0)
    EngineMatchScoreFactory(
        candidate=keep, vacancy=scored_both, score=40.0, computed_at=now - timedelta(days=2)
    )
    newer = EngineMatchScoreFactory(candidate=dupe, vacancy=scored_both, score=45.0, computed_at=now)

    # Notes, skills, qualifications, experience.
    keep_note = NoteFactory(candidate=keep, body="Keep's note")
    dupe_note = NoteFactory(candidate=dupe, body="Dupe's note")
    python, rust = SkillFactory(name="Python"), SkillFactory(name="Rust")
    CandidateSkillFactory(candidate=keep, skill=python, mentions=1, evidence="")
    CandidateSkillFactory(candidate=dupe, skill=python, mentions=4, evidence="Python daily")
    CandidateSkillFactory(candidate=dupe, skill=rust, mentions=1, evidence="Also Rust.")
    QualificationFactory(candidate=keep, level=3, field="computer science")
    QualificationFactory(candidate=dupe, level=3, field="Computer Science")  # the same degree
    QualificationFactory(candidate=dupe, level=2, field="mathematics")
    Experience.objects.create(
        candidate=dupe, title="ML engineer", start_date=now.date() - timedelta(days=900)
    )
    dupe_user, dupe_id = dupe.user, dupe.pk

    result = candidate_merge(keep=keep, duplicate=dupe, actor=recruiter)

    assert not Candidate.objects.filter(pk=dupe_id).exists()
    keep.refresh_from_db()
    # Every application: one per vacancy; the more advanced shared one survives with its history.
    apps = {a.vacancy.title: a for a in Application.objects.filter(candidate=keep).select_related("vacancy")}
    assert set(apps) == {"Only keep", "Only dupe", "Both applied"}
    assert apps["Only keep"].pk == app_keep.pk and apps["Only dupe"].pk == app_dupe.pk
    assert apps["Both applied"].pk == shared_dupe.pk and apps["Both applied"].stage == "interview"
    assert ApplicationStageChange.objects.filter(application=shared_dupe, reason="great portfolio").exists()
    assert not Application.objects.filter(pk=shared_keep.pk).exists()
    folded = Note.objects.get(candidate=keep, body__startswith="Merged from candidate")
    assert folded.application_id == shared_dupe.pk
    assert "applied" in folded.body and "first try" in folded.body  # the folded one's history and cover note
    assert Note.objects.get(body="About the less advanced application").application_id == shared_dupe.pk
    assert (result.applications_moved, result.applications_folded) == (1, 1)
    # Every score: one per vacancy, the newer for the shared one.
    scores = dict(MatchScore.objects.filter(candidate=keep).values_list("vacancy__title", "pk"))
    assert set(scores) == {"Only keep", "Only dupe", "Both scored"}
    assert scores["Only dupe"] == moved.pk and scores["Both scored"] == newer.pk
    assert MatchScore.objects.count() == 3
    # Every note, plus the duplicate's CV text as a note.
    bodies = set(Note.objects.filter(candidate=keep).values_list("body", flat=True))
    assert {keep_note.body, dupe_note.body} <= bodies
    assert any(b.startswith(f"CV text of candidate #{dupe_id}") and "Also Rust." in b for b in bodies)
    # Skills and qualifications: union, nothing doubled; moved ones survive re-extraction as entered.
    skills = {
        link.skill.name: link
        for link in CandidateSkill.objects.filter(candidate=keep).select_related("skill")
    }
    assert set(skills) == {"Python", "Rust"}
    assert (skills["Python"].mentions, skills["Python"].evidence) == (4, "Python daily")
    assert skills["Rust"].origin == "entered"
    assert sorted(Qualification.objects.filter(candidate=keep).values_list("level", flat=True)) == [2, 3]
    assert Experience.objects.filter(candidate=keep).count() == 1
    # Blank fields filled; the portal account moves to the kept record.
    assert keep.headline == "ML engineer" and keep.name == "Ada Lovelace"
    assert keep.user == dupe_user
    entry = AuditLogEntry.objects.get(action="merge")
    assert entry.actor == recruiter and entry.detail == {"merged_candidate_id": dupe_id}
    assert CV not in str(entry.detail)


@pytest.mark.django_db
def test_merge_keeps_the_kept_records_application_when_it_is_further_along():
    recruiter = RecruiterFactory()
    keep, dupe = CandidateFactory(), CandidateFactory()
    vacancy = VacancyFactory()
    mine = application_create(candidate=keep, vacancy=vacancy)
    application_move(application=mine, to_stage="offer", actor=recruiter)
    theirs = application_create(candidate=dupe, vacancy=vacancy)
    application_move(application=theirs, to_stage="rejected", actor=recruiter, reason="duplicate profile")

    candidate_merge(keep=keep, duplicate=dupe, actor=recruiter)

    app = Application.objects.get(vacancy=vacancy)
    assert app.pk == mine.pk and app.stage == "offer" and app.candidate == keep
    assert "duplicate profile" in Note.objects.get(candidate=keep).body


@pytest.mark.django_db
def test_a_candidate_cannot_be_merged_into_itself():
    candidate = CandidateFactory()
    with pytest.raises(ValueError):
        candidate_merge(keep=candidate, duplicate=candidate)
