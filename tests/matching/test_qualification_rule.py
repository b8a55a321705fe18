"""The minimum-qualification rule has one home (issue 13): ``matching.scoring.minimum_qualification_level``.

The engine scores a vacancy against the level it asks for, and the portal tells a candidate whether their degree
fits that level; both must read the same level.
"""

from __future__ import annotations

import pytest

from matching import selectors as matching_selectors
from matching.scoring import minimum_qualification_level
from portal.selectors import qualification_fit
from recruiting.models import DegreeLevel
from tests.factories import CandidateFactory, QualificationFactory, VacancyFactory


@pytest.mark.parametrize(
    ("stated", "levels", "wanted"),
    [(3, [1, 2], 3), (0, [3, 2], 2), (None, [4], 4), (0, [], 0), (None, [], 0)],
)
def test_the_stated_level_wins_else_the_lowest_named(stated, levels, wanted):
    assert minimum_qualification_level(stated, levels) == wanted


@pytest.mark.django_db
@pytest.mark.parametrize("stated", [0, DegreeLevel.DOCTORATE])
def test_the_portal_and_the_engine_read_the_same_level(stated):
    vacancy = VacancyFactory(min_qualification_level=stated)
    for level in (DegreeLevel.MASTER, DegreeLevel.BACHELOR):
        QualificationFactory(vacancy=vacancy, candidate=None, level=level, field="Computer Science")
    candidate = CandidateFactory()
    QualificationFactory(candidate=candidate, vacancy=None, level=DegreeLevel.BACHELOR, field="Physics")

    [(_, document)] = matching_selectors.vacancy_documents([vacancy.pk])
    wanted = stated or DegreeLevel.BACHELOR
    assert document.min_qualification_level == wanted
    fit = qualification_fit(candidate=candidate, vacancy=vacancy)
    assert fit["fits"] is (wanted <= DegreeLevel.BACHELOR)
    assert DegreeLevel(wanted).label in fit["text"]
