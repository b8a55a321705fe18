"""The hiring reports in a real browser (Playwright driving Debian's Chromium): a recruiter opens the Reports menu
and each report — funnel, time in stage, candidates by source, score vs decision — filters one by vacancy, and
exports a CSV.  Screenshots: ``artifacts/screenshots/report-*.png``.

The pipeline is made with the ORM (no rescoring is enqueued) from a seeded random generator: three vacancies,
60 applications from the four sources, with moves back, withdrawals and 30+ hire / reject decisions whose scores
lean towards the hired, so the score report shows a ROC AUC with its interval.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from recruiting.models import Application, ApplicationStageChange
from tests.browser.test_workspace_screens import _ensure_groups, _login
from tests.factories import CandidateFactory, MatchScoreFactory, RecruiterFactory, VacancyFactory

PIPELINE = ["applied", "screening", "interview", "offer", "hired"]
SOURCES = ["portal", "portal", "portal", "api", "import", "sourced"]


def _seed():
    _ensure_groups()
    rng = random.Random(14)
    recruiter = RecruiterFactory(username="rita.recruiter@example.com", email="rita.recruiter@example.com")
    vacancies = [
        VacancyFactory(title="Senior Machine Learning Engineer", reference="MLE-2026-014"),
        VacancyFactory(title="Machine Learning Engineer", reference="MLE-2026-021"),
        VacancyFactory(title="Computer Vision Engineer", reference="CV-2026-003"),
    ]
    start = timezone.now() - timedelta(days=90)
    for i in range(60):
        vacancy = vacancies[i % 3]
        source = rng.choice(SOURCES)
        candidate = CandidateFactory(name=f"Applicant {i}")
        day = rng.uniform(0, 60)
        history = [("applied", day)]
        furthest = rng.choices(range(5), weights=[30, 25, 20, 10, 15])[0]
        for stage in PIPELINE[1 : furthest + 1]:
            day += rng.uniform(0.5, 9)
            history.append((stage, day))
        if furthest == 2 and rng.random() < 0.3:  # a move back to screening
            day += rng.uniform(1, 4)
            history.append(("screening", day))
        if furthest < 4:
            day += rng.uniform(1, 6)
            history.append(("withdrawn" if rng.random() < 0.15 else "rejected", day))
        final = history[-1][0]
        app = Application.objects.create(
            candidate=candidate, vacancy=vacancy, stage=final, source=source, revealed=furthest > 0
        )
        Application.objects.filter(pk=app.pk).update(created_at=start + timedelta(days=history[0][1]))
        previous = ""
        for stage, when in history:
            change = ApplicationStageChange.objects.create(
                application=app,
                from_stage=previous,
                to_stage=stage,
                actor=None if stage == "applied" else recruiter,
            )
            ApplicationStageChange.objects.filter(pk=change.pk).update(
                created_at=start + timedelta(days=when)
            )
            previous = stage
        lean = 18 if final == "hired" else 0
        MatchScoreFactory(
            vacancy=vacancy, candidate=candidate, score=round(min(max(rng.gauss(52 + lean, 14), 1), 99), 1)
        )
    return recruiter, vacancies


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_hiring_report_in_the_browser(live_server, page, screenshot):
    recruiter, vacancies = _seed()
    base = live_server.url
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{page.url}: {message.text}"))
    _login(page, base, recruiter)

    menu = page.locator("a", has_text="Pipeline funnel")
    assert menu.count() == 1
    screenshot("report-00-menu")
    menu.click()
    page.wait_for_url(f"{base}/admin/reports/funnel/")
    assert page.locator(".ws-bars svg rect.bar--main").count() == 5
    assert page.locator(".ws-report-table tbody tr").count() == 4  # overall + three vacancies
    screenshot("report-01-funnel")

    page.select_option("#id_vacancy", str(vacancies[0].pk))
    page.click("button:has-text('Show')")
    page.wait_for_load_state()
    assert page.locator(".ws-report-table tbody tr").count() == 2
    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert download.value.suggested_filename.startswith("report-funnel-")
    screenshot("report-02-funnel-one-vacancy")

    page.goto(f"{base}/admin/reports/time-in-stage/")
    assert page.locator(".ws-bars svg rect.bar--light").count() == 5
    assert "Time to hire" in page.locator(".ws-report-table").inner_text()
    screenshot("report-03-time-in-stage")

    page.goto(f"{base}/admin/reports/sources/")
    table = page.locator(".ws-report-table").inner_text()
    assert all(label in table for label in ("Portal", "API", "Import", "Recruiter-sourced"))
    screenshot("report-04-sources")

    page.goto(f"{base}/admin/reports/scores/")
    auc = page.locator("#auc").inner_text()
    assert "ROC AUC" in auc and "bootstrap interval" in auc, auc
    assert page.locator(".ws-bars svg rect.bar--first").count() == 10
    screenshot("report-05-scores")

    page.goto(f"{base}/admin/reports/scores/?date_from=2000-01-01&date_to=2000-01-31")
    assert "Not enough decisions yet (0 of 20)" in page.locator("#auc").inner_text()
    screenshot("report-06-scores-not-enough")
    assert not [m for m in console if "Content Security Policy" in m], console  # charts need no inline script
