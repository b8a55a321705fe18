"""The Content-Security-Policy breaks nothing: Chromium (Debian's, through Playwright, as in tests/browser) opens the
main pages of the portal, the recruiter workspace and the API docs and reports no CSP violation.

The browser runs in a thread of its own: Playwright's sync API refuses to start a second instance in a thread
where the browser tests' session-wide instance already lives.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CandidateFactory,
    MatchScoreFactory,
    RecruiterFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


def _browse(base: str, username: str, public: list[str], workspace: list[str], out: dict) -> None:
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(15_000)
            page.on("console", lambda message: out["messages"].append(f"{page.url}: {message.text}"))
            for path in public:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
            page.goto(f"{base}/api/docs/")
            page.wait_for_selector(".swagger-ui .info")  # the docs page's inline script ran
            page.goto(f"{base}/admin/login/?next=/admin/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{base}/admin/")
            for path in workspace:
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                if page.locator("#content").count() != 1:
                    out["problems"].append(f"{path}: no #content")
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported by the test
        out["problems"].append(f"{type(exc).__name__}: {exc}")


def _ensure_groups() -> None:
    """Permissions and the workspace groups, whatever an earlier transactional test's flush left."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from recruiting.permissions import hiring_managers_group_ensure, recruiters_group_ensure

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    recruiters_group_ensure()
    hiring_managers_group_ensure()


def test_no_csp_violation_on_the_main_pages(live_server):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    _ensure_groups()
    recruiter = RecruiterFactory(username="csp.recruiter@example.org")
    vacancy = VacancyFactory(title="ML engineer")
    candidate = CandidateFactory(name="Ada Csp")
    ApplicationFactory(candidate=candidate, vacancy=vacancy)
    MatchScoreFactory(candidate=candidate, vacancy=vacancy)
    public = ["/", f"/vacancies/{vacancy.pk}/", "/privacy/", "/accounts/login/", "/accounts/signup/"]
    workspace = [
        f"/admin/recruiting/vacancy/{vacancy.pk}/shortlist/",
        f"/admin/recruiting/vacancy/{vacancy.pk}/board/",
        f"/admin/recruiting/vacancy/{vacancy.pk}/change/",
        f"/admin/recruiting/candidate/{candidate.pk}/change/",
        "/admin/recruiting/candidate/",
    ]
    out: dict = {"messages": [], "problems": []}
    thread = threading.Thread(
        target=_browse, args=(live_server.url, recruiter.username, public, workspace, out)
    )
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser did not finish in 120 s"
    assert not out["problems"], out["problems"]
    assert not _violations(out["messages"]), "\n".join(_violations(out["messages"]))
