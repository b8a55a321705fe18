"""Regression tests of the defects a new user hit (issue 14, "Defects" 1–8), one section per defect, each
asserting what the user sees: pages, e-mails, command output, the README."""

from __future__ import annotations

import csv
import io
import logging
import re
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from recruiting.models import Application, AuditLogEntry, Candidate, Vacancy
from recruiting.services import application_create, audit_log, shortlist_advance, vacancy_upsert
from tests.factories import (
    CandidateFactory,
    EngineMatchScoreFactory,
    RecruiterFactory,
    UserFactory,
    VacancyFactory,
    engine_components,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def recruiter_client(client):
    client.force_login(RecruiterFactory())
    return client


# --- 1. a component that does not apply reads "n/a" with an empty bar everywhere -------------------------------
def _score_without_experience_or_desirable(vacancy):
    components = engine_components(60.0)
    for c in components:
        if c["name"] == "experience":
            c.update(score=100.0, weight=0.0, points=0.0)  # no minimum years: the engine fills in 100
        if c["name"] == "desirable":
            c.update(score=0.0, weight=0.0, points=0.0)  # no desirable skills
    return EngineMatchScoreFactory(
        vacancy=vacancy,
        candidate=CandidateFactory(name="Nora Na"),
        score=60.0,
        explanation={"state": "scored", "reason": "", "components": components},
    )


@pytest.mark.django_db
def test_1_experience_na_is_drawn_empty_like_desirable_na_and_exported_as_na(recruiter_client):
    vacancy = VacancyFactory(min_years_experience=None)
    score = _score_without_experience_or_desirable(vacancy)
    url = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    html = recruiter_client.get(url).content.decode()
    for name in ("experience", "desirable"):
        item = re.search(rf'<li class="ws-c-{name} na"[^>]*>.*?</li>', html, re.DOTALL)
        assert item, f"{name} is not marked n/a"
        assert 'style="width: 0.0%"' in item.group(0)
        assert ">n/a<" in item.group(0)
        assert "100/100" not in item.group(0)
    response = recruiter_client.post(url, {"action": "export", "candidate_ids": [score.candidate_id]})
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["experience"] == "n/a" and row["desirable"] == "n/a"
    assert row["required"] not in ("", "n/a")


# --- 2. the day rate keeps its own currency ---------------------------------------------------------------------
@pytest.mark.django_db
def test_2_a_day_rate_in_pounds_is_shown_in_pounds_beside_a_salary_in_dollars(client):
    vacancy, _ = vacancy_upsert(
        source="import",
        reference="004",
        title="Machine learning engineer",
        description="Machine learning engineer\nIn the US a machine learning engineer makes an average pay of "
        "$110,909 per year. The pay for contract work is about £450 per day.",
    )
    assert vacancy.day_rate_currency == "GBP"
    html = client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "£450 per day" in html and "$450" not in html
    client.force_login(RecruiterFactory())
    listing = client.get(reverse("admin:recruiting_vacancy_changelist")).content.decode()
    assert "$450" not in listing


# --- 3. applying sends the "applied" e-mail --------------------------------------------------------------------
@pytest.fixture
def applicant():
    user = UserFactory(username="ada@example.com", email="ada@example.com")
    return CandidateFactory(
        user=user, name="Ada Lovelace", email="ada@example.com", source="portal", reference=f"user-{user.pk}"
    )


@pytest.mark.django_db
def test_3_applying_in_the_portal_sends_the_applied_email(
    client, applicant, django_capture_on_commit_callbacks
):
    vacancy = VacancyFactory(title="ML engineer")
    client.force_login(applicant.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:vacancy_apply", args=[vacancy.pk]), {"cover_note": "Hello"})
    assert Application.objects.filter(candidate=applicant, vacancy=vacancy).exists()
    assert [m.subject for m in mail.outbox] == ["We have your application for ML engineer"]
    assert mail.outbox[0].to == ["ada@example.com"]


@pytest.mark.django_db
def test_3_applying_through_the_api_sends_the_applied_email(applicant, django_capture_on_commit_callbacks):
    vacancy = VacancyFactory(title="ML engineer")
    api = APIClient()
    api.force_authenticate(applicant.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/applications/", {"vacancy": vacancy.pk}, format="json")
    assert response.status_code == 201, response.content
    assert [m.subject for m in mail.outbox] == ["We have your application for ML engineer"]


@pytest.mark.django_db
def test_3_a_sourced_candidate_gets_no_applied_email_only_the_screening_one(
    applicant, django_capture_on_commit_callbacks
):
    vacancy = VacancyFactory(title="ML engineer")
    with django_capture_on_commit_callbacks(execute=True):
        shortlist_advance(vacancy=vacancy, candidate=applicant, actor=RecruiterFactory())
    assert len(mail.outbox) == 1
    assert (
        "application for ML engineer" not in mail.outbox[0].subject or "screen" in mail.outbox[0].body.lower()
    )
    assert mail.outbox[0].subject != "We have your application for ML engineer"


# --- 4. the printed login URL has make run's port ---------------------------------------------------------------
@pytest.mark.django_db
def test_4_bootstrap_demo_prints_the_login_url_with_the_port_make_run_uses():
    out = io.StringIO()
    call_command(
        "bootstrap_demo", "--samples", "--no-score", "--host", "127.0.0.1", "--port", "8701", stdout=out
    )
    assert "http://127.0.0.1:8701/admin/" in out.getvalue()
    assert ":8000/" not in out.getvalue()
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8701"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "bootstrap_demo --host 127.0.0.1 --port 8701" in dry_run
    assert "runserver 127.0.0.1:8701" in dry_run


# --- 5. a quiet start-up ----------------------------------------------------------------------------------------
@pytest.fixture
def restore_broker():
    from recruiting.celery import app

    before = app.conf.broker_url
    yield
    app.conf.broker_url = before


@pytest.mark.parametrize("debug, expected", [(True, 0), (False, 1)])
def test_5_the_eager_mode_warning_is_for_production_only(settings, caplog, restore_broker, debug, expected):
    settings.CELERY_BROKER_URL = ""
    settings.DEBUG = debug
    with caplog.at_level(logging.WARNING, logger="recruiting"):
        apps.get_app_config("recruiting").ready()
    warnings = [r for r in caplog.records if "No CELERY_BROKER_URL" in r.getMessage()]
    assert len(warnings) == expected


def _hostname_warnings(caplog, broker_url_fix: bool) -> list:
    from celery import Celery

    from recruiting.apps import use_in_process_broker

    app = Celery("issue14-start-up", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = None  # what an empty CELERY_BROKER_URL gives Celery
    if broker_url_fix:
        use_in_process_broker(app, "")
    caplog.clear()
    with caplog.at_level(logging.WARNING), app.producer_or_acquire():
        pass
    return [r for r in caplog.records if "No hostname was supplied" in r.getMessage()]


def test_5_publishing_an_eager_task_without_a_broker_does_not_warn_about_a_hostname(caplog, monkeypatch):
    # Celery falls back to the CELERY_BROKER_URL environment variable (set in CI): a machine with no broker has none
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert _hostname_warnings(caplog, broker_url_fix=False)  # the noise make run printed
    assert not _hostname_warnings(caplog, broker_url_fix=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the run's tasks are enqueued on commit
def test_5_score_wait_reports_the_time_the_scoring_took(monkeypatch):
    import time

    from matching import runs

    CandidateFactory(cv_text="Python and PyTorch engineer with five years of model training and deployment.")
    VacancyFactory()
    real_start = runs.scoring_run_start

    def slow_start(**kwargs):  # in eager mode the scoring happens inside scoring_run_start
        time.sleep(0.4)
        return real_start(**kwargs)

    monkeypatch.setattr(runs, "scoring_run_start", slow_start)
    out = io.StringIO()
    call_command("score", "--all", "--wait", "--timeout", "60", stdout=out)
    seconds = float(re.search(r"match scores in ([\d.]+) s", out.getvalue()).group(1))
    assert seconds >= 0.4


# --- 6. the fairness report ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_6_fairness_report_names_vacancies_by_reference_and_status_and_leaves_out_sourced_candidates(
    recruiter_client,
):
    open_one = VacancyFactory(title="Machine learning engineer", reference="MLE-OPEN")
    VacancyFactory(title="Machine learning engineer", reference="MLE-OLD", status=Vacancy.Status.CLOSED)
    recruiter = RecruiterFactory()
    applied = CandidateFactory(self_reported_group="A")
    application_create(candidate=applied, vacancy=open_one)
    for _ in range(3):
        shortlist_advance(
            vacancy=open_one, candidate=CandidateFactory(self_reported_group="A"), actor=recruiter
        )
    response = recruiter_client.get(reverse("fairness_report") + f"?vacancy={open_one.pk}")
    html = response.content.decode()
    assert "Machine learning engineer · MLE-OPEN · open" in html
    assert "Machine learning engineer · MLE-OLD · closed" in html
    rows = response.context["rows"]
    assert [(r.group, r.considered, r.selected) for r in rows] == [("A", 1, 0)]
    assert Application.objects.filter(source=Application.Source.SOURCED).count() == 3


# --- 7. errors and dead ends ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_7_a_recruiter_opening_the_audit_log_gets_a_page_that_explains(recruiter_client):
    response = recruiter_client.get(reverse("admin:recruiting_auditlogentry_changelist"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You don't have access to this page" in html
    assert "superusers only" in html and 'rel="stylesheet"' in html


@pytest.mark.django_db
def test_7_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


@pytest.mark.django_db
def test_7_the_workspace_login_asks_for_an_email_address(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert "E-mail address" in html
    assert ">Username:<" not in html and "Username" not in html


@pytest.mark.django_db
def test_7_the_api_has_a_root_listing_its_collections(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["vacancies"].endswith("/api/v1/vacancies/") and body["schema"].endswith("/api/schema/")
    browsable = client.get("/api/v1/vacancies/", HTTP_ACCEPT="text/html").content.decode()
    assert "Not Found" not in browsable


@pytest.mark.django_db
def test_7_the_audit_log_shows_its_detail_in_words(client):
    admin_user = get_user_model().objects.create_superuser(
        "root@example.com", "root@example.com", "pw-12345678"
    )
    vacancy = VacancyFactory()
    audit_log(
        actor=admin_user,
        action="export",
        obj=vacancy,
        detail={"format": "csv", "rows": 12, "blind": True, "candidate_ids": list(range(1, 13))},
    )
    client.force_login(admin_user)
    html = client.get(reverse("admin:recruiting_auditlogentry_changelist")).content.decode()
    assert (
        "blind: yes · candidate ids: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 +2 more · format: csv · rows: 12" in html
    )
    assert "{&quot;format&quot;" not in html and '{"format"' not in html


@pytest.mark.django_db
def test_7_an_imported_open_vacancy_has_a_publication_time(recruiter_client, tmp_path):
    (tmp_path / "V1.txt").write_text("MLE\nWe need Python and PyTorch.", encoding="utf-8")
    call_command("import_vacancies", str(tmp_path / "V1.txt"), stdout=io.StringIO())
    vacancy = Vacancy.objects.get(reference="V1")
    assert vacancy.status == Vacancy.Status.OPEN and vacancy.published_at is not None
    html = recruiter_client.get(
        reverse("admin:recruiting_vacancy_change", args=[vacancy.pk])
    ).content.decode()
    published = re.search(r"Published at:</label>\s*<div class=\"readonly\">([^<]*)</div>", html)
    assert published and published.group(1).strip() not in ("", "-")


# --- 8. the README --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_8_the_readme_has_one_api_section_and_its_superuser_command_gives_the_audit_log(client, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## API$", readme, re.MULTILINE)) == 1
    assert "--noinput" in readme and "createsuperuser" in readme
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase 123")
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "admin@example.com",
        "--email",
        "admin@example.com",
        stdout=io.StringIO(),
    )
    assert client.login(username="admin@example.com", password="a long passphrase 123")
    assert client.get(reverse("admin:recruiting_auditlogentry_changelist")).status_code == 200
    assert Candidate.objects.count() == 0 and AuditLogEntry.objects.count() == 0
