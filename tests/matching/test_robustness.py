"""matching.robustness with literal texts and a small real extractor; no database."""

import pytest

from matching.extraction import SkillEntry, SkillExtractor
from matching.robustness import (
    SHAPES,
    count_ties,
    rank_of,
    strip_skill_sentences,
    stuffing_cvs,
    synonym_rewrite,
)

ENTRIES = [
    SkillEntry("Python", "language"),
    SkillEntry("SQL", "language", aliases=("structured query language",)),
    SkillEntry("scikit-learn", "library", aliases=("sklearn", "scikit learn")),
    SkillEntry("PyTorch", "library"),
    SkillEntry("Machine learning", "method", aliases=("ML",)),
    SkillEntry("Docker", "platform"),
    SkillEntry("R", "language", aliases=("RStudio",), ambiguous=True),
]
EXTRACTOR = SkillExtractor(ENTRIES)
VOCABULARY = [f"Tool{i}" for i in range(80)] + ["Python", "SQL", "PyTorch"]
WEAK_CV = "Shop assistant for three years. Handled the till and stock. Diploma in retail."


def test_stuffing_shapes_are_deterministic_and_shaped_as_described():
    vacancy = ["Python", "PyTorch", "SQL"]
    a = stuffing_cvs(vacancy, VOCABULARY, WEAK_CV, seed=7)
    assert a == stuffing_cvs(vacancy, VOCABULARY, WEAK_CV, seed=7)
    assert a != stuffing_cvs(vacancy, VOCABULARY, WEAK_CV, seed=8)
    assert tuple(a) == SHAPES

    lines = a["repeated_list"].splitlines()
    assert len(lines) == 20
    names = [set(line.split(", ")) for line in lines]
    assert all(len(n) == 35 and n == names[0] for n in names)  # the same 35 names each time …
    assert len({line for line in lines}) > 1  # … in shuffled orders
    assert {"Python", "PyTorch", "SQL"} <= names[0]

    assert "Skills" in a["vacancy_copy"]
    assert [ln for ln in a["vacancy_copy"].splitlines() if ln.startswith("• ")] == [
        "• Python",
        "• PyTorch",
        "• SQL",
    ]

    assert a["hidden_block"].startswith(WEAK_CV)
    block = a["hidden_block"].split("Keywords:\n", 1)[1].split(", ")
    assert len(block) == 40 and block[:3] == vacancy

    sixty = [n for line in a["sixty_mentions"].splitlines() for n in line.split(", ")]
    assert len(sixty) == len(set(sixty)) == 60 and sixty[:3] == vacancy


def test_stuffing_keeps_every_vacancy_skill_even_beyond_the_size():
    many = [f"Skill{i}" for i in range(45)]
    out = stuffing_cvs(many, VOCABULARY, WEAK_CV, seed=1)
    assert out["hidden_block"].split("Keywords:\n", 1)[1].split(", ") == many


def test_stuffing_names_nothing_but_skills_and_a_headline():
    out = stuffing_cvs(["Python"], VOCABULARY, WEAK_CV, seed=3)
    for text in (out["repeated_list"], out["sixty_mentions"]):
        assert set(text.replace("\n", ", ").split(", ")) <= set(VOCABULARY)


def test_strip_removes_every_sentence_with_a_skill():
    cv = (
        "Built churn models in Python; deployed them with Docker. Led a team of four!\n"
        "• Cleaned data with sklearn\n• Ran weekly reviews\n"
        "Education: BSc Mathematics. Hobbies: chess"
    )
    out = strip_skill_sentences(cv, EXTRACTOR)
    assert EXTRACTOR.find(out) == []
    assert "Led a team of four!" in out and "Ran weekly reviews" in out and "Hobbies: chess" in out
    assert "Python" not in out and "Docker" not in out and "sklearn" not in out
    assert strip_skill_sentences("No skills here.", EXTRACTOR) == "No skills here."


def test_synonym_rewrite_uses_another_spelling_of_the_same_entry():
    cv = "Python, R and SQL. Models in sklearn and PyTorch; ML pipelines."
    out = synonym_rewrite(cv, EXTRACTOR, ENTRIES)
    assert (
        out == "Python, RStudio and structured query language. Models in scikit learn and PyTorch; "
        "Machine learning pipelines."
    )
    assert sorted(m.skill for m in EXTRACTOR.find(out)) == sorted(m.skill for m in EXTRACTOR.find(cv))
    assert synonym_rewrite(cv, EXTRACTOR, ENTRIES) == out  # deterministic


@pytest.mark.parametrize(
    "scores, i, rank",
    [
        ([90, 80, 80, 70], 0, 1),
        ([90, 80, 80, 70], 1, 2),
        ([90, 80, 80, 70], 2, 2),
        ([90, 80, 80, 70], 3, 4),
        ([None, 50.0, float("nan")], 0, 2),
        ([None, 50.0, float("nan")], 2, 2),
        ([None, 50.0], 1, 1),
    ],
)
def test_rank_of_is_competition_ranking(scores, i, rank):
    assert rank_of(scores, i) == rank


def test_count_ties():
    assert count_ties([1, 2, 3]) == 0
    assert count_ties([1, 2, 2, 3, 3, 3]) == 5
    assert count_ties([None, float("nan"), 4]) == 2
    assert count_ties([]) == 0
