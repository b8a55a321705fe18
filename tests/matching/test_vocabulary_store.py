"""matching.vocabulary_store: holding the vocabulary for a block of bulk work (an import chunk)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Skill, SkillCategory
from matching.vocabulary_store import skill_extractor, vocabulary_held
from tests.conftest import ensure_vocabulary

pytestmark = pytest.mark.django_db


def test_a_held_vocabulary_is_checked_once_per_block_and_a_change_is_seen_by_the_next_block():
    ensure_vocabulary()
    skill_extractor()  # warm: the checks below are the per-call ones
    with CaptureQueriesContext(connection) as unheld:
        skill_extractor()
        skill_extractor()
    with vocabulary_held(), CaptureQueriesContext(connection) as held:
        first = skill_extractor()
        for _ in range(5):
            assert skill_extractor() is first
        with vocabulary_held():  # nested: joins the outer block
            assert skill_extractor() is first
    assert 0 < len(held) and len(held) * 2 == len(unheld)

    Skill.objects.create(name="Quantum basket weaving", category=SkillCategory.METHOD)
    with vocabulary_held():
        extractor, version = skill_extractor()
    assert version != first[1]
    assert "Quantum basket weaving" in extractor.counts("Five years of quantum basket weaving.")
