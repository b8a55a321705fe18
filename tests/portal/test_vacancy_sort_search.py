"""The candidate's vacancy list sorted by "your match", and the search finding vacancies by related skills (the
engine's related-skill data: "PyTorch" finds the deep-learning roles)."""

from __future__ import annotations

import pytest

from recruiting.models import SkillImportance
from tests.conftest import ensure_vocabulary
from tests.factories import MatchScoreFactory, VacancyFactory, VacancySkillFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [v.title for v in response.context["vacancies"]]


def test_a_candidate_sorts_the_vacancies_by_their_match(candidate_client, candidate):
    low, high = VacancyFactory(title="Low fit"), VacancyFactory(title="High fit")
    VacancyFactory(title="Not scored")
    MatchScoreFactory(candidate=candidate, vacancy=low, score=31.0)
    MatchScoreFactory(candidate=candidate, vacancy=high, score=82.0)
    newest = _titles(candidate_client.get("/"))
    assert newest == ["Not scored", "High fit", "Low fit"]  # newest first by default
    response = candidate_client.get("/", {"sort": "match"})
    assert _titles(response) == ["High fit", "Low fit", "Not scored"]
    html = response.content.decode()
    assert '<option value="match" selected>Your match</option>' in html


def test_visitors_get_newest_first_whatever_they_ask(client):
    VacancyFactory(title="Older")
    VacancyFactory(title="Newer")
    response = client.get("/", {"sort": "match"})
    assert _titles(response) == ["Newer", "Older"]
    assert 'name="sort"' not in response.content.decode()


def test_searching_a_skill_finds_vacancies_asking_for_related_skills(client):
    from matching.models import Skill

    ensure_vocabulary()
    deep = VacancyFactory(title="Research engineer")
    VacancySkillFactory(
        vacancy=deep, skill=Skill.objects.get(name="Deep learning"), importance=SkillImportance.REQUIRED
    )
    tf = VacancyFactory(title="Vision engineer")
    VacancySkillFactory(vacancy=tf, skill=Skill.objects.get(name="TensorFlow"))
    sql = VacancyFactory(title="Analytics engineer")
    VacancySkillFactory(vacancy=sql, skill=Skill.objects.get(name="SQL"))
    found = _titles(client.get("/", {"q": "PyTorch"}))
    assert "Research engineer" in found and "Vision engineer" in found
    assert "Analytics engineer" not in found
    # Aliases name the skill too; a word that is no skill still searches titles only.
    assert "Research engineer" in _titles(client.get("/", {"q": "torch"}))
    assert _titles(client.get("/", {"q": "Analytics"})) == ["Analytics engineer"]
