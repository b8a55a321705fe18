"""The recruiter workspace: who gets in, the ranked shortlist, best vacancies, actions, read-only admins."""

from __future__ import annotations

import re
import sys
import types

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from matching.models import MatchScore
from recruiting.models import Vacancy
from recruiting.permissions import RECRUITERS_GROUP
from tests.factories import (
    PASSWORD,
    CandidateFactory,
    CandidateSkillFactory,
    MatchScoreFactory,
    RecruiterFactory,
    ScoringRunFactory,
    SkillFactory,
    UserFactory,
    VacancyFactory,
    VacancySkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter_client(client):
    client.force_login(RecruiterFactory())
    return client


def _rank_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: html.index(name))


# --- access ------------------------------------------------------------------------------------------

def test_recruiters_group_created_by_migration_with_expected_permissions():
    group = Group.objects.get(name=RECRUITERS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_vacancy", "change_vacancy", "add_vacancy", "add_qualification", "view_matchscore"} <= codenames
    assert "change_matchscore" not in codenames
    assert "delete_vacancy" not in codenames


def test_recruiter_logs_in_through_the_admin_login_form(client):
    recruiter = RecruiterFactory()
    response = client.post(
        reverse("admin:login"), {"username": recruiter.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_superuser_gets_in(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "user_kwargs",
    [
        pytest.param({"is_staff": True}, id="staff-not-in-group"),
        pytest.param({"is_staff": False}, id="not-staff"),
    ],
)
def test_users_outside_the_recruiters_group_are_refused(client, user_kwargs):
    user = UserFactory(**user_kwargs)
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("admin:recruiting_vacancy_changelist")).status_code == 302


def test_non_staff_user_in_the_group_is_refused(client):
    user = RecruiterFactory(is_staff=False)
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302


def test_inactive_recruiter_is_refused(client):
    user = RecruiterFactory(is_active=False)
    assert not client.login(username=user.username, password=PASSWORD)


# --- vacancy shortlist ------------------------------------------------------------------------------

def test_vacancy_change_page_shows_ranked_shortlist(recruiter_client):
    vacancy = VacancyFactory()
    low = MatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Low Lovelace"),
                            skills_score=20, qualifications_score=0, text_score=10)
    top = MatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Top Turing"),
                            skills_score=95, qualifications_score=100, text_score=70)
    mid = MatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Mid Hopper"),
                            skills_score=60, qualifications_score=50, text_score=40)
    sparse = MatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name="Sparse Shannon"),
                               insufficient=True)
    MatchScoreFactory(candidate=CandidateFactory(name="Other Vacancy Person"))  # another vacancy's score

    response = recruiter_client.get(reverse("admin:recruiting_vacancy_change", args=[vacancy.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ranked shortlist" in html
    names = ["Top Turing", "Mid Hopper", "Low Lovelace", "Sparse Shannon"]
    assert _rank_order(html, names) == names
    assert "Other Vacancy Person" not in html
    assert f"{top.score:.1f}" in html and f"{mid.score:.1f}" in html and f"{low.score:.1f}" in html
    # Components as bars with the number as text.
    assert 'style="width: 95.0%"' in html
    assert "Text similarity" in html
    # Matched skills with importance and evidence tooltip; missing ones with required highlighted.
    assert 'title="Five years of Python for data pipelines"' in html
    assert re.search(r'mw-chip--missing mw-chip--missing-required"[^>]*>\s*Kubernetes', html)
    assert re.search(r'class="mw-chip mw-chip--missing"[^>]*>\s*Kafka', html)
    # Insufficient data: the reason, not bars.
    assert "The CV has fewer than 20 words of readable text." in html
    # Links to each candidate's admin page, engine version shown.
    for score in (top, mid, low, sparse):
        assert reverse("admin:recruiting_candidate_change", args=[score.candidate_id]) in html
    assert "tfidf-test-1" in html
    assert "of 4 scored candidates" in html


def test_shortlist_limit_parameter(recruiter_client):
    vacancy = VacancyFactory()
    for i in range(7):
        MatchScoreFactory(vacancy=vacancy, candidate=CandidateFactory(name=f"Person {i:02d}"), skills_score=i * 10)

    response = recruiter_client.get(
        reverse("admin:recruiting_vacancy_change", args=[vacancy.pk]), {"shortlist_limit": 3}
    )

    assert len(response.context["shortlist_rows"]) == 3
    assert [row["candidate"].name for row in response.context["shortlist_rows"]] == [
        "Person 06", "Person 05", "Person 04",
    ]
    assert "top 3 of 7 scored candidates" in response.content.decode()


def test_shortlist_tolerates_bad_limit_and_defaults_to_50(recruiter_client):
    vacancy = VacancyFactory()
    MatchScoreFactory.create_batch(3, vacancy=vacancy)
    url = reverse("admin:recruiting_vacancy_change", args=[vacancy.pk])
    assert recruiter_client.get(url, {"shortlist_limit": "lots"}).context["shortlist_limit"] == 50
    assert recruiter_client.get(url).context["shortlist_limit"] == 50


def _populate(vacancy, n: int) -> None:
    for i in range(n):
        MatchScoreFactory(vacancy=vacancy, skills_score=(i * 7) % 100)


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_shortlist_query_count_does_not_grow_with_candidates(recruiter_client, django_assert_max_num_queries):
    small, large = VacancyFactory(), VacancyFactory()
    _populate(small, 5)
    _populate(large, 60)
    small_url = reverse("admin:recruiting_vacancy_change", args=[small.pk])
    large_url = reverse("admin:recruiting_vacancy_change", args=[large.pk])
    recruiter_client.get(small_url)  # warm per-process caches (content types)

    small_count = _count_queries(recruiter_client, small_url)
    assert small_count < 30
    with django_assert_max_num_queries(small_count):
        response = recruiter_client.get(large_url)
    assert len(response.context["shortlist_rows"]) == 50


def test_shortlist_selector_is_one_query(django_assert_num_queries):
    from recruiting.selectors import vacancy_shortlist

    vacancy = VacancyFactory()
    _populate(vacancy, 12)
    with django_assert_num_queries(1):
        scores = vacancy_shortlist(vacancy=vacancy, limit=10)
        names = [score.candidate.name for score in scores]
    assert len(names) == 10
    assert [s.score for s in scores] == sorted((s.score for s in scores), reverse=True)


def test_vacancy_changelist_shows_score_stats(recruiter_client):
    vacancy = VacancyFactory(title="Senior MLE")
    MatchScoreFactory(vacancy=vacancy, skills_score=100, qualifications_score=100, text_score=100)
    MatchScoreFactory(vacancy=vacancy)
    VacancyFactory(title="Unscored role")

    response = recruiter_client.get(reverse("admin:recruiting_vacancy_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Senior MLE" in html and "Unscored role" in html
    assert "100.0" in html
    assert "£70,000–£90,000" in html


# --- candidate page ----------------------------------------------------------------------------------

def test_candidate_change_page_shows_best_vacancies_and_cv(recruiter_client):
    candidate = CandidateFactory(cv_text="<script>alert(1)</script> Python engineer")
    CandidateSkillFactory(candidate=candidate, skill=SkillFactory(name="Python"))
    best = MatchScoreFactory(candidate=candidate, vacancy=VacancyFactory(title="Best Fit Role"), skills_score=90)
    worse = MatchScoreFactory(candidate=candidate, vacancy=VacancyFactory(title="Worse Fit Role"), skills_score=10)

    response = recruiter_client.get(reverse("admin:recruiting_candidate_change", args=[candidate.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Best-matching vacancies" in html
    assert _rank_order(html, ["Best Fit Role", "Worse Fit Role"]) == ["Best Fit Role", "Worse Fit Role"]
    assert reverse("admin:recruiting_vacancy_change", args=[best.vacancy_id]) in html
    assert reverse("admin:recruiting_vacancy_change", args=[worse.vacancy_id]) in html
    assert "Kubernetes" in html  # missing skills
    assert '<pre class="mw-cv"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_candidate_changelist_never_shows_cv_text(recruiter_client):
    candidate = CandidateFactory(name="Grace", cv_text="SECRET-CV-CONTENT")
    CandidateSkillFactory.create_batch(3, candidate=candidate)
    MatchScoreFactory(candidate=candidate, skills_score=100, qualifications_score=100, text_score=100)

    response = recruiter_client.get(reverse("admin:recruiting_candidate_changelist"), {"q": "Grace"})

    html = response.content.decode()
    assert "Grace" in html
    assert "SECRET-CV-CONTENT" not in html
    assert "100.0" in html


# --- actions -----------------------------------------------------------------------------------------

def _run_action(client, action: str, vacancies: list[Vacancy]):
    return client.post(
        reverse("admin:recruiting_vacancy_changelist"),
        {"action": action, "_selected_action": [v.pk for v in vacancies]},
        follow=True,
    )


def test_publish_and_close_actions(recruiter_client):
    draft = VacancyFactory(status=Vacancy.Status.DRAFT)
    closed = VacancyFactory(status=Vacancy.Status.CLOSED)
    untouched = VacancyFactory(status=Vacancy.Status.DRAFT)

    response = _run_action(recruiter_client, "publish", [draft, closed])
    assert "2 vacancies published." in response.content.decode()
    draft.refresh_from_db(); closed.refresh_from_db(); untouched.refresh_from_db()  # noqa: E702
    assert (draft.status, closed.status, untouched.status) == ("open", "open", "draft")

    response = _run_action(recruiter_client, "close", [draft])
    assert "1 vacancy closed." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Vacancy.Status.CLOSED


def test_rescore_action_enqueues_each_vacancy(recruiter_client, monkeypatch):
    calls = []
    fake = types.ModuleType("matching.services")
    fake.enqueue_vacancy_scoring = lambda *, vacancy_id: calls.append(vacancy_id)
    monkeypatch.setitem(sys.modules, "matching.services", fake)
    first, second = VacancyFactory(), VacancyFactory()

    response = _run_action(recruiter_client, "rescore", [first, second])

    assert sorted(calls) == sorted([first.pk, second.pk])
    assert "Rescoring queued for 2 vacancies" in response.content.decode()


# --- other admins ------------------------------------------------------------------------------------

def test_matchscore_and_scoring_run_admins_are_read_only(recruiter_client):
    score = MatchScoreFactory()
    ScoringRunFactory(total=1000, done=250)

    assert recruiter_client.get(reverse("admin:matching_matchscore_changelist")).status_code == 200
    page = recruiter_client.get(reverse("admin:matching_matchscore_change", args=[score.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert recruiter_client.get(reverse("admin:matching_matchscore_add")).status_code == 403
    runs = recruiter_client.get(reverse("admin:matching_scoringrun_changelist")).content.decode()
    assert "250 of 1,000" in runs
    assert MatchScore.objects.count() == 1


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:matching_skill_changelist",
        "admin:recruiting_application_changelist",
        "admin:recruiting_candidate_add",
        "admin:recruiting_vacancy_add",
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


def test_engine_shaped_components_feed_the_summary_bars_and_breakdown(recruiter_client):
    """The engine explains with finer components (required, desirable, qualification, experience, text)."""
    components = [
        {"name": "required", "label": "Required skills", "score": 75.0, "weight": 0.4, "points": 30.0},
        {"name": "desirable", "label": "Desirable skills", "score": 50.0, "weight": 0.1, "points": 5.0},
        {"name": "qualification", "label": "Qualification", "score": 100.0, "weight": 0.15, "points": 15.0},
        {"name": "experience", "label": "Experience", "score": 40.0, "weight": 0.1, "points": 4.0},
        {"name": "text", "label": "Text similarity", "score": 20.0, "weight": 0.25, "points": 5.0},
    ]
    score = MatchScoreFactory(
        skills_score=70.0, qualifications_score=100.0, text_score=20.0, score=59.0,
        explanation={"state": "scored", "reason": "", "components": components, "engine_version": "1.0.0"},
        stale=True,
    )

    html = recruiter_client.get(
        reverse("admin:recruiting_vacancy_change", args=[score.vacancy_id])
    ).content.decode()

    assert 'title="weight 50%, 35.0 points"' in html  # skills bar groups required + desirable
    assert "How 59.0 adds up" in html
    assert "Experience" in html
    assert "stale" in html
