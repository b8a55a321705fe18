"""The recruiter workspace in a real browser (Playwright driving Debian's Chromium): a recruiter logs in through
the admin login form and opens the shortlist, the pipeline board and a candidate page; a card is moved on the
board without JavaScript.  Screenshots: ``artifacts/screenshots/workspace-*.png``.

Data is made with factories (not the services), so no rescoring is enqueued and the seeded scores stay put.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from recruiting.models import Application, ApplicationStageChange, Note
from tests.factories import (
    PASSWORD,
    CandidateFactory,
    CandidateSkillFactory,
    EngineMatchScoreFactory,
    QualificationFactory,
    RecruiterFactory,
    SkillFactory,
    VacancyFactory,
    VacancySkillFactory,
)

SKILLS = {
    "Python": "required",
    "PyTorch": "required",
    "SQL": "required",
    "Kubernetes": "required",
    "Docker": "desirable",
    "Kafka": "desirable",
    "Spark": "desirable",
}

# name, e-mail, headline, score, skills the CV shows, stage (None: not applied), stale
PEOPLE = [
    (
        "Priya Natarajan",
        "priya.n@example.org",
        "Senior ML engineer, recommendations",
        91.4,
        ["Python", "PyTorch", "SQL", "Kubernetes", "Docker", "Spark"],
        "interview",
        False,
    ),
    (
        "Tomás Herrera",
        "tomas.h@example.org",
        "ML platform engineer",
        84.2,
        ["Python", "PyTorch", "SQL", "Kubernetes", "Kafka"],
        "screening",
        False,
    ),
    (
        "Grace Okafor",
        "grace.okafor@example.org",
        "Data scientist moving into MLOps",
        77.9,
        ["Python", "SQL", "Docker", "Spark"],
        "applied",
        True,
    ),
    (
        "Wei Zhang",
        "wei.zhang@example.org",
        "Research engineer, deep learning",
        72.5,
        ["Python", "PyTorch", "Docker"],
        None,
        False,
    ),
    (
        "Amelia Brooks",
        "amelia.b@example.org",
        "Backend engineer learning ML",
        63.0,
        ["Python", "SQL", "Kafka"],
        "applied",
        False,
    ),
    ("Jonas Lindqvist", "jonas.l@example.org", "Analytics engineer", 55.3, ["SQL", "Spark"], None, True),
    (
        "Fatima Rahman",
        "fatima.r@example.org",
        "Computer vision engineer",
        48.8,
        ["Python", "PyTorch"],
        "offer",
        False,
    ),
    ("Marco Bianchi", "marco.b@example.org", "BI developer", 33.1, ["SQL"], "rejected", False),
    ("Chloé Martin", "chloe.m@example.org", "Junior data analyst", 24.6, ["SQL"], None, False),
]

CV_TEXT = """Priya Natarajan — priya.n@example.org — London

Senior machine learning engineer with seven years of experience building recommendation and ranking systems.

Experience
2020 – present  Senior ML Engineer, Shopwise (London)
  • Built the PyTorch two-tower retrieval model behind "you may also like", +4.1% conversion.
  • Feature pipelines in SQL and Spark over 2 billion events a day.
  • Deployed models on Kubernetes with Docker; canary releases and drift monitoring.
2017 – 2020  Data Scientist, Analytica Ltd
  • Demand forecasting in Python (scikit-learn, LightGBM); A/B testing of pricing.

Education
MSc Computer Science (machine learning), University of Edinburgh, 2017
BSc Mathematics, University of Leeds, 2016
"""


def _ensure_groups() -> None:
    """Content types, permissions and the workspace groups, whatever an earlier transactional test's flush left
    (pytest-django does not always have serialized contents to restore)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from recruiting.permissions import hiring_managers_group_ensure, recruiters_group_ensure

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    recruiters_group_ensure()
    hiring_managers_group_ensure()


def _seed():
    _ensure_groups()
    recruiter = RecruiterFactory(username="rita.recruiter@example.com", email="rita.recruiter@example.com")
    vacancy = VacancyFactory(
        title="Senior Machine Learning Engineer — Recommendations",
        reference="MLE-2026-014",
        location="London (hybrid)",
        published_at=timezone.now() - timedelta(days=12),
    )
    skills = {name: SkillFactory(name=name, category="library") for name in SKILLS}
    for name, importance in SKILLS.items():
        VacancySkillFactory(vacancy=vacancy, skill=skills[name], importance=importance)
    other = VacancyFactory(title="Computer Vision Engineer", reference="CV-2026-003")
    now = timezone.now()
    people = {}
    for i, (name, email, headline, score, has, stage, stale) in enumerate(PEOPLE):
        candidate = CandidateFactory(
            name=name,
            email=email,
            headline=headline,
            location="London",
            reference=f"cv-{i + 101}",
            source_label="Imported CVs",
            cv_text=CV_TEXT if i == 0 else f"{name}\n{headline}.",
        )
        people[name] = candidate
        for skill in has:
            CandidateSkillFactory(
                candidate=candidate, skill=skills[skill], evidence=f"{skill} in production, {3 + i % 4} years"
            )
        matched = [
            {
                "skill": s,
                "category": "library",
                "importance": SKILLS[s],
                "weight": 0.1,
                "contribution": round(6 - j * 0.7, 1),
                "evidence": f"{s} in production, {3 + i % 4} years",
            }
            for j, s in enumerate(has)
        ]
        missing = [
            {
                "skill": s,
                "category": "library",
                "importance": imp,
                "weight": 0.1,
                "contribution": 0.0,
                "gain": 6.0 if imp == "required" else 1.5,
            }
            for s, imp in SKILLS.items()
            if s not in has
        ]
        EngineMatchScoreFactory(
            vacancy=vacancy,
            candidate=candidate,
            score=score,
            stale=stale,
            matched_skills=matched,
            missing_skills=missing,
            computed_at=now - timedelta(hours=i),
        )
        if stage:
            created = now - timedelta(days=14 - i)
            app = Application.objects.create(
                candidate=candidate,
                vacancy=vacancy,
                stage=stage,
                revealed=stage not in ("applied", "rejected"),
            )
            path = ["applied"] + {
                "screening": ["screening"],
                "interview": ["screening", "interview"],
                "offer": ["screening", "interview", "offer"],
                "rejected": ["rejected"],
            }.get(stage, [])
            previous = ""
            for k, step in enumerate(path):
                reason = {
                    "applied": "applied",
                    "screening": "Strong match on required skills",
                    "interview": "Great take-home: clean PyTorch code",
                    "offer": "Team loved the system design",
                    "rejected": "No Python experience yet",
                }[step]
                change = ApplicationStageChange.objects.create(
                    application=app,
                    from_stage=previous,
                    to_stage=step,
                    actor=None if step == "applied" else recruiter,
                    reason=reason,
                )
                ApplicationStageChange.objects.filter(pk=change.pk).update(
                    created_at=created + timedelta(days=k * 2, hours=k)
                )
                previous = step
    priya = people["Priya Natarajan"]
    EngineMatchScoreFactory(
        vacancy=other,
        candidate=priya,
        score=58.0,
        matched_skills=[
            {
                "skill": "PyTorch",
                "importance": "required",
                "weight": 0.1,
                "contribution": 6.0,
                "evidence": "Built the PyTorch two-tower retrieval model",
            }
        ],
        missing_skills=[{"skill": "OpenCV", "importance": "required", "gain": 7.0}],
    )
    QualificationFactory(candidate=priya, level=3, field="computer science")
    priya.years_experience = 7.0
    priya.cv_file.save("priya-natarajan-cv.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    Note.objects.create(
        candidate=priya,
        author=recruiter,
        application=priya.applications.first(),
        body="Phone screen: clear on trade-offs between retrieval and ranking. Wants hybrid.",
    )
    CandidateFactory(
        name="Priya Natarajan",
        email="PRIYA.N@example.org",
        reference="portal-77",
        cv_text=CV_TEXT.replace("seven years", "7 years"),
    )  # a duplicate from the portal
    return recruiter, vacancy, priya


def _login(page, base: str, recruiter) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", recruiter.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_shortlist_board_and_candidate_page(live_server, page, screenshot):
    recruiter, vacancy, priya = _seed()
    base = live_server.url
    _login(page, base, recruiter)

    page.goto(f"{base}/admin/recruiting/vacancy/{vacancy.pk}/shortlist/?blind=0")
    assert page.locator("tbody tr").count() == len(PEOPLE)
    assert page.locator("text=Priya Natarajan").first.is_visible()
    assert page.locator(".ws-histogram svg rect").count() == 10
    screenshot("workspace-01-shortlist")

    page.goto(f"{base}/admin/recruiting/vacancy/{vacancy.pk}/shortlist/?blind=1")
    assert page.locator("text=Wei Zhang").count() == 0  # not advanced: hidden
    assert page.locator("text=Priya Natarajan").count() == 1  # advanced: shown
    screenshot("workspace-02-shortlist-blind")
    page.goto(f"{base}/admin/recruiting/vacancy/{vacancy.pk}/board/?blind=0")
    assert page.locator("#stage-interview .ws-card").count() == 1

    # Move Tomás from screening to interview with the card's own form (a plain POST, no JavaScript needed).
    tomas = Application.objects.get(candidate__name="Tomás Herrera")
    card = page.locator(f"#application-{tomas.pk}")
    card.locator("select").select_option("interview")
    card.locator("input[name=reason]").fill("Strong platform experience")
    card.locator("button").click()
    page.wait_for_load_state()
    assert page.locator(f"#stage-interview #application-{tomas.pk}").count() == 1
    assert page.locator(".messagelist").inner_text().startswith("Tomás Herrera moved to interview")
    screenshot("workspace-03-board")

    page.goto(f"{base}/admin/recruiting/candidate/{priya.pk}/change/")
    dupes = page.locator(".ws-dupes")
    assert dupes.count() == 1 and "Possible duplicates (1)" in dupes.inner_text(), page.content()[:3000]
    screenshot("workspace-04-candidate")
