"""The worker's cache of vectorised vacancies (``matching.vacancy_cache``): one aggregate query must notice every
change to a vacancy's scoring inputs, so a candidate's save is never scored against a vacancy as it was before
an edit; and nothing a candidate holds may throw the cache away."""

import pytest

from matching.vacancy_cache import _vacancy_signature
from recruiting.models import Qualification, Vacancy, VacancySkill
from tests.factories import (
    CandidateFactory,
    QualificationFactory,
    SkillFactory,
    VacancyFactory,
    VacancySkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy():
    vacancy = VacancyFactory()
    VacancySkill.objects.filter(vacancy=vacancy).delete()
    VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="Cache skill A"), importance="required")
    VacancySkillFactory(vacancy=vacancy, skill=SkillFactory(name="Cache skill B"), importance="desirable")
    QualificationFactory(vacancy=vacancy, level=2)
    return vacancy


CHANGES = {
    "an edit saved (updated_at)": lambda v: v.save(),
    "minimum years set without a save": lambda v: Vacancy.objects.filter(pk=v.pk).update(
        min_years_experience=(v.min_years_experience or 0) + 2
    ),
    "minimum qualification set without a save": lambda v: Vacancy.objects.filter(pk=v.pk).update(
        min_qualification_level=4
    ),
    "a vacancy added": lambda v: VacancyFactory(),
    "a skill link added": lambda v: VacancySkillFactory(vacancy=v, skill=SkillFactory(name="Cache skill C")),
    "a skill link removed": lambda v: v.skill_links.filter(skill__name="Cache skill B").delete(),
    "a skill's mentions changed": lambda v: v.skill_links.update(mentions=7),
    "a skill made required": lambda v: v.skill_links.update(importance="required"),
    "a skill swapped for another": lambda v: v.skill_links.filter(skill__name="Cache skill B").update(
        skill=SkillFactory(name="Cache skill D")
    ),
    "a qualification added": lambda v: QualificationFactory(vacancy=v, level=3),
    "a qualification's level changed": lambda v: Qualification.objects.filter(vacancy=v).update(level=4),
    "a qualification removed": lambda v: Qualification.objects.filter(vacancy=v).delete(),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_to_a_vacancys_scoring_inputs_changes_the_signature(vacancy, change):
    before = _vacancy_signature()
    assert _vacancy_signature() == before  # nothing changed: the cache is kept
    CHANGES[change](vacancy)
    assert _vacancy_signature() != before


def test_a_candidates_qualifications_leave_the_vacancies_cached(vacancy):
    before = _vacancy_signature()
    candidate = CandidateFactory()
    QualificationFactory(candidate=candidate, level=4)
    Qualification.objects.filter(candidate=candidate).update(level=5)
    assert _vacancy_signature() == before
