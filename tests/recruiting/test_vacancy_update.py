"""A recruiter's edit of a vacancy takes one path (issue 13): ``recruiting.services.vacancy_update``, from the
workspace's form and the API's PATCH alike; a shortlist rejection goes through ``shortlist_reject``.

Before, the workspace re-read a changed description but the API edited through the import's upsert, which
kept the old description's extracted skills once a recruiter had touched the requirements, and neither edit
was in the audit log.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from matching.models import Skill
from recruiting.models import Application, AuditLogEntry, SkillOrigin, Vacancy, VacancySkill
from recruiting.services import (
    ApplicationError,
    shortlist_reject,
    vacancy_update,
    vacancy_upsert,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    HiringManagerFactory,
    MatchScoreFactory,
    RecruiterFactory,
)
from tests.recruiting.test_admin import _vacancy_form, change_url

pytestmark = pytest.mark.django_db

OLD_TEXT = "Senior ML engineer.\nYou must have strong Python and SQL.\n"
NEW_TEXT = "Senior ML engineer.\nYou must have strong Python and Kafka.\n"


@pytest.fixture
def vacancy():
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=OLD_TEXT)
    return vacancy


def _api_patch(user, vacancy, data):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client.patch(f"/api/v1/vacancies/{vacancy.pk}/", data, format="json")


def _admin_post(user, vacancy, client, **changes):
    client.force_login(user)
    return client.post(change_url(vacancy), _vacancy_form(vacancy, **changes))


def _skills(vacancy) -> dict[str, str]:
    return dict(vacancy.skill_links.values_list("skill__name", "origin"))


@pytest.mark.parametrize("face", ["workspace", "api"])
def test_a_new_description_is_read_again_on_every_face_and_entered_skills_stay(vacancy, client, face):
    recruiter = RecruiterFactory()
    VacancySkill.objects.create(
        vacancy=vacancy, skill=Skill.objects.get(name="Docker"), origin=SkillOrigin.ENTERED
    )
    Vacancy.objects.filter(pk=vacancy.pk).update(requirements_edited=True)  # a recruiter touched them once
    vacancy.refresh_from_db()
    before = _skills(vacancy)
    assert (before["SQL"], before["Docker"]) == ("extracted", "entered") and "Kafka" not in before

    if face == "api":
        response = _api_patch(recruiter, vacancy, {"description": NEW_TEXT})
        assert response.status_code == 200, response.content[:300]
    else:
        response = _admin_post(recruiter, vacancy, client, description=NEW_TEXT)
        assert response.status_code == 302, response.context["adminform"].form.errors

    after = _skills(vacancy)
    assert (after["Kafka"], after["Docker"]) == ("extracted", "entered") and "SQL" not in after


@pytest.mark.parametrize("face", ["workspace", "api"])
def test_every_face_marks_the_scores_stale_and_writes_the_audit_log(vacancy, client, face, monkeypatch):
    from matching import enqueue as matching_enqueue

    enqueued = []
    monkeypatch.setattr(
        matching_enqueue, "enqueue_vacancy_scoring", lambda *, vacancy_id: enqueued.append(vacancy_id)
    )
    recruiter = RecruiterFactory()
    score = MatchScoreFactory(vacancy=vacancy)
    if face == "api":
        assert _api_patch(recruiter, vacancy, {"title": "Lead ML engineer"}).status_code == 200
    else:
        assert _admin_post(recruiter, vacancy, client, title="Lead ML engineer").status_code == 302

    vacancy.refresh_from_db()
    score.refresh_from_db()
    assert vacancy.title == "Lead ML engineer" and score.stale and enqueued == [vacancy.pk]
    entry = AuditLogEntry.objects.get(action="vacancy_update")
    assert entry.actor == recruiter and entry.object_id == str(vacancy.pk)
    assert "title" in entry.detail["fields"]


def test_an_edit_that_changes_nothing_writes_nothing(vacancy):
    score = MatchScoreFactory(vacancy=vacancy)
    vacancy_update(vacancy=vacancy, actor=RecruiterFactory(), fields={"title": vacancy.title})
    score.refresh_from_db()
    assert not score.stale and not AuditLogEntry.objects.filter(action="vacancy_update").exists()


def test_a_requirement_or_weight_edit_is_kept_on_re_import(vacancy):
    vacancy_update(vacancy=vacancy, actor=RecruiterFactory(), fields={"min_years_experience": 4.0})
    vacancy.refresh_from_db()
    assert vacancy.requirements_edited
    again, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=OLD_TEXT + "More.")
    assert again.min_years_experience == 4.0


def test_only_recruiters_edit_a_vacancy(vacancy):
    manager = HiringManagerFactory(vacancies=[vacancy])
    with pytest.raises(PermissionDenied):
        vacancy_update(vacancy=vacancy, actor=manager, fields={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        vacancy_update(vacancy=vacancy, actor=None, weights={"text": 1})
    vacancy.refresh_from_db()
    assert vacancy.title == "MLE" and vacancy.weights == {}


def test_shortlist_reject_is_for_recruiters_and_is_audited(vacancy):
    vacancy.status = Vacancy.Status.OPEN
    vacancy.save()
    application = ApplicationFactory(vacancy=vacancy)
    manager = HiringManagerFactory(vacancies=[vacancy])

    with pytest.raises(PermissionDenied):
        shortlist_reject(vacancy=vacancy, candidate=application.candidate, actor=manager, reason="no")
    application.refresh_from_db()
    assert application.stage == Application.Stage.APPLIED

    recruiter = RecruiterFactory()
    shortlist_reject(vacancy=vacancy, candidate=application.candidate, actor=recruiter, reason="Too junior")
    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED
    assert AuditLogEntry.objects.filter(action="stage_change", actor=recruiter).count() == 1
    with pytest.raises(ApplicationError, match="has not applied"):
        shortlist_reject(vacancy=vacancy, candidate=CandidateFactory(), actor=recruiter, reason="no")


def test_the_shortlist_page_rejects_through_the_service(vacancy, client):
    vacancy.status = Vacancy.Status.OPEN
    vacancy.save()
    application = ApplicationFactory(vacancy=vacancy)
    recruiter = RecruiterFactory()
    client.force_login(recruiter)
    response = client.post(
        reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]),
        {"action": "reject", "candidate_ids": [application.candidate_id], "reason": "Too junior"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.stage == Application.Stage.REJECTED
    assert AuditLogEntry.objects.filter(action="stage_change", actor=recruiter).exists()
