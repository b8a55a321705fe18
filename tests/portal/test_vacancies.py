"""The open vacancies: search by title and skill, filters, pagination, "your match" badges, and query counts
that do not grow with the number of vacancies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recruiting.models import Application, Vacancy
from tests.factories import MatchScoreFactory, SkillFactory, VacancyFactory, VacancySkillFactory

pytestmark = pytest.mark.django_db


def titles(response) -> set[str]:
    return {v.title for v in response.context["vacancies"]}


def test_search_by_title_or_skill(client):
    VacancyFactory(title="Computer Vision Engineer")
    nlp = VacancyFactory(title="NLP Engineer")
    VacancySkillFactory(vacancy=nlp, skill=SkillFactory(name="PyTorch"))

    assert titles(client.get("/", {"q": "vision"})) == {"Computer Vision Engineer"}
    assert titles(client.get("/", {"q": "pytorch"})) == {"NLP Engineer"}
    assert titles(client.get("/", {"q": "  "})) == {"Computer Vision Engineer", "NLP Engineer"}


def test_filters_seniority_remote_employment_type_and_salary(client):
    VacancyFactory(
        title="A",
        seniority="senior",
        remote="remote",
        employment_type="permanent",
        salary_min=Decimal(80000),
        salary_max=Decimal(100000),
    )
    VacancyFactory(
        title="B",
        seniority="mid",
        remote="onsite",
        employment_type="contract",
        salary_min=Decimal(50000),
        salary_max=Decimal(60000),
    )
    VacancyFactory(
        title="C",
        seniority="senior",
        remote="hybrid",
        employment_type="permanent",
        salary_min=Decimal(90000),
        salary_max=None,
    )
    VacancyFactory(
        title="D",
        seniority="senior",
        remote="remote",
        employment_type="permanent",
        salary_min=None,
        salary_max=None,
    )

    assert titles(client.get("/", {"seniority": "senior"})) == {"A", "C", "D"}
    assert titles(client.get("/", {"remote": "remote"})) == {"A", "D"}
    assert titles(client.get("/", {"employment_type": "contract"})) == {"B"}
    assert titles(client.get("/", {"salary": "85000"})) == {"A", "C"}
    assert titles(client.get("/", {"seniority": "senior", "remote": "remote", "salary": "95000"})) == {"A"}


def test_a_minimum_salary_in_a_currency_keeps_only_vacancies_paying_in_it(client):
    VacancyFactory(
        title="EUR high", salary_min=Decimal(90000), salary_max=Decimal(110000), salary_currency="EUR"
    )
    VacancyFactory(
        title="EUR low", salary_min=Decimal(40000), salary_max=Decimal(50000), salary_currency="EUR"
    )
    VacancyFactory(
        title="INR", salary_min=Decimal(1500000), salary_max=Decimal(2500000), salary_currency="INR"
    )
    # without a currency the amount is read in each vacancy's own currency: 2,500,000 rupees "beat" 85,000
    assert titles(client.get("/", {"salary": "85000"})) == {"EUR high", "INR"}
    assert titles(client.get("/", {"salary": "85000", "currency": "EUR"})) == {"EUR high"}
    assert titles(client.get("/", {"currency": "INR"})) == {"INR"}
    html = client.get("/").content.decode()
    assert '<option value="EUR">EUR</option>' in html and '<option value="INR">INR</option>' in html


def test_an_invalid_filter_value_is_shown_beside_its_field_and_ignored(client):
    VacancyFactory(title="A")
    response = client.get("/", {"seniority": "wizard"})
    html = response.content.decode()
    assert titles(response) == {"A"}
    assert 'id="id_seniority_error"' in html


def test_search_form_has_a_label_for_every_field(client):
    html = client.get("/").content.decode()
    for name in ("q", "seniority", "remote", "employment_type", "salary", "currency"):
        assert f'<label for="id_{name}">' in html, name


def test_pagination_keeps_the_filters(client):
    for i in range(25):
        VacancyFactory(title=f"Role {i:02d}", seniority="senior")
    response = client.get("/", {"seniority": "senior"})
    html = response.content.decode()
    assert "?seniority=senior&amp;page=2" in html
    second = client.get("/", {"seniority": "senior", "page": "2"})
    assert len(second.context["vacancies"]) == 5


def test_no_results_says_so(client):
    VacancyFactory(title="A")
    html = client.get("/", {"q": "quantum"}).content.decode()
    assert "No open vacancy matches this search." in html


def test_anonymous_visitors_are_invited_to_sign_up(client):
    VacancyFactory()
    html = client.get("/").content.decode()
    assert "to see how well you match each role" in html
    assert 'href="/accounts/login/"' in html and 'href="/accounts/signup/"' in html


def test_a_candidate_sees_their_match_and_applications_on_the_cards(candidate_client, candidate):
    good = VacancyFactory(title="Good fit")
    VacancyFactory(title="Unscored")
    MatchScoreFactory(
        candidate=candidate, vacancy=good, skills_score=90, qualifications_score=100, text_score=80
    )
    Application.objects.create(candidate=candidate, vacancy=good)

    response = candidate_client.get("/")

    html = response.content.decode()
    by_title = {v.title: v for v in response.context["vacancies"]}
    assert round(by_title["Good fit"].my_score) == 89 and by_title["Good fit"].applied
    assert by_title["Unscored"].my_score is None and not by_title["Unscored"].applied
    assert '<span class="match-badge__value">89</span>' in html
    assert "Applied" in html
    assert "My applications" in html and "Log out" in html


def _vacancies(n: int) -> None:
    skills = [SkillFactory(name=f"Skill {i}") for i in range(3)]
    for i in range(n):
        vacancy = VacancyFactory(title=f"Role {i:03d}")
        for skill in skills:
            VacancySkillFactory(vacancy=vacancy, skill=skill)


@pytest.mark.parametrize("n", [2, 30])
def test_list_query_count_is_constant_for_visitors(client, django_assert_num_queries, n):
    _vacancies(n)
    # count + page + skill links (prefetch) + the currencies on offer (search form) + the request's savepoint
    # pair (ATOMIC_REQUESTS) + the vocabulary skills the search names (related-skill search, issue 14)
    with django_assert_num_queries(7):
        response = client.get("/", {"q": "Role", "seniority": "senior", "salary": "1000"})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 30])
def test_list_query_count_is_constant_for_candidates(
    candidate_client, candidate, django_assert_num_queries, n
):
    _vacancies(n)
    for vacancy in Vacancy.objects.all()[:2]:
        MatchScoreFactory(candidate=candidate, vacancy=vacancy)
    # session + user + candidate + count + page (scores and applications as subqueries) + skill links
    # + the currencies on offer + the request's savepoint pair + the skills the search names + the match bands
    # (issue 14)
    with django_assert_num_queries(11):
        response = candidate_client.get("/", {"q": "Role"})
    assert response.status_code == 200
    assert len(response.context["vacancies"]) == min(n, 20)
