"""Seed vacancies' requirements on the real data in ../shared (skipped where absent; fails under CI=true).

The five seeds are career articles naming dozens of skills with few cues: each must end with 3–15 required
skills, none of them a soft skill (issue 12 item 7).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recruiting.models import SkillImportance, Vacancy
from tests.conftest import ensure_vocabulary

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]


def test_each_seed_vacancy_has_3_to_15_required_skills_and_no_soft_one(
    shared_dir, django_capture_on_commit_callbacks
):
    ensure_vocabulary()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_vacancies",
            *sorted(str(p) for p in (shared_dir / "seeds").glob("*.txt")),
            stdout=StringIO(),
        )
    seeds = list(Vacancy.objects.filter(source="import").order_by("reference"))
    assert len(seeds) == 5
    for vacancy in seeds:
        links = vacancy.skill_links.select_related("skill")
        required = [
            (link.skill.name, link.skill.category)
            for link in links
            if link.importance == SkillImportance.REQUIRED
        ]
        print(
            vacancy.reference,
            len(required),
            vacancy.requirements_capped,
            sorted(name for name, _ in required),
        )
        assert 3 <= len(required) <= 15, (vacancy.reference, required)
        assert not [name for name, category in required if category == "soft"], vacancy.reference
