"""The workspace pages of a vacancy: the shortlist (filters, bars, histogram, stale marker, blind review, bulk
actions, CSV export, constant query count) and the pipeline board (moves with reasons, without JavaScript)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import MatchScore
from recruiting.models import Application, ApplicationStageChange, AuditLogEntry, Candidate
from recruiting.services import application_create, application_move
from tests.factories import (
    ENGINE_VERSION,
    CandidateFactory,
    CandidateSkillFactory,
    EngineMatchScoreFactory,
    HiringManagerFactory,
    RecruiterFactory,
    SkillFactory,
    VacancyFactory,
    engine_components,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter():
    return RecruiterFactory()


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


def shortlist_url(vacancy, **params) -> str:
    url = reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def board_url(vacancy) -> str:
    return reverse("admin:recruiting_vacancy_board", args=[vacancy.pk])


def _order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=html.index)


# --- shortlist ----------------------------------------------------------------------------------------------


def test_shortlist_ranks_candidates_with_all_six_component_bars_skills_and_evidence(recruiter_client):
    vacancy = VacancyFactory(title="Senior MLE")
    EngineMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Low Lovelace"), score=31.0)
    EngineMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Top Turing"), score=91.0)
    EngineMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Mid Hopper"), score=58.0)
    EngineMatchScoreFactory(
        vacancy=vacancy, candidate=CandidateFactory(name="Sparse Shannon"), insufficient=True
    )
    EngineMatchScoreFactory(candidate=CandidateFactory(name="Other Vacancy Person"))

    response = recruiter_client.get(shortlist_url(vacancy))

    assert response.status_code == 200
    html = response.content.decode()
    names = ["Top Turing", "Mid Hopper", "Low Lovelace", "Sparse Shannon"]
    assert _order(html, names) == names
    assert "Other Vacancy Person" not in html
    for label in (
        "Required skills",
        "Desirable skills",
        "Qualification",
        "Experience",
        "Skill profile",
        "Text similarity",
    ):
        assert label in html
    assert html.count('class="ws-components"') == 3  # the insufficient row shows its reason instead
    assert "The CV has fewer than 20 words of readable text." in html
    # Matched skills carry the CV line as a tooltip; a missing required skill is highlighted with its gain.
    assert "CV: “Five years of Python for data pipelines”" in html
    assert re.search(
        r'class="gap req"[^>]*title="required · having it would add 6.0 points"[^>]*>Kubernetes', html
    )
    assert "4 shown of 4 matching" in html


def test_shortlist_histogram_is_inline_svg_with_ten_bins(recruiter_client):
    vacancy = VacancyFactory()
    for value in (5, 15, 15, 55, 99, 100):
        EngineMatchScoreFactory(vacancy=vacancy, score=float(value))
    EngineMatchScoreFactory(vacancy=vacancy, insufficient=True)

    response = recruiter_client.get(shortlist_url(vacancy))

    html = response.content.decode()
    svg = html[html.index("<svg viewBox") : html.index("</svg>", html.index("<svg viewBox"))]
    assert svg.count("<rect") == 10
    assert "0–10: 1; 10–20: 2; 20–30: 0" in svg
    assert "90–100: 2" in svg  # 100 falls in the last bin
    assert "1 with too little data to score" in html
    bars = response.context["histogram"]["bars"]
    assert [b["count"] for b in bars] == [1, 2, 0, 0, 0, 1, 0, 0, 0, 2]


def test_shortlist_marks_stale_scores(recruiter_client):
    vacancy = VacancyFactory()
    EngineMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Fresh"), score=80.0)
    EngineMatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Old"), score=70.0, stale=True)

    html = recruiter_client.get(shortlist_url(vacancy)).content.decode()

    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert table.count('class="ws-badge ws-badge--stale"') == 1
    old_row = html[html.index("Old") :]
    assert "stale" in old_row[: old_row.index("</tr>")]


def test_shortlist_filters_by_score_stage_applied_and_skill(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    pytorch = SkillFactory(name="PyTorch")
    applied = CandidateFactory(name="Applied Ada")
    screening = CandidateFactory(name="Screening Sam")
    sourced = CandidateFactory(name="Pool Pat")
    weak = CandidateFactory(name="Weak Wes")
    for candidate, value in ((applied, 80.0), (screening, 70.0), (sourced, 60.0), (weak, 20.0)):
        EngineMatchScoreFactory(vacancy=vacancy, candidate=candidate, score=value)
    application_create(candidate=applied, vacancy=vacancy)
    app = application_create(candidate=screening, vacancy=vacancy)
    application_move(application=app, to_stage="screening", actor=recruiter, reason="good fit")
    CandidateSkillFactory(candidate=sourced, skill=pytorch)

    def names(**params):
        return [
            row["label"] for row in recruiter_client.get(shortlist_url(vacancy, **params)).context["rows"]
        ]

    assert names() == ["Applied Ada", "Screening Sam", "Pool Pat", "Weak Wes"]
    assert names(min_score=50) == ["Applied Ada", "Screening Sam", "Pool Pat"]
    assert names(stage="screening") == ["Screening Sam"]
    assert names(stage="none") == ["Pool Pat", "Weak Wes"]
    assert names(applied="yes") == ["Applied Ada", "Screening Sam"]
    assert names(applied="no", min_score=50) == ["Pool Pat"]
    assert names(skill="pytorch") == ["Pool Pat"]
    assert names(min_score="lots") == names()  # an invalid filter is ignored, with the error shown
    assert names(min_score="lots", stage="screening") == ["Screening Sam"]  # the valid ones still apply


def test_shortlist_limit_and_show_more(recruiter_client):
    vacancy = VacancyFactory()
    for i in range(7):
        EngineMatchScoreFactory(
            vacancy=vacancy, candidate=CandidateFactory(name=f"Person {i:02d}"), score=i * 10.0
        )

    response = recruiter_client.get(shortlist_url(vacancy, limit=3))

    assert [row["label"] for row in response.context["rows"]] == ["Person 06", "Person 05", "Person 04"]
    assert "3 shown of 7 matching" in response.content.decode()
    assert "limit=6" in response.content.decode()


# --- blind review -------------------------------------------------------------------------------------------


def test_blind_review_hides_names_emails_and_references_in_the_html_until_advanced(
    recruiter_client, recruiter
):
    vacancy = VacancyFactory()
    hidden = CandidateFactory(name="Hidden Hypatia", email="hypatia@example.org", reference="hypatia-cv.pdf")
    shown = CandidateFactory(name="Shown Shirley", email="shirley@example.org", reference="shirley-cv.pdf")
    EngineMatchScoreFactory(
        vacancy=vacancy,
        candidate=hidden,
        score=90.0,
        matched_skills=[
            {
                "skill": "Python",
                "importance": "required",
                "weight": 0.1,
                "contribution": 5.0,
                "evidence": "Hypatia Smith — hypatia@example.org — Python since 2015",
            }
        ],
    )
    EngineMatchScoreFactory(vacancy=vacancy, candidate=shown, score=80.0)
    app = application_create(candidate=shown, vacancy=vacancy)
    application_move(application=app, to_stage="screening", actor=recruiter, reason="advanced")

    response = recruiter_client.get(shortlist_url(vacancy, blind=1))

    html = response.content.decode()
    assert f"Candidate #{hidden.pk}" in html
    for secret in (
        "Hidden Hypatia",
        "Hypatia",
        "hypatia@example.org",
        "hypatia-cv.pdf",
        reverse("admin:recruiting_candidate_change", args=[hidden.pk]),
    ):
        assert secret not in html
    assert "[name] Smith — [e-mail] — Python since 2015" in html  # evidence is redacted too
    # Advanced candidates are revealed.
    assert "Shown Shirley" in html and "shirley@example.org" in html

    # Remembered in the session; switched off with ?blind=0.
    assert "Hidden Hypatia" not in recruiter_client.get(shortlist_url(vacancy)).content.decode()
    assert "Hidden Hypatia" in recruiter_client.get(shortlist_url(vacancy, blind=0)).content.decode()


def test_blind_review_applies_to_the_board(recruiter_client):
    vacancy = VacancyFactory()
    candidate = CandidateFactory(name="Board Blind", email="bb@example.org")
    application_create(candidate=candidate, vacancy=vacancy)

    html = recruiter_client.get(board_url(vacancy) + "?blind=1").content.decode()

    assert "Board Blind" not in html and "bb@example.org" not in html
    assert f"Candidate #{candidate.pk}" in html


# --- bulk actions -------------------------------------------------------------------------------------------


def _bulk(client, vacancy, action, ids, reason=""):
    return client.post(
        shortlist_url(vacancy),
        {"action": action, "candidate_ids": ids, "reason": reason, "next": shortlist_url(vacancy)},
    )


def test_bulk_advance_moves_applicants_and_sources_non_applicants_at_screening(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    applicant, pool = CandidateFactory(), CandidateFactory()
    for c in (applicant, pool):
        EngineMatchScoreFactory(vacancy=vacancy, candidate=c)
    app = application_create(candidate=applicant, vacancy=vacancy)

    response = _bulk(recruiter_client, vacancy, "advance", [applicant.pk, pool.pk], reason="strong PyTorch")

    assert response.status_code == 302 and response.url == shortlist_url(vacancy)
    app.refresh_from_db()
    assert app.stage == "screening" and app.revealed
    sourced = Application.objects.get(vacancy=vacancy, candidate=pool)
    assert sourced.stage == "screening" and sourced.revealed
    assert (sourced.source, app.source) == ("sourced", "import")  # the hiring reports' "by source"
    history = list(sourced.stage_changes.values_list("from_stage", "to_stage", "reason", "actor"))
    assert history == [
        ("", "applied", "applied", recruiter.pk),
        ("applied", "screening", "sourced from the shortlist: strong PyTorch", recruiter.pk),
    ]
    assert app.stage_changes.last().reason == "strong PyTorch"
    assert AuditLogEntry.objects.filter(action="stage_change").count() == 2


def test_bulk_advance_skips_hired_and_reports_it(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    candidate = CandidateFactory()
    EngineMatchScoreFactory(vacancy=vacancy, candidate=candidate)
    app = application_create(candidate=candidate, vacancy=vacancy)
    for stage in ("screening", "interview", "offer", "hired"):
        app = application_move(application=app, to_stage=stage, actor=recruiter)

    response = recruiter_client.post(
        shortlist_url(vacancy), {"action": "advance", "candidate_ids": [candidate.pk]}, follow=True
    )

    assert "there is no next stage" in response.content.decode()
    app.refresh_from_db()
    assert app.stage == "hired"


def test_bulk_reject_needs_a_reason(recruiter_client):
    vacancy = VacancyFactory()
    candidate = CandidateFactory()
    EngineMatchScoreFactory(vacancy=vacancy, candidate=candidate)
    app = application_create(candidate=candidate, vacancy=vacancy)

    response = recruiter_client.post(
        shortlist_url(vacancy), {"action": "reject", "candidate_ids": [candidate.pk]}, follow=True
    )
    assert "Give a reason for the rejection." in response.content.decode()
    app.refresh_from_db()
    assert app.stage == "applied"

    _bulk(recruiter_client, vacancy, "reject", [candidate.pk], reason="no production experience")
    app.refresh_from_db()
    assert app.stage == "rejected"
    assert app.stage_changes.last().reason == "no production experience"


def test_bulk_action_refuses_candidates_of_other_vacancies(recruiter_client):
    vacancy = VacancyFactory()
    stranger = CandidateFactory()
    EngineMatchScoreFactory(candidate=stranger)  # scored for another vacancy only

    response = recruiter_client.post(
        shortlist_url(vacancy), {"action": "advance", "candidate_ids": [stranger.pk]}, follow=True
    )

    assert not Application.objects.filter(candidate=stranger).exists()
    assert "Select a valid choice" in response.content.decode()


def test_export_csv_writes_ticked_rows_and_an_audit_entry(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    first = CandidateFactory(name="=HYPERLINK(evil)", email="first@example.org")
    second = CandidateFactory(name="Second")
    EngineMatchScoreFactory(vacancy=vacancy, candidate=first, score=90.0)
    EngineMatchScoreFactory(vacancy=vacancy, candidate=second, score=50.0)

    response = _bulk(recruiter_client, vacancy, "export", [first.pk])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["candidate_id"] == str(first.pk)
    assert rows[0]["name"] == "'=HYPERLINK(evil)"  # spreadsheet formulas are neutralised
    assert rows[0]["email"] == "first@example.org"
    assert rows[0]["score"] == "90.0" and rows[0]["required"] and rows[0]["text"]
    entry = AuditLogEntry.objects.get(action="export")
    assert entry.actor == recruiter and entry.object_type == "vacancy" and entry.object_id == str(vacancy.pk)
    assert entry.detail["rows"] == 1 and entry.detail["candidate_ids"] == [first.pk]


def test_export_csv_escapes_every_formula_shape(recruiter_client):
    """Issue 16, finding 7: the workspace export goes through recruiting.csvsafe, like export_scores."""
    vacancy = VacancyFactory()
    payloads = ["-2+3+cmd|' /C calc'!A0", "+1+1", "@SUM(1)", '=HYPERLINK("http://evil","x")']
    people = [CandidateFactory(name=p, email=f"c{i}@example.org") for i, p in enumerate(payloads)]
    for i, person in enumerate(people):
        EngineMatchScoreFactory(vacancy=vacancy, candidate=person, score=90.0 - i)

    response = _bulk(recruiter_client, vacancy, "export", [p.pk for p in people])

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["name"] for r in rows) == sorted("'" + p for p in payloads)


def test_export_in_blind_review_leaves_out_names_and_emails(recruiter_client):
    vacancy = VacancyFactory()
    EngineMatchScoreFactory(
        vacancy=vacancy, candidate=CandidateFactory(name="Blind Bea", email="bea@example.org")
    )
    recruiter_client.get(shortlist_url(vacancy, blind=1))

    response = _bulk(recruiter_client, vacancy, "export", [])

    body = response.content.decode()
    assert "Blind Bea" not in body and "bea@example.org" not in body
    assert AuditLogEntry.objects.get(action="export").detail["blind"] is True


# --- query count --------------------------------------------------------------------------------------------


def _pool(vacancy, n: int) -> None:
    """``n`` candidates scored for ``vacancy``, every third with an application and a skill (bulk inserts)."""
    skill = SkillFactory(name="PyTorch")
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                name=f"Pool {vacancy.pk}-{i}",
                email=f"p{vacancy.pk}-{i}@example.org",
                reference=f"pool-{vacancy.pk}-{i}",
                source="test",
                cv_text="Python",
            )
            for i in range(n)
        ]
    )
    now = timezone.now()
    MatchScore.objects.bulk_create(
        [
            MatchScore(
                candidate=c,
                vacancy=vacancy,
                state="scored",
                score=float(i % 100),
                explanation={
                    "state": "scored",
                    "reason": "",
                    "components": engine_components(float(i % 100)),
                    "engine_version": ENGINE_VERSION,
                },
                matched_skills=[{"skill": "Python", "importance": "required", "evidence": "Python daily"}],
                missing_skills=[{"skill": "Kafka", "importance": "desirable", "gain": 2.0}],
                engine_version=ENGINE_VERSION,
                stale=i % 7 == 0,
                computed_at=now,
            )
            for i, c in enumerate(candidates)
        ]
    )
    Application.objects.bulk_create(
        [Application(candidate=c, vacancy=vacancy, stage="screening", revealed=True) for c in candidates[::3]]
    )
    from recruiting.models import CandidateSkill

    CandidateSkill.objects.bulk_create([CandidateSkill(candidate=c, skill=skill) for c in candidates[::3]])


def _queries(client, url) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "params",
    [{"limit": 500}, {"limit": 500, "blind": 1, "min_score": 10, "skill": "PyTorch"}],
    ids=["all-rows", "filtered-blind"],
)
def test_shortlist_query_count_is_the_same_for_5_and_500_candidates(
    recruiter_client, django_assert_num_queries, params
):
    small, large = VacancyFactory(), VacancyFactory()
    _pool(small, 5)
    _pool(large, 500)
    recruiter_client.get(shortlist_url(small, **params))  # warm per-process caches (content types, session)

    small_count, small_response = _queries(recruiter_client, shortlist_url(small, **params))
    with django_assert_num_queries(small_count):
        response = recruiter_client.get(shortlist_url(large, **params))

    assert small_count <= 15
    expected = 500 if "min_score" not in params else None
    if expected:
        assert len(response.context["rows"]) == 500 and len(small_response.context["rows"]) == 5
    else:
        assert len(response.context["rows"]) > 100


def test_board_query_count_does_not_grow_with_applications(recruiter_client, django_assert_num_queries):
    small, large = VacancyFactory(), VacancyFactory()
    _pool(small, 6)
    _pool(large, 300)
    recruiter_client.get(board_url(small))
    small_count, _ = _queries(recruiter_client, board_url(small))
    with django_assert_num_queries(small_count):
        recruiter_client.get(board_url(large))


# --- board --------------------------------------------------------------------------------------------------


def test_board_shows_stage_columns_with_cards_and_a_move_form_per_card(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    ada, bob = CandidateFactory(name="Ada Board"), CandidateFactory(name="Bob Board")
    EngineMatchScoreFactory(vacancy=vacancy, candidate=ada, score=88.0)
    application_create(candidate=ada, vacancy=vacancy)
    app = application_create(candidate=bob, vacancy=vacancy)
    application_move(application=app, to_stage="interview", actor=recruiter, reason="great take-home")

    response = recruiter_client.get(board_url(vacancy))

    html = response.content.decode()
    for label in ("Applied", "Screening", "Interview", "Offer", "Hired", "Rejected", "Withdrawn"):
        assert f'id="col-{label.lower()}"' in html
    applied_col = html[html.index('id="stage-applied"') : html.index('id="stage-screening"')]
    interview_col = html[html.index('id="stage-interview"') : html.index('id="stage-offer"')]
    assert "Ada Board" in applied_col and "88" in applied_col
    assert "Bob Board" in interview_col and "great take-home" in interview_col
    assert html.count('<form method="post" class="ws-move"') == 2
    assert '<option value="screening" selected>' in applied_col  # the next stage is preselected


def test_board_move_records_reason_history_and_audit(recruiter_client, recruiter):
    vacancy = VacancyFactory()
    app = application_create(candidate=CandidateFactory(), vacancy=vacancy)

    response = recruiter_client.post(
        board_url(vacancy),
        {"application": app.pk, "to_stage": "interview", "reason": "skip screening: referred"},
    )

    assert response.status_code == 302 and response.url.endswith("#stage-interview")
    app.refresh_from_db()
    assert app.stage == "interview"
    change = ApplicationStageChange.objects.filter(application=app).last()
    assert (change.from_stage, change.to_stage, change.actor, change.reason) == (
        "applied",
        "interview",
        recruiter,
        "skip screening: referred",
    )
    assert AuditLogEntry.objects.filter(action="stage_change", object_id=str(app.pk)).exists()


def test_board_rejection_without_reason_is_refused_with_a_message(recruiter_client):
    vacancy = VacancyFactory()
    app = application_create(candidate=CandidateFactory(), vacancy=vacancy)

    response = recruiter_client.post(
        board_url(vacancy), {"application": app.pk, "to_stage": "rejected"}, follow=True
    )

    assert "Give a reason for the rejection." in response.content.decode()
    app.refresh_from_db()
    assert app.stage == "applied"


def test_board_cannot_move_another_vacancys_application(recruiter_client):
    vacancy, other = VacancyFactory(), VacancyFactory()
    app = application_create(candidate=CandidateFactory(), vacancy=other)

    response = recruiter_client.post(board_url(vacancy), {"application": app.pk, "to_stage": "screening"})

    assert response.status_code == 404
    app.refresh_from_db()
    assert app.stage == "applied"


# --- hiring managers on the workspace pages -----------------------------------------------------------------


def test_hiring_manager_reads_own_shortlist_and_board_but_cannot_act(client):
    mine = VacancyFactory()
    manager = HiringManagerFactory(vacancies=[mine])
    applicant, pool = CandidateFactory(name="Applicant Ann"), CandidateFactory(name="Pool Paul")
    EngineMatchScoreFactory(vacancy=mine, candidate=applicant)
    EngineMatchScoreFactory(vacancy=mine, candidate=pool)
    app = application_create(candidate=applicant, vacancy=mine)
    client.force_login(manager)

    shortlist = client.get(shortlist_url(mine))
    board = client.get(board_url(mine))

    assert shortlist.status_code == 200 and board.status_code == 200
    html = shortlist.content.decode()
    assert 'name="candidate_ids"' not in html and 'name="action"' not in html
    # The applicant's page opens for them; a pool candidate who never applied does not.
    assert reverse("admin:recruiting_candidate_change", args=[applicant.pk]) in html
    assert reverse("admin:recruiting_candidate_change", args=[pool.pk]) not in html
    assert 'class="ws-move"' not in board.content.decode()
    assert _bulk(client, mine, "advance", [pool.pk]).status_code == 403
    assert _bulk(client, mine, "export", []).status_code == 403
    assert client.post(board_url(mine), {"application": app.pk, "to_stage": "screening"}).status_code == 403
    app.refresh_from_db()
    assert app.stage == "applied"
    assert not AuditLogEntry.objects.filter(action="export").exists()
