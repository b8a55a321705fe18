"""Vacancy requirements: read from the wording, editable by recruiters, and their edits survive a re-import."""

import pytest

from matching.extraction import extract_min_years_required
from matching.models import Skill
from matching.profiles import vacancy_refresh_profile
from matching.selectors import vacancy_documents
from recruiting.models import DegreeLevel, SkillImportance, SkillOrigin, VacancySkill
from recruiting.services import vacancy_upsert

TEXT = """Machine learning engineer

Requirements
- You must have strong Python and SQL.
- At least 3 years of experience building machine learning systems.
- A master's degree in computer science or statistics.

Nice to have
- Kafka and Terraform are a plus.
"""


@pytest.mark.parametrize(
    "text, years",
    [
        ("at least two years of experience", 2.0),
        ("5+ years of professional experience with Python", 5.0),
        ("A minimum of 4 years' experience required", 4.0),
        ("With three to five years experience, this can rise to £50,000.", None),
        ("Experience with Spark", None),
    ],
)
def test_minimum_years_of_experience_from_the_wording(text, years):
    assert extract_min_years_required(text) == years


@pytest.mark.django_db
def test_requirements_are_read_from_wording_and_headings():
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=TEXT)
    links = {link.skill.name: link.importance for link in vacancy.skill_links.select_related("skill")}
    assert links["Python"] == links["SQL"] == SkillImportance.REQUIRED
    assert links["Kafka"] == links["Terraform"] == SkillImportance.DESIRABLE
    vacancy.refresh_from_db()
    assert vacancy.min_years_experience == 3.0
    ((_, doc),) = vacancy_documents([vacancy.pk])
    assert doc.min_qualification_level == DegreeLevel.MASTER
    assert doc.min_years_experience == 3.0


@pytest.mark.django_db
def test_recruiter_edits_win_over_extraction_and_survive_a_reimport():
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=TEXT)
    # A recruiter makes Kafka required, removes SQL, adds Docker, lowers the degree and sets 1 year.
    kafka = vacancy.skill_links.get(skill__name="Kafka")
    kafka.importance, kafka.origin = SkillImportance.REQUIRED, SkillOrigin.ENTERED
    kafka.save()
    vacancy.skill_links.filter(skill__name="SQL").delete()
    VacancySkill.objects.create(
        vacancy=vacancy,
        skill=Skill.objects.get(name="Docker"),
        importance=SkillImportance.DESIRABLE,
        origin=SkillOrigin.ENTERED,
    )
    vacancy.min_qualification_level = DegreeLevel.BACHELOR
    vacancy.min_years_experience = 1.0
    vacancy.requirements_edited = True
    vacancy.save()

    vacancy, created = vacancy_upsert(
        source="t", reference="mle", title="MLE", description=TEXT + "\nUpdated."
    )
    assert not created
    links = {link.skill.name: link.importance for link in vacancy.skill_links.select_related("skill")}
    assert links["Kafka"] == SkillImportance.REQUIRED and links["Docker"] == SkillImportance.DESIRABLE
    assert "SQL" not in links
    vacancy.refresh_from_db()
    assert vacancy.min_years_experience == 1.0 and "Updated." in vacancy.description
    ((_, doc),) = vacancy_documents([vacancy.pk])
    assert doc.min_qualification_level == DegreeLevel.BACHELOR

    # An explicit re-extract brings back what the text says, keeping what the recruiter entered.
    vacancy_refresh_profile(vacancy=vacancy)
    links = {link.skill.name: link.importance for link in vacancy.skill_links.select_related("skill")}
    assert links["SQL"] == SkillImportance.REQUIRED and links["Kafka"] == SkillImportance.REQUIRED
    assert "Docker" in links


# --- issue 12 item 7: many skills with no cues are capped, and the recruiter is told ----------------------
MANY = "Requirements\n" + "".join(
    f"- {name}\n"
    for name in (
        "Python",
        "SQL",
        "Docker",
        "Kafka",
        "Terraform",
        "Linux",
        "Git",
        "AWS",
        "Spark",
        "Hadoop",
        "Scala",
        "Java",
        "Communication",
        "Teamwork",
    )
)


@pytest.mark.django_db
def test_refresh_caps_a_long_uncued_list_and_flags_the_vacancy():
    vacancy, _ = vacancy_upsert(source="t", reference="many", title="MLE", description=MANY)
    vacancy.refresh_from_db()
    assert vacancy.requirements_capped is True
    links = {link.skill.name: link.importance for link in vacancy.skill_links.select_related("skill")}
    assert sum(kind == SkillImportance.REQUIRED for kind in links.values()) == 10
    assert links["Communication"] == links["Teamwork"] == SkillImportance.DESIRABLE

    vacancy.description = TEXT
    vacancy.save()
    vacancy_refresh_profile(vacancy=vacancy)
    vacancy.refresh_from_db()
    assert vacancy.requirements_capped is False


@pytest.mark.django_db
def test_the_admin_vacancy_page_shows_the_capped_notice(client):
    from django.urls import reverse

    from tests.factories import RecruiterFactory

    client.force_login(RecruiterFactory())
    vacancy, _ = vacancy_upsert(source="t", reference="many", title="MLE", description=MANY)
    url = reverse("admin:recruiting_vacancy_change", args=[vacancy.pk])
    notice = "the 10 named most were marked required. Confirm or edit them."
    assert notice in client.get(url).content.decode()
    plain, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=TEXT)
    page = client.get(reverse("admin:recruiting_vacancy_change", args=[plain.pk])).content.decode()
    assert notice not in page


@pytest.mark.django_db
def test_the_api_shows_requirements_capped_read_only():
    from recruiting.api.serializers.vacancies import VacancySerializer

    vacancy, _ = vacancy_upsert(source="t", reference="many", title="MLE", description=MANY)
    vacancy.refresh_from_db()
    assert VacancySerializer(vacancy).data["requirements_capped"] is True
    assert "requirements_capped" in VacancySerializer.Meta.read_only_fields
