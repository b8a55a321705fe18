"""The candidate's path through the portal in a real browser (Playwright driving Debian's Chromium):

sign up → verify the e-mail (link read from the test outbox) → upload a CV → confirm the skills → browse →
see "your match" → apply → see the application in "My applications".

Every step is saved as a screenshot (``artifacts/screenshots/portal-*.png``).  Tasks run eagerly, so scores
are stored by the time a page that needs them loads.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from recruiting.services import vacancy_upsert
from tests.browser.conftest import SCREENSHOT_DIR
from tests.recruiting.fixtures import make_pdf

PASSWORD = "a-long-and-unusual-passphrase-42"

VACANCY_TEXT = """Senior Machine Learning Engineer — Recommendations

We are looking for a senior machine learning engineer to build and ship the recommendation models behind
our marketplace. You will own models from research to production.

Requirements:
- Strong Python and PyTorch
- SQL and experience with large data pipelines
- A Master's degree in computer science, statistics or a related field

Nice to have:
- Kubernetes and Docker
- Kafka

Salary £75,000 - £95,000 per year. Permanent, hybrid (London, two days a week in the office).
"""

OTHER_VACANCIES = [
    (
        "Computer Vision Engineer",
        (
            "Build computer vision models with PyTorch and OpenCV. Required: Python, "
            "deep learning, CUDA. Desirable: TensorRT. Salary £65,000 - £80,000. Remote. Contract."
        ),
    ),
    (
        "NLP Research Engineer",
        (
            "Train transformer language models with Hugging Face Transformers and PyTorch. "
            "Required: Python, NLP. Desirable: JAX. PhD preferred. Salary £85,000 - £110,000. Permanent, on site."
        ),
    ),
]

CV_LINES = [
    "Ada Lovelace",
    "Machine Learning Engineer - London",
    "",
    "Six years building production machine learning systems in Python, PyTorch and scikit-learn.",
    "Designed feature pipelines in SQL and Spark for recommendation models serving millions of users.",
    "Deployed models with Docker on AWS; monitored them with Prometheus and Grafana.",
    "Led a team of four engineers; mentored juniors and ran A/B testing of ranking models.",
    "",
    "Experience",
    "2019 - present  Senior ML Engineer, Shopwise, London",
    "2016 - 2019  Data Scientist, Analytica Ltd",
    "",
    "Education",
    "MSc in Computer Science, University of Manchester",
]


def _ensure_vocabulary() -> None:
    """The skill vocabulary of migration ``matching.0002``.

    ``serialized_rollback`` restores it after an earlier transactional test flushed the database, but not once
    Playwright's event loop runs in this thread: Django's connections are then context-local objects that do
    not carry the serialized contents (asgiref ``Local``).  So load it here when it is missing.
    """
    from matching.models import Skill
    from matching.vocabulary import load_project_vocabulary

    if Skill.objects.exists():
        return
    Skill.objects.bulk_create(
        [
            Skill(
                name=e.name,
                aliases=list(e.aliases),
                category=e.category,
                ambiguous=e.ambiguous,
                broader=list(e.broader),
                source="project",
            )
            for e in load_project_vocabulary()
        ]
    )


@pytest.fixture
def eager_tasks(settings, monkeypatch):
    """Tasks run in-process at once, whatever an earlier test left in the Celery app's configuration."""
    from recruiting.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_candidate_signs_up_uploads_a_cv_sees_the_match_and_applies(
    live_server, page, screenshot, browser, tmp_path, settings, eager_tasks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the uploaded CV stays with this test
    cache.clear()  # allauth's rate-limit counters live in the (process-wide) cache
    _ensure_vocabulary()
    vacancy, _ = vacancy_upsert(
        source="browser-test",
        reference="mle-reco",
        title="Senior ML Engineer, Recommendations",
        description=VACANCY_TEXT,
    )
    for i, (title, text) in enumerate(OTHER_VACANCIES):
        vacancy_upsert(source="browser-test", reference=f"other-{i}", title=title, description=text)
    base = live_server.url

    # 1. Sign up, with consent.
    page.goto(f"{base}/accounts/signup/")
    screenshot("portal-01-signup")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    screenshot("portal-02-verification-sent")

    # 2. Verify the e-mail address with the link from the outbox.
    assert mail.outbox, "no verification e-mail was sent"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    screenshot("portal-03-confirm-email")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base}/profile/")
    assert page.get_by_role("heading", name="Your profile").is_visible()
    screenshot("portal-04-profile-new")

    # 3. Upload a CV (a PDF made here).
    cv = tmp_path / "Ada Lovelace CV.pdf"
    cv.write_bytes(make_pdf("\n".join(CV_LINES)))
    page.set_input_files("#id_cv", str(cv))
    page.get_by_role("button", name="Upload and read my CV").click()
    page.wait_for_url(f"{base}/profile/cv/confirm/")

    # 4. Confirm the skills: all found ones are ticked; untick one, add one we missed.
    for skill in ("Python", "PyTorch", "SQL", "scikit-learn"):
        assert page.get_by_label(skill, exact=True).is_checked(), skill
    page.get_by_label("Grafana", exact=True).uncheck()
    page.get_by_label("Add skills we missed").fill("Kubernetes")
    screenshot("portal-05-confirm-cv")
    page.get_by_role("button", name="Save CV").click()
    page.wait_for_url(f"{base}/profile/")
    assert page.get_by_text("Your CV is saved").is_visible()
    skills = page.get_by_role("list", name="Your skills").inner_text()
    assert "Kubernetes" in skills and "Python" in skills and "Grafana" not in skills
    screenshot("portal-06-profile")

    # 5. Browse the vacancies.
    page.get_by_role("link", name="Vacancies", exact=True).first.click()
    page.wait_for_url(f"{base}/")
    assert page.locator(".vacancy-card").count() == 3
    screenshot("portal-07-vacancies")
    page.get_by_label("Search", exact=True).fill("PyTorch")
    page.get_by_label("Seniority").select_option("senior")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"\?q=PyTorch"))
    assert page.locator(".vacancy-card").count() == 1

    # 6. "Your match" on the vacancy page.
    page.get_by_role("link", name=vacancy.title).click()
    page.wait_for_url(f"{base}/vacancies/{vacancy.pk}/")
    match = page.locator("#your-match")
    assert re.fullmatch(r"\d{1,3}", match.locator(".score__value").inner_text().strip())
    assert "What would raise your score" in match.inner_text() or "You have" in match.inner_text()
    assert "Python" in match.inner_text()
    screenshot("portal-08-your-match")

    # The same page on a phone.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    mobile = phone.new_page()
    mobile.goto(f"{base}/vacancies/{vacancy.pk}/")
    mobile.screenshot(path=str(SCREENSHOT_DIR / "portal-10-mobile-match.png"))  # the first screen
    phone.close()

    # 7. Apply with a cover note.
    page.get_by_label("Cover note").fill("I have built recommendation models at scale for six years.")
    page.get_by_role("button", name="Apply for this role").click()
    page.wait_for_url(f"{base}/applications/")

    # 8. The application in "My applications", with its timeline.
    application = page.locator(".application").first
    assert vacancy.title in application.inner_text()
    assert "Applied" in application.locator(".timeline").inner_text()
    screenshot("portal-09-applications")
