"""The hiring reports (recruiting.reports) against a hand-counted pipeline, with a move back and a withdrawal.

The fixture, days after T0 (2026-03-02 09:00 UTC); scores in brackets:

    Vacancy A  a1 portal   applied 0 → screening 2 → interview 5 → offer 9 → hired 10          [80]
               a2 portal   applied 0 → screening 1 → interview 4 → screening 6 → rejected 8   [40]  (move back)
               a3 api      applied 1 → screening 3 → withdrawn 4                              [60]  (withdrawn)
               a4 sourced  applied 2 → screening 2 → interview 7 (still there)               [70]
               a5 import   applied 3 → rejected 4                                             [20]
    Vacancy B  b1 portal   applied 0 → screening 3 → interview 5 → offer 6 → hired 8          [90]
               b2 import   applied 20 (still there)                                           [—]
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruiting.models import Application, ApplicationStageChange
from tests.factories import (
    CandidateFactory,
    HiringManagerFactory,
    MatchScoreFactory,
    RecruiterFactory,
    UserFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PIPELINE_A = [
    ("a1", "portal", [("applied", 0), ("screening", 2), ("interview", 5), ("offer", 9), ("hired", 10)], 80.0),
    (
        "a2",
        "portal",
        [("applied", 0), ("screening", 1), ("interview", 4), ("screening", 6), ("rejected", 8)],
        40.0,
    ),
    ("a3", "api", [("applied", 1), ("screening", 3), ("withdrawn", 4)], 60.0),
    ("a4", "sourced", [("applied", 2), ("screening", 2), ("interview", 7)], 70.0),
    ("a5", "import", [("applied", 3), ("rejected", 4)], 20.0),
]
PIPELINE_B = [
    ("b1", "portal", [("applied", 0), ("screening", 3), ("interview", 5), ("offer", 6), ("hired", 8)], 90.0),
    ("b2", "import", [("applied", 20)], None),
]


def _application(vacancy, name: str, source: str, history: list[tuple[str, float]], score: float | None):
    candidate = CandidateFactory(name=f"Person {name}")
    app = Application.objects.create(
        candidate=candidate, vacancy=vacancy, stage=history[-1][0], source=source
    )
    Application.objects.filter(pk=app.pk).update(created_at=T0 + timedelta(days=history[0][1]))
    previous = ""
    for stage, day in history:
        change = ApplicationStageChange.objects.create(application=app, from_stage=previous, to_stage=stage)
        ApplicationStageChange.objects.filter(pk=change.pk).update(created_at=T0 + timedelta(days=day))
        previous = stage
    if score is not None:
        MatchScoreFactory(vacancy=vacancy, candidate=candidate, score=score)
    return app


@pytest.fixture
def pipeline():
    a = VacancyFactory(title="Data Engineer", reference="A-1")
    b = VacancyFactory(title="ML Engineer", reference="B-2")
    for rows, vacancy in ((PIPELINE_A, a), (PIPELINE_B, b)):
        for name, source, history, score in rows:
            _application(vacancy, name, source, history, score)
    return a, b


@pytest.fixture
def recruiter_client(client):
    client.force_login(RecruiterFactory())
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _by_first(rows):
    return {row[0]: row for row in rows[1:] if row}


# --- funnel -------------------------------------------------------------------------------------------------
def test_funnel_overall_and_per_vacancy(recruiter_client, pipeline):
    a, b = pipeline
    rows = _csv(recruiter_client.get("/admin/reports/funnel/", {"format": "csv"}))
    assert rows[0] == [
        "vacancy_id",
        "vacancy",
        "applied",
        "screening",
        "screening_conversion",
        "interview",
        "interview_conversion",
        "offer",
        "offer_conversion",
        "hired",
        "hired_conversion",
        "hired_of_applied",
    ]
    overall, row_a, row_b = rows[1], rows[2], rows[3]
    # Reached: applied 7; screening 5 (a1 a2 a3 a4 b1); interview 4 (a1 a2 a4 b1; a2 keeps it after moving
    # back); offer 2; hired 2.  a3 withdrew after screening and keeps it.
    assert overall[1:] == ["all", "7", "5", "0.7143", "4", "0.8", "2", "0.5", "2", "1.0", "0.2857"]
    assert row_a == [
        str(a.pk),
        "Data Engineer (A-1)",
        "5",
        "4",
        "0.8",
        "3",
        "0.75",
        "1",
        "0.3333",
        "1",
        "1.0",
        "0.2",
    ]
    assert row_b == [
        str(b.pk),
        "ML Engineer (B-2)",
        "2",
        "1",
        "0.5",
        "1",
        "1.0",
        "1",
        "1.0",
        "1",
        "1.0",
        "0.5",
    ]


def test_funnel_page_draws_the_chart_and_the_table(recruiter_client, pipeline):
    response = recruiter_client.get("/admin/reports/funnel/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="bar bar--main"') == 5  # one bar per stage
    assert "5 · 71% of applied · 71% step" in html
    assert "All vacancies in this report" in html and "4 (80%)" in html
    assert "<script" not in html.split('id="content-main"')[1]  # server-rendered, no chart script
    assert "Person a1" not in html  # counts only


def test_date_range_and_vacancy_filters(recruiter_client, pipeline):
    _, b = pipeline
    # b2 applied on day 20: outside 2026-03-02..2026-03-12.
    rows = _csv(
        recruiter_client.get(
            "/admin/reports/funnel/", {"format": "csv", "date_from": "2026-03-02", "date_to": "2026-03-12"}
        )
    )
    assert rows[1][2] == "6" and rows[3][2] == "1"
    rows = _csv(recruiter_client.get("/admin/reports/funnel/", {"format": "csv", "vacancy": b.pk}))
    assert [r[1] for r in rows[1:]] == ["all", "ML Engineer (B-2)"] and rows[1][2] == "2"
    # "to" is inclusive: a3 (day 1, 2026-03-03 09:00) is in a range ending on 2026-03-03.
    rows = _csv(recruiter_client.get("/admin/reports/funnel/", {"format": "csv", "date_to": "2026-03-03"}))
    assert rows[1][2] == "4"  # a1 a2 b1 (day 0) and a3 (day 1)


def test_a_bad_filter_is_a_clear_error(recruiter_client, pipeline):
    response = recruiter_client.get("/admin/reports/funnel/", {"date_from": "2026-13-40"})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    response = recruiter_client.get(
        "/admin/reports/sources/", {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400 and "must be on or before" in response.content.decode()
    response = recruiter_client.get("/admin/reports/funnel/", {"format": "csv", "vacancy": "999999"})
    assert response.status_code == 400 and b"vacancy" in response.content
    assert recruiter_client.get("/admin/reports/nope/").status_code == 404


# --- time in stage ------------------------------------------------------------------------------------------
def test_time_in_stage_median_p90_and_time_to_hire(recruiter_client, pipeline):
    rows = _by_first(_csv(recruiter_client.get("/admin/reports/time-in-stage/", {"format": "csv"})))
    # applied stays: a1 2, a2 1, a3 2, a4 0, a5 1, b1 3 → median 1.5, p90 2.5; b2 is still there.
    assert rows["applied"] == ["applied", "6", "1.5", "2.5", "1"]
    # screening: a1 3, a2 3 and 2 (the stay after the move back), a3 1 (then withdrew), a4 5, b1 2.
    assert rows["screening"] == ["screening", "6", "2.5", "4.0", "0"]
    # interview: a1 4, a2 2, b1 1; a4 is there now.
    assert rows["interview"] == ["interview", "3", "2.0", "3.6", "1"]
    assert rows["offer"] == ["offer", "2", "1.5", "1.9", "0"]
    assert rows["time_to_hire"] == ["time_to_hire", "2", "9.0", "9.8", ""]


def test_time_in_stage_page(recruiter_client, pipeline):
    html = recruiter_client.get("/admin/reports/time-in-stage/").content.decode()
    assert "median 2.5 d · p90 4.0 d" in html and "Time to hire" in html
    assert html.count('class="bar bar--light"') == 5 and html.count('class="bar bar--main"') == 5


# --- sources ------------------------------------------------------------------------------------------------
def test_candidates_by_source_with_their_conversion(recruiter_client, pipeline):
    rows = _by_first(_csv(recruiter_client.get("/admin/reports/sources/", {"format": "csv"})))
    # source, applications, then (reached, share of the source's applications) for screening … hired
    assert rows["portal"] == ["portal", "3", "3", "1.0", "3", "1.0", "2", "0.6667", "2", "0.6667"]
    assert rows["api"] == ["api", "1", "1", "1.0", "0", "0.0", "0", "0.0", "0", "0.0"]
    assert rows["sourced"] == ["sourced", "1", "1", "1.0", "1", "1.0", "0", "0.0", "0", "0.0"]
    assert rows["import"] == ["import", "2", "0", "0.0", "0", "0.0", "0", "0.0", "0", "0.0"]


# --- scores -------------------------------------------------------------------------------------------------
def test_score_distribution_says_not_enough_decisions_yet(recruiter_client, pipeline):
    rows = _csv(recruiter_client.get("/admin/reports/scores/", {"format": "csv"}))
    bins = {r[0]: r for r in rows[1:11]}
    # Decisions: a1 hired 80, b1 hired 90, a2 rejected 40, a5 rejected 20; a3 withdrew (not a decision).
    assert bins["80.0"][2:] == ["1", "0"] and bins["90.0"][2:] == ["1", "0"]
    assert bins["40.0"][2:] == ["0", "1"] and bins["20.0"][2:] == ["0", "1"]
    assert sum(int(r[2]) + int(r[3]) for r in rows[1:11]) == 4
    assert rows[13][:6] == ["4", "2", "2", "", "", ""] and rows[13][6] == "not enough decisions yet (4 of 20)"
    html = recruiter_client.get("/admin/reports/scores/").content.decode()
    assert "Not enough decisions yet (4 of 20)." in html and "ROC AUC" in html
    assert html.count('class="bar bar--first"') == 10 and html.count('class="bar bar--second"') == 10


def _decisions(vacancy, hired_scores, rejected_scores):
    for i, score in enumerate(hired_scores):
        _application(vacancy, f"h{i}", "portal", [("applied", 0), ("hired", 5)], score)
    for i, score in enumerate(rejected_scores):
        _application(vacancy, f"r{i}", "portal", [("applied", 0), ("rejected", 2)], score)


def test_roc_auc_with_its_interval_from_20_decisions(recruiter_client):
    vacancy = VacancyFactory()
    _decisions(vacancy, range(50, 100, 5), range(5, 50, 5))  # 10 hired, 9 rejected: 19 decisions
    html = recruiter_client.get("/admin/reports/scores/").content.decode()
    assert "Not enough decisions yet (19 of 20)." in html
    _application(vacancy, "r9", "portal", [("applied", 0), ("rejected", 2)], 50.0)  # the 20th: ties hired 50
    html = recruiter_client.get("/admin/reports/scores/").content.decode()
    assert "<strong>ROC AUC 0.995</strong>" in html  # (100 − ½) / 100 pairs
    rows = _csv(recruiter_client.get("/admin/reports/scores/", {"format": "csv"}))
    decisions, hired, rejected, auc, low, high, note = rows[13]
    assert (decisions, hired, rejected, auc, note) == ("20", "10", "10", "0.995", "")
    assert 0.9 < float(low) <= 0.995 <= float(high) <= 1.0
    assert (
        _csv(recruiter_client.get("/admin/reports/scores/", {"format": "csv"}))[13] == rows[13]
    )  # fixed seed


# --- permissions --------------------------------------------------------------------------------------------
def test_hiring_managers_see_their_vacancies_only_and_do_not_export(client, pipeline):
    a, b = pipeline
    client.force_login(HiringManagerFactory(vacancies=[b]))
    response = client.get("/admin/reports/funnel/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ML Engineer (B-2)" in html and "Data Engineer" not in html
    assert "Export CSV" not in html
    assert client.get("/admin/reports/funnel/", {"format": "csv"}).status_code == 403
    assert client.get("/admin/reports/funnel/", {"vacancy": a.pk}).status_code == 400  # not a choice for them
    html = client.get("/admin/reports/sources/").content.decode()
    assert '<th scope="row">Portal</th><td>1</td>' in html  # b1 only


def test_people_outside_the_workspace_are_refused(client, pipeline):
    assert client.get("/admin/reports/funnel/").status_code == 302  # to the login
    client.force_login(UserFactory(is_staff=True))  # staff, no workspace group
    assert client.get("/admin/reports/funnel/").status_code in (302, 403)
    client.force_login(UserFactory())  # a candidate's account
    assert client.get("/admin/reports/funnel/", {"format": "csv"}).status_code in (302, 403)


def test_the_reports_menu_links_each_report(recruiter_client):
    html = recruiter_client.get("/admin/").content.decode()
    for slug in ("funnel", "time-in-stage", "sources", "scores"):
        assert f'href="/admin/reports/{slug}/"' in html


def test_csv_export_escapes_spreadsheet_formulas(recruiter_client):
    vacancy = VacancyFactory(title='=HYPERLINK("http://evil")', reference="X")
    _application(vacancy, "x1", "portal", [("applied", 0)], 50.0)
    rows = _csv(recruiter_client.get("/admin/reports/funnel/", {"format": "csv"}))
    assert rows[2][1].startswith("'=HYPERLINK")


# --- query counts -------------------------------------------------------------------------------------------
# savepoint + release (ATOMIC_REQUESTS), session, user, workspace groups, the chosen vacancy, the report's rows
# (two queries: applications and their stage histories; one for scores), the admin's two permission queries,
# the vacancy choices of the filter.
REPORT_QUERIES = {"funnel": 11, "time-in-stage": 11, "sources": 11, "scores": 10}


@pytest.mark.parametrize("slug", sorted(REPORT_QUERIES))
def test_each_report_runs_a_fixed_number_of_queries(client, slug):
    user = RecruiterFactory()
    vacancy = VacancyFactory()
    client.force_login(user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/admin/reports/{slug}/", {"vacancy": vacancy.pk}).status_code == 200
        return len(ctx.captured_queries)

    _decisions(vacancy, [60.0, 70.0], [30.0])
    few = count()
    _decisions(vacancy, [61.0 + i for i in range(12)], [31.0 + i for i in range(12)])
    assert count() == few == REPORT_QUERIES[slug]
