"""The public portal: open vacancies only, paginated, descriptions escaped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from recruiting.models import SkillImportance, Vacancy
from tests.factories import QualificationFactory, SkillFactory, VacancyFactory, VacancySkillFactory

pytestmark = pytest.mark.django_db


def test_list_shows_only_open_vacancies(client):
    VacancyFactory(title="Open ML Role")
    VacancyFactory(title="Draft ML Role", status=Vacancy.Status.DRAFT)
    VacancyFactory(title="Closed ML Role", status=Vacancy.Status.CLOSED)

    response = client.get(reverse("portal:vacancy_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Open ML Role" in html
    assert "Draft ML Role" not in html and "Closed ML Role" not in html
    assert "MatchWork" in html
    assert '<main id="main"' in html


def test_list_shows_pay_and_key_skills(client):
    vacancy = VacancyFactory(salary_min=Decimal(60000), salary_max=Decimal(80000), salary_currency="GBP")
    VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="PyTorch"))

    html = client.get(reverse("portal:vacancy_list")).content.decode()

    assert "£60,000–£80,000" in html
    assert "PyTorch" in html


def test_list_paginates_by_twenty(client, django_assert_max_num_queries):
    for i in range(25):
        VacancySkillFactory(vacancy=VacancyFactory(title=f"Role number {i:02d}"))

    # count + page + skill links (prefetch) + the currencies on offer + the request's savepoint pair
    with django_assert_max_num_queries(6):
        first = client.get(reverse("portal:vacancy_list"))
    second = client.get(reverse("portal:vacancy_list"), {"page": 2})

    assert len(first.context["page_obj"].object_list) == 20
    assert len(second.context["page_obj"].object_list) == 5
    assert 'rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_detail_shows_open_vacancy_with_skills_qualifications_and_pay(client):
    vacancy = VacancyFactory(
        title="Applied Scientist",
        salary_min=None,
        salary_max=None,
        day_rate_min=Decimal(500),
        day_rate_max=Decimal(650),
        salary_currency="EUR",
    )
    VacancySkillFactory(
        vacancy=vacancy, skill=SkillFactory(name="Python"), importance=SkillImportance.REQUIRED
    )
    VacancySkillFactory(
        vacancy=vacancy, skill=SkillFactory(name="Kafka"), importance=SkillImportance.DESIRABLE
    )
    QualificationFactory(vacancy=vacancy, field="statistics")

    response = client.get(reverse("portal:vacancy_detail", args=[vacancy.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Applied Scientist" in html
    assert "€500–€650 per day" in html
    assert "Python" in html and "Kafka" in html
    assert "Master&#x27;s degree in statistics" in html or "Master's degree in statistics" in html
    required, desirable = html.index("Required skills"), html.index("Desirable skills")
    assert (
        required < html.index('chip--required">Python', required) < desirable < html.index("Kafka", desirable)
    )


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_detail_404_for_draft_and_closed(client, status):
    vacancy = VacancyFactory(status=status)
    assert client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).status_code == 404


def test_detail_404_for_missing(client):
    assert client.get(reverse("portal:vacancy_detail", args=[999999])).status_code == 404


def test_description_html_is_escaped_and_line_breaks_kept(client):
    vacancy = VacancyFactory(
        description='<script>alert("x")</script>\n<img src=x onerror=alert(1)>\n\nSecond paragraph'
    )

    html = client.get(reverse("portal:vacancy_detail", args=[vacancy.pk])).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    # Markdown rendered and sanitised (recruiting.markup): the tags are text; quotes in text need no escaping.
    assert '&lt;script&gt;alert("x")&lt;/script&gt;<br>' in html
    assert "<p>Second paragraph</p>" in html
