"""Skill mentions are counted one way (issue 13): ``matching.extraction.mention_counts``, which
``SkillExtractor.counts``, the requirement decision and a CV's evidence all use.

What a recruiter sees as a skill's "mentions" on a vacancy or a candidate is that count of the text.
"""

from __future__ import annotations

import pytest

from matching import vocabulary_store
from recruiting.services import candidate_upsert, vacancy_upsert

CV = (
    "Machine learning engineer.\n"
    "Built Python services and Python tooling for model training in PyTorch.\n"
    "Skills: Python, SQL, Docker, PyTorch\n"
)
VACANCY = (
    "Senior ML engineer.\n"
    "You must have strong Python and SQL; Python is used everywhere.\n"
    "Nice to have: Docker, Kubernetes.\n"
)


@pytest.mark.django_db
def test_a_candidate_s_and_a_vacancy_s_mentions_are_the_extractor_s_counts():
    extractor, _ = vocabulary_store.skill_extractor()
    assert extractor.counts(CV)["Python"] == 3 and extractor.counts(VACANCY)["Python"] == 2

    candidate, _ = candidate_upsert(source="t", reference="cv", cv_text=CV)
    shown = {link.skill.name: link.mentions for link in candidate.skill_links.select_related("skill")}
    assert shown == extractor.counts(CV)
    assert {n: e.mentions for n, e in vocabulary_store.cv_evidence(CV).skills.items()} == extractor.counts(CV)

    vacancy, _ = vacancy_upsert(source="t", reference="v", title="ML engineer", description=VACANCY)
    shown = {link.skill.name: link.mentions for link in vacancy.skill_links.select_related("skill")}
    assert shown == extractor.counts(VACANCY)
