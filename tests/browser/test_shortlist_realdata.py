"""A 50-candidate shortlist built from the real CVs of ``../shared`` in Chromium (issue 14): every row at most
140 px tall at 1400 px wide, "+N more" opens in place, j/x/c on the keyboard tick two candidates and open the
comparison, and no candidate is named by a generated reference ("cv-…", "user-…").

Screenshots (``artifacts/screenshots/issue14-*.png``): the shortlist, the comparison, the board, a candidate page
and the portal's vacancy page of a Markdown description.  Skipped without ``../shared`` (fails under CI=true).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from matching.extraction import repair_text
from matching.models import MatchScore
from recruiting.models import Application, Candidate, Vacancy
from recruiting.services import application_create, application_move
from tests.browser.conftest import SCREENSHOT_DIR
from tests.browser.test_workspace_screens import _ensure_groups, _login
from tests.conftest import REPO_ROOT, ensure_vocabulary
from tests.factories import RecruiterFactory

pytestmark = pytest.mark.realdata

CANDIDATES = 50
MAX_ROW_HEIGHT = 140


def _real_cvs(shared_dir: Path, out: Path, n: int) -> Path:
    """The first ``n`` distinct CVs of the resume dataset, written to a CSV the import command reads."""
    csv.field_size_limit(10**8)
    seen, rows = set(), []
    with (shared_dir / "data" / "resumes" / "UpdatedResumeDataSet.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        for row in csv.DictReader(f):
            text = repair_text(row["Resume"]).strip()
            if text and text not in seen:
                seen.add(text)
                rows.append({"Category": row["Category"], "Resume": row["Resume"]})
            if len(rows) == n:
                break
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["Category", "Resume"])
        writer.writeheader()
        writer.writerows(rows)
    return out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_50_candidate_shortlist_from_real_cvs_is_scannable(shared_dir, tmp_path, live_server, browser):
    ensure_vocabulary()
    _ensure_groups()
    quiet = io.StringIO()
    call_command(
        "import_vacancies", *sorted(str(p) for p in (shared_dir / "seeds").glob("*.txt")), stdout=quiet
    )
    call_command(
        "import_vacancies",
        str(REPO_ROOT / "samples" / "vacancies" / "ml-engineer-recommendations.md"),
        stdout=quiet,
    )
    call_command(
        "import_candidates",
        str(_real_cvs(shared_dir, tmp_path / "cvs.csv", CANDIDATES)),
        "--text-column",
        "Resume",
        "--label-column",
        "Category",
        stdout=quiet,
    )
    assert Candidate.objects.count() == CANDIDATES
    vacancy = (
        Vacancy.objects.filter(source="import", reference__startswith="00").order_by("reference").first()
    )
    assert MatchScore.objects.filter(vacancy=vacancy).count() == CANDIDATES

    recruiter = RecruiterFactory(username="rita.recruiter@example.com", email="rita.recruiter@example.com")
    best = list(
        MatchScore.objects.filter(vacancy=vacancy).order_by("-score").values_list("candidate_id", flat=True)
    )
    for candidate_id in best[:4]:
        application_create(candidate=Candidate.objects.get(pk=candidate_id), vacancy=vacancy)
    first = Application.objects.get(vacancy=vacancy, candidate_id=best[0])
    application_move(
        application=first, to_stage="screening", actor=recruiter, reason="Strong on required skills"
    )

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOT_DIR / f"issue14-{name}.png"), full_page=True)

    try:
        base = live_server.url
        _login(page, base, recruiter)
        page.goto(f"{base}/admin/recruiting/vacancy/{vacancy.pk}/shortlist/?blind=0")
        rows = page.locator('.ws-shortlist tbody tr[id^="candidate-"]')
        assert rows.count() == CANDIDATES
        shot("01-shortlist")
        heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
        assert max(heights) <= MAX_ROW_HEIGHT, sorted(heights)[-5:]
        names = page.locator(".ws-shortlist .ws-name").all_inner_texts()
        assert len(names) == CANDIDATES
        assert not [n for n in names if n.lower().startswith(("cv-", "user-"))], names

        more = page.locator("details.ws-more-skills").first
        assert more.count() == 1
        hidden_chip = more.locator("li").first
        assert not hidden_chip.is_visible()
        more.locator("summary").click()
        assert more.get_attribute("open") is not None and hidden_chip.is_visible()

        # Keyboard: j to the first row, x ticks it, j, x ticks the second, c compares them.
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("x")
        assert page.locator('.ws-shortlist input[name="candidate_ids"]:checked').count() == 2
        page.keyboard.press("c")
        page.wait_for_url("**/compare/?**")
        assert page.locator("th.ws-compare-col").count() == 2
        assert page.locator(".ws-compare .ws-components").count() == 2
        compare_names = page.locator("th.ws-compare-col .ws-name").all_inner_texts()
        assert not [n for n in compare_names if n.lower().startswith(("cv-", "user-"))]
        shot("02-comparison")

        page.goto(f"{base}/admin/recruiting/vacancy/{vacancy.pk}/board/?blind=0")
        assert page.locator(".ws-card").count() == 4
        shot("03-board")

        page.goto(f"{base}/admin/recruiting/candidate/{best[0]}/change/")
        assert (
            page.locator("#ws-person").inner_text().strip() == Candidate.objects.get(pk=best[0]).display_name
        )
        shot("04-candidate")

        markdown = Vacancy.objects.get(reference="ml-engineer-recommendations")
        page.goto(f"{base}/vacancies/{markdown.pk}/")
        prose = page.locator(".vacancy__description .prose")
        assert prose.locator("h2").count() >= 1 and prose.locator("li").count() >= 3
        assert "##" not in prose.inner_text()
        shot("05-portal-markdown-vacancy")
    finally:
        context.close()
