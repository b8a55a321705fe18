"""The recruiter workspace in the admin: who gets in, what hiring managers see, the vacancy admin (requirements,
weights, publish / close, re-extract, rescore), the candidate page (profile, CV, scores, applications with
history, notes, duplicates), applications, stage e-mail templates, scoring runs and the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse

from matching import enqueue as matching_enqueue
from matching import runs
from matching.models import MatchScore, ScoringRun
from recruiting.models import (
    Application,
    AuditLogEntry,
    Note,
    SkillOrigin,
    StageEmailTemplate,
    Vacancy,
    VacancySkill,
)
from recruiting.permissions import HIRING_MANAGERS_GROUP, RECRUITERS_GROUP
from recruiting.services import application_create, application_move, next_stage
from tests.factories import (
    PASSWORD,
    CandidateFactory,
    CandidateSkillFactory,
    EngineMatchScoreFactory,
    HiringManagerFactory,
    MatchScoreFactory,
    NoteFactory,
    RecruiterFactory,
    ScoringRunFactory,
    SkillFactory,
    UserFactory,
    VacancyFactory,
    VacancySkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter():
    return RecruiterFactory()


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def enqueued(monkeypatch):
    """Records the rescoring the admin asks for, instead of queueing it."""
    calls = {"vacancies": [], "candidates": []}
    monkeypatch.setattr(
        matching_enqueue,
        "enqueue_vacancy_scoring",
        lambda *, vacancy_id: calls["vacancies"].append(vacancy_id),
    )
    monkeypatch.setattr(
        matching_enqueue,
        "enqueue_candidate_scoring",
        lambda *, candidate_id: calls["candidates"].append(candidate_id),
    )
    return calls


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# --- who gets in --------------------------------------------------------------------------------------------


def test_groups_created_by_migrations_with_expected_permissions():
    recruiters = set(Group.objects.get(name=RECRUITERS_GROUP).permissions.values_list("codename", flat=True))
    assert {
        "view_vacancy",
        "change_vacancy",
        "add_vacancy",
        "add_qualification",
        "view_matchscore",
        "add_note",
        "change_stageemailtemplate",
    } <= recruiters
    assert not {"change_matchscore", "delete_vacancy", "view_auditlogentry"} & recruiters
    managers = set(
        Group.objects.get(name=HIRING_MANAGERS_GROUP).permissions.values_list("codename", flat=True)
    )
    assert managers == {
        "view_vacancy",
        "view_candidate",
        "view_application",
        "view_note",
        "add_note",
        "view_applicationstagechange",
        "view_experience",
        "view_matchscore",
    }


def test_default_stage_email_templates_exist_for_every_stage():
    stages = dict(StageEmailTemplate.objects.values_list("stage", "active"))
    assert set(stages) == set(Application.Stage.values)
    assert stages["withdrawn"] is False and stages["interview"] is True


@pytest.mark.parametrize(
    "factory", [RecruiterFactory, HiringManagerFactory], ids=["recruiter", "hiring-manager"]
)
def test_recruiters_and_hiring_managers_log_in_through_the_admin_login_form(client, factory):
    user = factory()
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_superuser_gets_in(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "user_kwargs",
    [
        pytest.param({"is_staff": True}, id="staff-not-in-a-group"),
        pytest.param({"is_staff": False}, id="not-staff"),
    ],
)
def test_users_outside_the_workspace_groups_are_refused(client, user_kwargs):
    user = UserFactory(**user_kwargs)
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_a_candidate_account_cannot_enter_the_admin(client):
    candidate_user = UserFactory(is_staff=False)
    candidate = CandidateFactory(user=candidate_user, email=candidate_user.email)
    vacancy = VacancyFactory()

    response = client.post(
        reverse("admin:login"), {"username": candidate_user.username, "password": PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert response.context["form"].errors

    client.force_login(candidate_user)  # even with a session from the portal
    for url in (
        reverse("admin:index"),
        reverse("admin:recruiting_vacancy_changelist"),
        change_url(candidate),
        reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]),
        reverse("admin:recruiting_vacancy_board", args=[vacancy.pk]),
        reverse("admin:recruiting_candidate_cv", args=[candidate.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url


def test_non_staff_user_in_the_group_is_refused(client):
    client.force_login(RecruiterFactory(is_staff=False))
    assert client.get(reverse("admin:index")).status_code == 302


def test_inactive_recruiter_is_refused(client):
    user = RecruiterFactory(is_active=False)
    assert not client.login(username=user.username, password=PASSWORD)


# --- hiring managers see only their vacancies ---------------------------------------------------------------


@pytest.fixture
def manager_setup(client):
    mine, other = VacancyFactory(title="Managed Role"), VacancyFactory(title="Someone Else's Role")
    manager = HiringManagerFactory(vacancies=[mine])
    applicant, outsider = CandidateFactory(name="Mine Applicant"), CandidateFactory(name="Other Applicant")
    application_create(candidate=applicant, vacancy=mine)
    application_create(candidate=outsider, vacancy=other)
    EngineMatchScoreFactory(vacancy=mine, candidate=applicant)
    EngineMatchScoreFactory(vacancy=other, candidate=outsider)
    client.force_login(manager)
    return {
        "client": client,
        "manager": manager,
        "mine": mine,
        "other": other,
        "applicant": applicant,
        "outsider": outsider,
    }


def test_hiring_manager_changelists_show_only_their_vacancies(manager_setup):
    client = manager_setup["client"]
    for url_name in (
        "admin:recruiting_vacancy_changelist",
        "admin:recruiting_application_changelist",
        "admin:matching_matchscore_changelist",
        "admin:recruiting_candidate_changelist",
    ):
        html = client.get(reverse(url_name)).content.decode()
        assert "Someone Else" not in html and "Other Applicant" not in html, url_name
    assert "Managed Role" in client.get(reverse("admin:recruiting_vacancy_changelist")).content.decode()
    assert "Mine Applicant" in client.get(reverse("admin:recruiting_candidate_changelist")).content.decode()


def test_hiring_manager_cannot_open_other_vacancies_or_their_candidates_by_url(manager_setup):
    client, other, outsider = manager_setup["client"], manager_setup["other"], manager_setup["outsider"]

    response = client.get(change_url(other))
    assert response.status_code == 302 and response.url == reverse("admin:index")  # "does not exist"
    for name in ("shortlist", "board"):
        response = client.get(reverse(f"admin:recruiting_vacancy_{name}", args=[other.pk]))
        assert response.status_code == 404
        assert "Someone Else" not in response.content.decode()
    assert client.get(change_url(outsider)).status_code == 302
    assert client.get(reverse("admin:recruiting_candidate_cv", args=[outsider.pk])).status_code == 404
    assert (
        client.post(
            reverse("admin:recruiting_candidate_note_add", args=[outsider.pk]), {"body": "sneaky"}
        ).status_code
        == 404
    )
    other_app = Application.objects.get(vacancy=other)
    assert client.get(change_url(other_app)).status_code == 302
    assert not Note.objects.exists()


def test_hiring_manager_reads_own_vacancy_without_editing_it(manager_setup):
    client, mine = manager_setup["client"], manager_setup["mine"]

    response = client.get(change_url(mine))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html
    assert reverse("admin:recruiting_vacancy_publish", args=[mine.pk]) not in html
    assert client.post(change_url(mine), {"title": "Renamed"}).status_code == 403
    for action in ("publish", "close", "reextract", "rescore"):
        assert client.post(reverse(f"admin:recruiting_vacancy_{action}", args=[mine.pk])).status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Managed Role"


def test_hiring_manager_comments_on_their_applicant(manager_setup):
    client, applicant, manager = manager_setup["client"], manager_setup["applicant"], manager_setup["manager"]

    page = client.get(change_url(applicant))
    assert page.status_code == 200
    note_url = reverse("admin:recruiting_candidate_note_add", args=[applicant.pk])
    assert f'action="{note_url}"' in page.content.decode()
    response = client.post(
        reverse("admin:recruiting_candidate_note_add", args=[applicant.pk]),
        {"body": "Strong systems design in the interview."},
    )
    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.candidate, note.author, note.body) == (
        applicant,
        manager,
        "Strong systems design in the interview.",
    )
    # They cannot merge, nor see the audit log or scoring runs.
    assert (
        client.get(reverse("admin:recruiting_candidate_merge", args=[applicant.pk, applicant.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:recruiting_auditlogentry_changelist")).status_code == 403
    assert client.get(reverse("admin:matching_scoringrun_changelist")).status_code == 403


def test_hiring_manager_sees_only_scores_for_their_vacancies_on_the_candidate_page(manager_setup):
    client, applicant, other = manager_setup["client"], manager_setup["applicant"], manager_setup["other"]
    EngineMatchScoreFactory(vacancy=other, candidate=applicant)

    html = client.get(change_url(applicant)).content.decode()

    assert "Managed Role" in html and "Someone Else" not in html


# --- vacancy admin ------------------------------------------------------------------------------------------


def _vacancy_form(vacancy: Vacancy | None = None, **overrides) -> dict:
    data = {
        "title": "Applied Scientist",
        "reference": "AS-1",
        "source": "admin",
        "description": "We use Python daily.",
        "seniority": "",
        "employment_type": "",
        "location": "",
        "remote": "",
        "salary_currency": "",
        "min_qualification_level": "",
        "min_years_experience": "",
        "skill_links-TOTAL_FORMS": "0",
        "skill_links-INITIAL_FORMS": "0",
        "qualifications-TOTAL_FORMS": "0",
        "qualifications-INITIAL_FORMS": "0",
    }
    if vacancy is not None:
        links = list(vacancy.skill_links.all())
        data.update(
            {
                "title": vacancy.title,
                "reference": vacancy.reference,
                "source": vacancy.source,
                "description": vacancy.description,
                "skill_links-TOTAL_FORMS": str(len(links)),
                "skill_links-INITIAL_FORMS": str(len(links)),
            }
        )
        for i, link in enumerate(links):
            data.update(
                {
                    f"skill_links-{i}-id": link.pk,
                    f"skill_links-{i}-vacancy": vacancy.pk,
                    f"skill_links-{i}-skill": link.skill_id,
                    f"skill_links-{i}-importance": link.importance,
                }
            )
    data.update(overrides)
    return data


def test_recruiter_creates_a_draft_vacancy_whose_skills_are_extracted(recruiter_client, enqueued):
    SkillFactory(name="Python", category="language")

    response = recruiter_client.post(reverse("admin:recruiting_vacancy_add"), _vacancy_form())

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    vacancy = Vacancy.objects.get(reference="AS-1")
    assert vacancy.status == Vacancy.Status.DRAFT
    assert list(vacancy.skill_links.values_list("skill__name", "origin")) == [("Python", "extracted")]
    assert enqueued["vacancies"] == [vacancy.pk]


def test_editing_requirements_marks_them_entered_and_rescores(recruiter_client, enqueued):
    vacancy = VacancyFactory()
    kept = VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="SQL"), origin="extracted")
    score = EngineMatchScoreFactory(vacancy=vacancy)
    kafka = SkillFactory(name="Kafka")
    data = _vacancy_form(
        vacancy,
        **{
            "skill_links-TOTAL_FORMS": "2",
            "skill_links-1-vacancy": vacancy.pk,
            "skill_links-1-skill": kafka.pk,
            "skill_links-1-importance": "desirable",
            "min_years_experience": "3",
            "min_qualification_level": "3",
            "weight_text": "0.5",
            "weight_required": "0.4",
        },
    )

    response = recruiter_client.post(change_url(vacancy), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    vacancy.refresh_from_db()
    assert vacancy.requirements_edited
    assert (vacancy.min_years_experience, vacancy.min_qualification_level) == (3.0, 3)
    assert vacancy.weights == {"required": 0.4, "text": 0.5}
    links = dict(vacancy.skill_links.values_list("skill__name", "origin"))
    assert links == {"SQL": "extracted", "Kafka": "entered"}
    assert VacancySkill.objects.get(pk=kept.pk).origin == "extracted"  # untouched rows keep their origin
    score.refresh_from_db()
    assert score.stale
    assert enqueued["vacancies"] == [vacancy.pk]


def test_changing_a_skills_importance_marks_it_entered(recruiter_client, enqueued):
    vacancy = VacancyFactory()
    link = VacancySkillFactory(vacancy=vacancy, origin="extracted", importance="required")

    recruiter_client.post(
        change_url(vacancy), _vacancy_form(vacancy, **{"skill_links-0-importance": "desirable"})
    )

    link.refresh_from_db()
    assert (link.importance, link.origin) == ("desirable", SkillOrigin.ENTERED)


@pytest.mark.parametrize(
    "weights, message",
    [
        (
            {
                f"weight_{n}": "0"
                for n in ("required", "desirable", "qualification", "experience", "profile", "text", "role")
            },
            "at least one component weight must be positive",
        ),
        ({"weight_text": "-1"}, "greater than or equal to 0"),
    ],
)
def test_invalid_component_weights_are_refused(recruiter_client, weights, message):
    vacancy = VacancyFactory()
    response = recruiter_client.post(change_url(vacancy), _vacancy_form(vacancy, **weights))
    assert response.status_code == 200
    assert message in response.content.decode()
    vacancy.refresh_from_db()
    assert vacancy.weights == {}


def test_weight_fields_cover_every_engine_component(recruiter_client):
    from matching.scoring import COMPONENTS

    vacancy = VacancyFactory(weights={"profile": 0.6})
    form = recruiter_client.get(change_url(vacancy)).context["adminform"].form
    assert [f"weight_{n}" for n in COMPONENTS] == [f for f in form.fields if f.startswith("weight_")]
    assert form.fields["weight_profile"].initial == 0.6


def test_publish_and_close_buttons_use_the_services(recruiter_client, enqueued, recruiter):
    vacancy = VacancyFactory(status=Vacancy.Status.DRAFT)

    response = recruiter_client.post(reverse("admin:recruiting_vacancy_publish", args=[vacancy.pk]))
    assert response.status_code == 302 and response.url == change_url(vacancy)
    vacancy.refresh_from_db()
    assert vacancy.status == "open" and vacancy.published_at is not None
    assert enqueued["vacancies"] == [vacancy.pk]

    recruiter_client.post(reverse("admin:recruiting_vacancy_close", args=[vacancy.pk]))
    vacancy.refresh_from_db()
    assert vacancy.status == "closed"
    assert (
        recruiter_client.get(reverse("admin:recruiting_vacancy_close", args=[vacancy.pk])).status_code == 405
    )


def test_publish_and_close_changelist_actions(recruiter_client, enqueued):
    draft = VacancyFactory(status=Vacancy.Status.DRAFT)
    closed = VacancyFactory(status=Vacancy.Status.CLOSED)
    untouched = VacancyFactory(status=Vacancy.Status.DRAFT)

    def run(action, vacancies):
        return recruiter_client.post(
            reverse("admin:recruiting_vacancy_changelist"),
            {"action": action, "_selected_action": [v.pk for v in vacancies]},
            follow=True,
        )

    assert "2 vacancies published." in run("publish", [draft, closed]).content.decode()
    for v in (draft, closed, untouched):
        v.refresh_from_db()
    assert (draft.status, closed.status, untouched.status) == ("open", "open", "draft")
    assert draft.published_at is not None
    assert "1 vacancy closed." in run("close", [draft]).content.decode()
    draft.refresh_from_db()
    assert draft.status == "closed"
    assert "Rescoring queued for 2 vacancies" in run("rescore", [draft, closed]).content.decode()
    assert sorted(enqueued["vacancies"][-2:]) == sorted([draft.pk, closed.pk])


def test_reextract_keeps_entered_skills_and_rescore_enqueues(recruiter_client, enqueued):
    SkillFactory(name="Python", category="language")
    vacancy = VacancyFactory(description="Python every day.")
    entered = VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="Rust"), origin="entered")
    VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="Fortran"), origin="extracted")

    response = recruiter_client.post(
        reverse("admin:recruiting_vacancy_reextract", args=[vacancy.pk]), follow=True
    )

    assert "Requirements re-extracted" in response.content.decode()
    assert dict(vacancy.skill_links.values_list("skill__name", "origin")) == {
        "Python": "extracted",
        "Machine learning": "extracted",  # named by the title ("Machine Learning Engineer …"), so required
        "Rust": "entered",
    }
    assert VacancySkill.objects.filter(pk=entered.pk).exists()
    recruiter_client.post(reverse("admin:recruiting_vacancy_rescore", args=[vacancy.pk]))
    assert enqueued["vacancies"] == [vacancy.pk, vacancy.pk]


def test_vacancy_change_page_links_shortlist_and_board_with_histogram(recruiter_client):
    vacancy = VacancyFactory()
    EngineMatchScoreFactory.create_batch(3, vacancy=vacancy)

    html = recruiter_client.get(change_url(vacancy)).content.decode()

    assert reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]) in html
    assert reverse("admin:recruiting_vacancy_board", args=[vacancy.pk]) in html
    assert "3 scored candidates" in html and "<svg viewBox" in html
    assert "Re-extract from the description" in html and ">Rescore<" in html and ">Publish<" in html


def test_vacancy_changelist_shows_score_stats_and_workspace_links(recruiter_client):
    vacancy = VacancyFactory(title="Senior MLE")
    MatchScoreFactory(vacancy=vacancy, skills_score=100, qualifications_score=100, text_score=100)
    VacancyFactory(title="Unscored role")

    html = recruiter_client.get(reverse("admin:recruiting_vacancy_changelist")).content.decode()

    assert "Senior MLE" in html and "Unscored role" in html
    assert "100.0" in html and "£70,000–£90,000" in html
    assert reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]) in html


# --- candidate page -----------------------------------------------------------------------------------------


def test_candidate_page_shows_profile_cv_scores_applications_history_and_notes(recruiter_client, recruiter):
    candidate = CandidateFactory(
        name="Grace Page",
        email="grace@example.org",
        headline="ML engineer",
        location="Leeds",
        cv_text="<script>alert(1)</script> Python engineer",
        self_reported_group="SECRET-GROUP-ANSWER",
    )
    CandidateSkillFactory(candidate=candidate, skill=SkillFactory(name="PyTorch"))
    best = EngineMatchScoreFactory(
        candidate=candidate, vacancy=VacancyFactory(title="Best Fit Role"), score=90.0
    )
    EngineMatchScoreFactory(
        candidate=candidate, vacancy=VacancyFactory(title="Worse Fit Role"), score=20.0, stale=True
    )
    app = application_create(candidate=candidate, vacancy=best.vacancy)
    application_move(application=app, to_stage="interview", actor=recruiter, reason="excellent portfolio")
    NoteFactory(candidate=candidate, author=recruiter, body="Prefers hybrid work.")

    response = recruiter_client.get(change_url(candidate))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Grace Page" in html and "ML engineer" in html and "Leeds" in html and "PyTorch" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)</script>" not in html
    assert html.index("Best Fit Role") < html.index("Worse Fit Role")
    assert "Skill profile" in html and "Kubernetes" in html and "stale" in html
    assert "Applied → <strong>Interview</strong>" in html
    assert "excellent portfolio" in html and recruiter.username in html
    assert "Prefers hybrid work." in html
    assert "SECRET-GROUP-ANSWER" not in html  # the equal-opportunities answer is never shown
    entry = AuditLogEntry.objects.get(action="view_cv")
    assert (entry.actor, entry.object_id, entry.detail) == (
        recruiter,
        str(candidate.pk),
        {"via": "candidate page"},
    )


def test_candidate_changelist_never_shows_cv_text_nor_logs_a_view(recruiter_client):
    candidate = CandidateFactory(name="Grace", cv_text="SECRET-CV-CONTENT")
    MatchScoreFactory(candidate=candidate)

    html = recruiter_client.get(
        reverse("admin:recruiting_candidate_changelist"), {"q": "Grace"}
    ).content.decode()

    assert "Grace" in html and "SECRET-CV-CONTENT" not in html
    assert not AuditLogEntry.objects.exists()


def test_cv_file_download_is_permission_checked_streamed_and_logged(recruiter_client, recruiter):
    candidate = CandidateFactory()
    candidate.cv_file.save("ada-cv.pdf", ContentFile(b"%PDF-1.4 fake cv"), save=True)

    response = recruiter_client.get(reverse("admin:recruiting_candidate_cv", args=[candidate.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fake cv"
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition and f"cv-{candidate.reference}".lower() in disposition.lower()
    assert "ada-cv" not in candidate.cv_file.name  # stored under a random name
    entry = AuditLogEntry.objects.get(action="view_cv")
    assert entry.actor == recruiter and entry.detail == {"via": "file download"}
    page = recruiter_client.get(change_url(candidate)).content.decode()
    assert reverse("admin:recruiting_candidate_cv", args=[candidate.pk]) in page
    assert "/media/" not in page  # never a direct link to storage
    no_file = CandidateFactory()
    assert (
        recruiter_client.get(reverse("admin:recruiting_candidate_cv", args=[no_file.pk])).status_code == 404
    )


def test_note_form_adds_a_note_about_an_application(recruiter_client, recruiter):
    candidate = CandidateFactory()
    app = application_create(candidate=candidate, vacancy=VacancyFactory(title="Noted Role"))
    url = reverse("admin:recruiting_candidate_note_add", args=[candidate.pk])

    response = recruiter_client.post(url, {"body": "Call back on Monday", "application": app.pk})

    assert response.status_code == 302 and response.url.endswith("#notes")
    note = Note.objects.get()
    assert (note.author, note.application, note.body) == (recruiter, app, "Call back on Monday")
    recruiter_client.post(url, {"body": "   "})
    assert Note.objects.count() == 1
    other_app = application_create(candidate=CandidateFactory(), vacancy=app.vacancy)
    recruiter_client.post(url, {"body": "wrong one", "application": other_app.pk})
    assert Note.objects.count() == 1
    assert recruiter_client.get(url).status_code == 405


def test_candidate_page_lists_duplicates_and_merge_confirms_then_merges(recruiter_client):
    keep = CandidateFactory(name="Ada Keep", email="ada@example.org")
    dupe = CandidateFactory(name="Ada Dupe", email="ADA@example.org")
    NoteFactory(candidate=dupe, body="From the duplicate")
    CandidateFactory(name="Unrelated", email="someone@example.org", cv_text="Completely different: COBOL.")

    html = recruiter_client.get(change_url(keep)).content.decode()
    merge_url = reverse("admin:recruiting_candidate_merge", args=[keep.pk, dupe.pk])
    assert "Possible duplicates (1)" in html and "same e-mail address" in html and merge_url in html
    assert "Unrelated" not in html

    confirm = recruiter_client.get(merge_url)
    assert confirm.status_code == 200 and "1 note" in confirm.content.decode()
    response = recruiter_client.post(merge_url)
    assert response.status_code == 302 and response.url == change_url(keep)
    assert not type(keep).objects.filter(pk=dupe.pk).exists()
    assert Note.objects.filter(candidate=keep, body="From the duplicate").exists()
    assert AuditLogEntry.objects.filter(action="merge", object_id=str(keep.pk)).exists()


# --- applications, stage e-mails, scoring runs, audit log ---------------------------------------------------


def test_application_admin_is_read_only_with_history(recruiter_client, recruiter):
    app = application_create(candidate=CandidateFactory(), vacancy=VacancyFactory())
    application_move(application=app, to_stage="screening", actor=recruiter, reason="looks promising")

    page = recruiter_client.get(change_url(app))

    html = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in html
    assert "looks promising" in html and "Stage history" in html
    assert recruiter_client.get(reverse("admin:recruiting_application_add")).status_code == 403
    assert recruiter_client.post(change_url(app), {"stage": "hired"}).status_code == 403
    app.refresh_from_db()
    assert app.stage == "screening"


def test_stage_email_templates_are_editable_and_validated(recruiter_client):
    template = StageEmailTemplate.objects.get(stage="interview")
    url = change_url(template)
    page = recruiter_client.get(url).content.decode()
    assert "candidate.name" in page and "Ada Example" in page  # variables and a preview

    ok = recruiter_client.post(
        url, {"subject": "Interview: {{ vacancy.title }}", "body": "Hi {{ candidate.name }}", "active": "on"}
    )
    assert ok.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Interview: {{ vacancy.title }}"

    for bad in ("{% if %}", '{% include "admin/base.html" %}', "{% load static %}", "{% debug %}"):
        response = recruiter_client.post(url, {"subject": "x", "body": bad, "active": "on"})
        assert response.status_code == 200 and "Template error" in response.content.decode(), bad


def test_scoring_runs_list_progress_duration_errors_and_start_button(recruiter_client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    started = timezone.now() - timedelta(minutes=3)
    ScoringRunFactory(total=1000, done=250)
    ScoringRunFactory(
        status="done", total=80, done=80, started_at=started, finished_at=started + timedelta(seconds=95)
    )
    ScoringRunFactory(status="failed", error="DatabaseError: connection lost\nTraceback …")

    html = recruiter_client.get(reverse("admin:matching_scoringrun_changelist")).content.decode()
    assert "250 of 1,000" in html and "(25%)" in html
    assert "1m 35s" in html
    assert "DatabaseError: connection lost" in html
    assert "Start a full rescore" in html

    started_runs = []

    def fake_start(*, scope="all", **kwargs):
        started_runs.append(scope)
        return ScoringRun.objects.create(scope=scope, total=10, chunks_total=1)

    monkeypatch.setattr(runs, "scoring_run_start", fake_start)
    response = recruiter_client.post(reverse("admin:matching_scoringrun_start"), follow=True)
    assert started_runs == ["all"]
    assert "Full rescore started" in response.content.decode()
    assert recruiter_client.get(reverse("admin:matching_scoringrun_start")).status_code == 405


def test_full_rescore_message_does_not_claim_a_chunk_count_before_planning(recruiter_client):
    """Issue 13: the message said "in 0 chunks" on every start, because a worker plans the chunks only after the
    request commits; it now gives the run and its pairs and says the chunks are being planned."""
    VacancyFactory.create_batch(2)
    CandidateFactory.create_batch(3)
    response = recruiter_client.post(reverse("admin:matching_scoringrun_start"), follow=True)
    html = response.content.decode()
    run = ScoringRun.objects.get()
    assert f"Full rescore started (run {run.pk}): 6 pairs; a worker is planning its chunks." in html
    assert "0 chunks" not in html


def test_only_recruiters_start_a_full_rescore(client, monkeypatch):
    monkeypatch.setattr(runs, "scoring_run_start", lambda **kw: pytest.fail("must not start"))
    client.force_login(HiringManagerFactory())
    assert client.post(reverse("admin:matching_scoringrun_start")).status_code == 403


def test_audit_log_is_readable_by_the_superuser_only(client, recruiter):
    AuditLogEntry.objects.create(actor=recruiter, action="export", object_type="vacancy", object_id="7")

    client.force_login(recruiter)
    assert client.get(reverse("admin:recruiting_auditlogentry_changelist")).status_code == 403
    assert "Audit log" not in client.get(reverse("admin:index")).content.decode()

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:recruiting_auditlogentry_changelist"))
    assert response.status_code == 200 and "export" in response.content.decode()
    entry = AuditLogEntry.objects.get()
    page = client.get(change_url(entry)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:recruiting_auditlogentry_add")).status_code == 403


def test_matchscore_admin_is_read_only(recruiter_client):
    score = MatchScoreFactory()
    page = recruiter_client.get(change_url(score))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert recruiter_client.get(reverse("admin:matching_matchscore_add")).status_code == 403
    assert MatchScore.objects.count() == 1


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:matching_skill_changelist",
        "admin:recruiting_application_changelist",
        "admin:recruiting_candidate_add",
        "admin:recruiting_vacancy_add",
        "admin:recruiting_stageemailtemplate_changelist",
        "admin:index",
    ],
)
def test_other_admin_pages_render(recruiter_client, url_name):
    VacancySkillFactory()
    assert recruiter_client.get(reverse(url_name)).status_code == 200


def test_skill_search_finds_aliases(recruiter_client):
    SkillFactory(name="scikit-learn", aliases=["sklearn", "scikit learn"])
    SkillFactory(name="PyTorch", aliases=["torch"])
    html = recruiter_client.get(reverse("admin:matching_skill_changelist"), {"q": "sklearn"}).content.decode()
    assert "scikit-learn" in html and "PyTorch" not in html


def test_next_stage_follows_the_pipeline():
    assert [next_stage(s) for s in ("applied", "screening", "interview", "offer", "hired", "rejected")] == [
        "screening",
        "interview",
        "offer",
        "hired",
        None,
        None,
    ]


def test_groups_from_migrations_match_the_live_permission_tables():
    from recruiting.permissions import HIRING_MANAGER_PERMISSIONS, RECRUITER_PERMISSIONS

    def codenames(table):
        return {f"{action}_{model}" for (_, model), actions in table.items() for action in actions}

    for name, table in (
        (RECRUITERS_GROUP, RECRUITER_PERMISSIONS),
        (HIRING_MANAGERS_GROUP, HIRING_MANAGER_PERMISSIONS),
    ):
        group = Group.objects.get(name=name)
        assert set(group.permissions.values_list("codename", flat=True)) == codenames(table), name


def test_candidate_and_vacancy_pages_show_the_detected_language(recruiter_client):
    candidate = CandidateFactory(language="de")
    vacancy = VacancyFactory(language="")
    page = recruiter_client.get(change_url(candidate)).content.decode()
    assert "CV language" in page and "German (de)" in page
    page = recruiter_client.get(change_url(vacancy)).content.decode()
    assert "Language" in page and "— (not detected)" in page


# --- blind review on the admin's lists and change pages (issue 16, finding 9) -------------------------------


@pytest.fixture
def blind_pair():
    """A candidate who applied (not advanced) and is scored, and the admin pages that name them."""
    vacancy = VacancyFactory()
    candidate = CandidateFactory(name="Zelda Concealed", email="zelda@example.org", reference="zelda-cv.pdf")
    score = EngineMatchScoreFactory(vacancy=vacancy, candidate=candidate, score=77.0)
    application = application_create(candidate=candidate, vacancy=vacancy)
    urls = {
        "application list": reverse("admin:recruiting_application_changelist"),
        "match-score list": reverse("admin:matching_matchscore_changelist"),
        "application change page": change_url(application),
        "application history": reverse("admin:recruiting_application_history", args=[application.pk]),
        "match-score change page": change_url(score),
    }
    return candidate, application, urls


def _blind(client, on: bool):
    client.get(reverse("admin:recruiting_application_changelist") + f"?blind={int(on)}")


def test_blind_review_hides_the_name_on_every_admin_page_that_names_a_candidate(recruiter_client, blind_pair):
    candidate, _, urls = blind_pair
    _blind(recruiter_client, True)
    for page, url in urls.items():
        response = recruiter_client.get(url)
        assert response.status_code == 200, page
        html = response.content.decode()
        for secret in ("Zelda", "zelda@example.org", "zelda-cv.pdf"):
            assert secret not in html, f"{secret!r} on the {page}"
        assert f"Candidate #{candidate.pk}" in html, page


def test_without_blind_review_the_admin_pages_show_the_name(recruiter_client, blind_pair):
    _, _, urls = blind_pair
    _blind(recruiter_client, False)
    for page, url in urls.items():
        assert "Zelda Concealed" in recruiter_client.get(url).content.decode(), page


def test_blind_review_in_the_admin_reveals_advanced_candidates(recruiter_client, recruiter, blind_pair):
    _, application, urls = blind_pair
    application_move(application=application, to_stage="screening", actor=recruiter, reason="advanced")
    assert Application.objects.get(pk=application.pk).revealed
    _blind(recruiter_client, True)
    for page, url in urls.items():
        assert "Zelda Concealed" in recruiter_client.get(url).content.decode(), page


def test_blind_review_switched_on_the_shortlist_holds_in_the_admin_and_name_search_is_off(
    recruiter_client, blind_pair
):
    candidate, application, urls = blind_pair
    recruiter_client.get(
        reverse("admin:recruiting_vacancy_shortlist", args=[application.vacancy_id]) + "?blind=1"
    )
    assert "Zelda" not in recruiter_client.get(urls["application list"]).content.decode()
    # A name search would tell which row is Zelda: with blind review on it no longer matches names.
    html = recruiter_client.get(urls["application list"] + "?q=Zelda").content.decode()
    assert f"Candidate #{candidate.pk}" not in html
    html = recruiter_client.get(urls["match-score list"] + "?q=Zelda").content.decode()
    assert f"Candidate #{candidate.pk}" not in html


def test_an_application_shows_and_filters_by_its_source(recruiter_client):
    vacancy = VacancyFactory()
    sourced = application_create(candidate=CandidateFactory(), vacancy=vacancy, source="sourced")
    application_create(candidate=CandidateFactory(), vacancy=vacancy, source="portal")
    page = recruiter_client.get(change_url(sourced)).content.decode()
    assert "Recruiter-sourced" in page
    listing = recruiter_client.get(reverse("admin:recruiting_application_changelist"), {"source": "sourced"})
    assert listing.context["cl"].result_count == 1
