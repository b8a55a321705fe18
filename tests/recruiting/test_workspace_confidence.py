"""Issue 12 on the recruiter workspace: ranks with ties, the rank among a vacancy's candidates, the confidence
badge and filter, the keyword-list and language flags, and how each matched skill was counted — on the shortlist,
the candidate page and the CSV export, for rows in the rewritten engine's shape and for old rows."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MatchScore
from matching.ranking import competition_ranks
from recruiting import selectors
from tests.factories import (
    TEXT_ONLY_REASON,
    CandidateFactory,
    ContractMatchScoreFactory,
    EngineMatchScoreFactory,
    RecruiterFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter_client(client):
    client.force_login(RecruiterFactory())
    return client


def shortlist(client, vacancy, **params) -> str:
    response = client.get(reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def row_html(html: str, candidate) -> str:
    match = re.search(rf'<tr id="candidate-{candidate.pk}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row for candidate {candidate.pk}"
    return html_lib.unescape(match.group(1))


def rank_cell(html: str, candidate) -> str:
    cell = re.search(r'<td class="ws-rank">(.*?)</td>', row_html(html, candidate), re.DOTALL).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


@pytest.fixture
def tied_vacancy():
    """Four scored candidates, two tied at 80, one with no score."""
    vacancy = VacancyFactory(title="Data scientist")
    people = {name: CandidateFactory(name=name) for name in ("Top", "TieA", "TieB", "Fourth", "Sparse")}
    ContractMatchScoreFactory(vacancy=vacancy, candidate=people["Top"], score=91.0, confidence="high")
    ContractMatchScoreFactory(vacancy=vacancy, candidate=people["TieA"], score=80.0, confidence="medium")
    EngineMatchScoreFactory(vacancy=vacancy, candidate=people["TieB"], score=80.0, old_shape=True)
    ContractMatchScoreFactory(
        vacancy=vacancy, candidate=people["Fourth"], score=55.0, confidence="low", flags=()
    )
    EngineMatchScoreFactory(vacancy=vacancy, candidate=people["Sparse"], insufficient=True)
    return vacancy, people


def test_shortlist_shows_ties_as_a_shared_rank(recruiter_client, tied_vacancy):
    vacancy, people = tied_vacancy
    html = shortlist(recruiter_client, vacancy)
    assert [rank_cell(html, people[n]) for n in ("Top", "TieA", "TieB", "Fourth", "Sparse")] == [
        "1",
        "=2",
        "=2",
        "4",
        "—",
    ]
    assert "tie: the same score as another candidate" in row_html(html, people["TieA"])


def test_a_filtered_shortlist_keeps_each_candidates_rank_in_the_whole_vacancy(recruiter_client, tied_vacancy):
    vacancy, people = tied_vacancy
    html = shortlist(recruiter_client, vacancy, confidence="low")
    assert rank_cell(html, people["Fourth"]) == "4"
    assert f'id="candidate-{people["Top"].pk}"' not in html


def test_shortlist_rows_show_confidence_badge_flags_and_compact_evidence(recruiter_client, tied_vacancy):
    vacancy, people = tied_vacancy
    html = shortlist(recruiter_client, vacancy)
    top = row_html(html, people["Top"])
    assert 'class="ws-badge ws-conf ws-conf--high"' in top
    assert f'title="Confidence high: {TEXT_ONLY_REASON}"' in top
    assert "keyword list: little evidence of use" in top
    assert "CV in German: scored on recognised skills and qualifications" in top
    # Evidence level in the chip's title; related credit as a small suffix.
    assert 'title="used · CV: “Five years of Python for data pipelines”' in top
    assert "TensorFlow: credited 60 % through PyTorch (related)" in top
    assert '<small class="ws-ev">≈60 %</small>' in top
    # Old-shape row: no badge, no flags, no evidence extras — and no error.
    old = row_html(html, people["TieB"])
    assert "ws-conf" not in old and "ws-flags" not in old and "ws-ev" not in old
    assert "ws-flags" not in row_html(html, people["Fourth"])  # no flags stored: no list


def test_shortlist_filters_by_confidence(recruiter_client, tied_vacancy):
    vacancy, people = tied_vacancy
    html = shortlist(recruiter_client, vacancy, confidence="medium")
    assert f'id="candidate-{people["TieA"].pk}"' in html
    for other in ("Top", "TieB", "Fourth", "Sparse"):
        assert f'id="candidate-{people[other].pk}"' not in html
    assert "1 shown of 1 matching the filters" in html
    bad = shortlist(recruiter_client, vacancy, confidence="certain")  # an invalid choice is dropped
    assert "Confidence:" in bad and f'id="candidate-{people["Top"].pk}"' in bad


def test_candidate_page_says_the_rank_confidence_flags_and_how_skills_counted(recruiter_client, tied_vacancy):
    _vacancy, people = tied_vacancy
    other = VacancyFactory(title="Second role")
    EngineMatchScoreFactory(
        vacancy=other, candidate=people["TieA"], score=40.0, old_shape=True
    )  # alone: 1st of 1
    response = recruiter_client.get(reverse("admin:recruiting_candidate_change", args=[people["TieA"].pk]))
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "ranked joint 2nd of 4 for this vacancy" in html
    assert "ranked 1st of 1 for this vacancy" in html
    assert "ws-conf--medium" in html and TEXT_ONLY_REASON.capitalize() in html
    assert "keyword list: little evidence of use" in html
    assert '<small class="ws-ev">used</small>' in html and '<small class="ws-ev">listed</small>' in html
    assert '<small class="ws-ev">credited 60 % through PyTorch (related)</small>' in html


def test_candidate_page_rank_is_one_query_whatever_the_number_of_vacancies(recruiter_client):
    candidate = CandidateFactory()

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert (
                recruiter_client.get(
                    reverse("admin:recruiting_candidate_change", args=[candidate.pk])
                ).status_code
                == 200
            )
        return len(ctx.captured_queries)

    rival = CandidateFactory()  # scored for every vacancy too, so each rank counts someone
    vacancy = VacancyFactory()
    ContractMatchScoreFactory(candidate=candidate, vacancy=vacancy)
    ContractMatchScoreFactory(candidate=rival, vacancy=vacancy)
    page_queries()  # warm per-process caches
    one = page_queries()
    for _ in range(6):
        vacancy = VacancyFactory()
        ContractMatchScoreFactory(candidate=candidate, vacancy=vacancy)
        ContractMatchScoreFactory(candidate=rival, vacancy=vacancy)
    assert page_queries() == one


def test_export_has_rank_tied_confidence_and_flags_columns(recruiter_client, tied_vacancy):
    vacancy, people = tied_vacancy
    response = recruiter_client.post(
        reverse("admin:recruiting_vacancy_shortlist", args=[vacancy.pk]),
        {"action": "export", "candidate_ids": [people["TieB"].pk, people["Top"].pk]},
    )
    assert response.status_code == 200
    rows = {int(r["candidate_id"]): r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {people["Top"].pk, people["TieB"].pk}
    top, tie = rows[people["Top"].pk], rows[people["TieB"].pk]
    assert (top["rank"], top["tied"], tie["rank"], tie["tied"]) == (
        "1",
        "",
        "2",
        "yes",
    )  # ranks of the vacancy
    assert top["confidence"] == "high" and top["confidence_reason"] == TEXT_ONLY_REASON
    assert top["flags"] == (
        "keyword list: little evidence of use; CV in German: scored on recognised skills and qualifications"
    )
    assert tie["confidence"] == "" and tie["flags"] == ""  # old shape


def test_the_sql_rank_equals_competition_ranks(tied_vacancy):
    vacancy, _ = tied_vacancy
    ContractMatchScoreFactory(vacancy=vacancy, score=91.0)  # a tie at the top too
    rows = list(
        selectors.with_vacancy_rank(MatchScore.objects.filter(vacancy=vacancy), among=True).order_by("pk")
    )
    expected = competition_ranks([r.score for r in rows])
    assert [(r.vacancy_rank, r.vacancy_tied) for r in rows] == [(e.rank, e.tied) for e in expected]
    assert {r.vacancy_ranked for r in rows} == {5}  # the scored candidates; insufficient data is not ranked
