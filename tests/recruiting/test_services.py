"""Application and vacancy services shared by the portal, the admin and the API."""

import pytest

from recruiting import events
from recruiting.models import Application, ApplicationStageChange, AuditLogEntry, Candidate, Vacancy
from recruiting.services import (
    ApplicationError,
    application_create,
    application_move,
    application_withdraw,
    vacancy_close,
    vacancy_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy():
    return Vacancy.objects.create(
        title="MLE", reference="mle", description="Python", status=Vacancy.Status.OPEN
    )


@pytest.fixture
def candidate():
    return Candidate.objects.create(reference="cv1", cv_text="Python")


@pytest.fixture
def recruiter():
    from tests.factories import RecruiterFactory

    return RecruiterFactory(email="rec@example.com")


@pytest.fixture
def emitted():
    seen = []

    def receiver(sender, event, payload, **kwargs):
        seen.append((event, payload))

    events.event_emitted.connect(receiver)
    yield seen
    events.event_emitted.disconnect(receiver)


def test_applying_records_history_and_announces_it_after_commit(
    vacancy, candidate, emitted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        app = application_create(candidate=candidate, vacancy=vacancy, cover_note=" Hello ")
    assert app.stage == Application.Stage.APPLIED and app.cover_note == "Hello"
    assert list(app.stage_changes.values_list("from_stage", "to_stage")) == [("", "applied")]
    assert [e for e in emitted if e[0] == "application.created"] == [
        (
            "application.created",
            {
                "application_id": app.pk,
                "candidate_id": candidate.pk,
                "vacancy_id": vacancy.pk,
                "stage": "applied",
            },
        )
    ]


def test_an_application_records_its_source_and_keeps_it_when_reopened(vacancy, candidate):
    app = application_create(candidate=candidate, vacancy=vacancy, source=Application.Source.API)
    application_withdraw(application=app)
    again = application_create(candidate=candidate, vacancy=vacancy, source=Application.Source.PORTAL)
    assert again.pk == app.pk and again.source == Application.Source.API
    with pytest.raises(ValueError, match="unknown application source"):
        application_create(candidate=Candidate.objects.create(reference="cv2"), vacancy=vacancy, source="fax")


def test_the_source_backfill_reads_the_history_and_the_candidate(vacancy, recruiter):
    """Migration 0007's backfill on rows made before the field existed (all "import" then)."""
    import importlib

    from django.apps import apps

    from recruiting.services import shortlist_advance

    portal = application_create(
        candidate=Candidate.objects.create(reference="portal-1", source="portal"), vacancy=vacancy
    )
    api = application_create(
        candidate=Candidate.objects.create(reference="api-1", source="api"), vacancy=vacancy
    )
    imported = application_create(
        candidate=Candidate.objects.create(reference="import-1", source="import"), vacancy=vacancy
    )
    sourced = shortlist_advance(
        vacancy=vacancy, candidate=Candidate.objects.create(reference="pool-1"), actor=recruiter
    )
    Application.objects.update(source="import")
    importlib.import_module("recruiting.migrations.0007_application_source").backfill(apps, None)
    got = dict(Application.objects.values_list("pk", "source"))
    assert got == {portal.pk: "portal", api.pk: "api", imported.pk: "import", sourced.pk: "sourced"}


def test_one_application_per_vacancy(vacancy, candidate):
    application_create(candidate=candidate, vacancy=vacancy)
    with pytest.raises(ApplicationError, match="already applied"):
        application_create(candidate=candidate, vacancy=vacancy)
    assert Application.objects.count() == 1


def test_cannot_apply_to_a_closed_vacancy(vacancy, candidate):
    vacancy_close(vacancy=vacancy)
    with pytest.raises(ApplicationError, match="not open"):
        application_create(candidate=candidate, vacancy=vacancy)
    assert not Application.objects.exists()


def test_moves_record_who_when_from_and_to_and_why(vacancy, candidate, recruiter):
    app = application_create(candidate=candidate, vacancy=vacancy)
    application_move(application=app, to_stage="screening", actor=recruiter, reason="strong CV")
    app.refresh_from_db()
    assert app.stage == "screening" and app.revealed
    change = ApplicationStageChange.objects.filter(application=app).last()
    assert (change.from_stage, change.to_stage, change.actor, change.reason) == (
        "applied",
        "screening",
        recruiter,
        "strong CV",
    )
    assert AuditLogEntry.objects.filter(
        action="stage_change", actor=recruiter, object_id=str(app.pk)
    ).exists()


def test_rejection_needs_a_reason_and_nothing_changes_without_one(vacancy, candidate, recruiter):
    app = application_create(candidate=candidate, vacancy=vacancy)
    with pytest.raises(ApplicationError, match="reason"):
        application_move(application=app, to_stage="rejected", actor=recruiter)
    app.refresh_from_db()
    assert app.stage == "applied" and app.stage_changes.count() == 1


def test_withdraw_then_apply_again(vacancy, candidate):
    app = application_create(candidate=candidate, vacancy=vacancy)
    application_withdraw(application=app)
    with pytest.raises(ApplicationError, match="already at withdrawn"):
        application_withdraw(application=app)
    again = application_create(candidate=candidate, vacancy=vacancy)
    assert again.pk == app.pk and again.stage == "applied"
    assert [c.to_stage for c in again.stage_changes.all()] == ["applied", "withdrawn", "applied"]


def test_publish_announces_once(vacancy, emitted, django_capture_on_commit_callbacks):
    vacancy.status = Vacancy.Status.DRAFT
    vacancy.save()
    with django_capture_on_commit_callbacks(execute=True):
        vacancy_publish(vacancy=vacancy)
        vacancy_publish(vacancy=vacancy)
    assert [e for e, _ in emitted] == ["vacancy.published"]
    vacancy.refresh_from_db()
    assert vacancy.status == "open" and vacancy.published_at


def test_workspace_writes_check_the_actor_in_the_service_not_only_in_the_view():
    """note_add and shortlist_advance live in recruiting.services and refuse an actor the policy refuses, whoever
    calls them (the workspace view, a script, a future API)."""
    from django.core.exceptions import PermissionDenied

    from recruiting.services import note_add, shortlist_advance
    from tests.factories import (
        CandidateFactory,
        HiringManagerFactory,
        RecruiterFactory,
        UserFactory,
        VacancyFactory,
    )

    vacancy, candidate = VacancyFactory(status=Vacancy.Status.OPEN), CandidateFactory()
    with pytest.raises(PermissionDenied):
        note_add(candidate=candidate, author=UserFactory(), body="Strong on NLP.")
    with pytest.raises(PermissionDenied):
        shortlist_advance(vacancy=vacancy, candidate=candidate, actor=HiringManagerFactory())
    assert not Application.objects.exists()
    assert note_add(candidate=candidate, author=HiringManagerFactory(), body=" Strong on NLP. ").body == (
        "Strong on NLP."
    )
    application = shortlist_advance(vacancy=vacancy, candidate=candidate, actor=RecruiterFactory())
    assert application.stage == Application.Stage.SCREENING
