"""Evidence levels, saturating strength and the keyword-list flag (``matching.evidence``), on literal CVs."""

import pytest

from matching import evidence
from matching.extraction import SkillEntry, SkillExtractor

ENTRIES = [
    SkillEntry("Python", "language"),
    SkillEntry("SQL", "language"),
    SkillEntry("Machine learning", "method", aliases=("ML",), broader=("Artificial intelligence",)),
    SkillEntry("Deep learning", "method", broader=("Machine learning",)),
    SkillEntry("TensorFlow", "library", broader=("Deep learning",)),
    SkillEntry("PyTorch", "library", broader=("Deep learning",)),
    SkillEntry("Artificial intelligence", "method"),
    SkillEntry("Natural language processing", "method", aliases=("NLP",)),
    SkillEntry("Data modelling", "method"),
    SkillEntry("Dimensionality reduction", "method"),
    SkillEntry("Docker", "platform"),
    SkillEntry("Kubernetes", "platform"),
    SkillEntry("Spark", "platform"),
    SkillEntry("Kafka", "platform"),
    SkillEntry("Tableau", "platform"),
    SkillEntry("Excel", "platform"),
    SkillEntry("Statistics", "mathematics"),
    SkillEntry("Git", "platform"),
    SkillEntry("Linux", "platform"),
    SkillEntry("Airflow", "platform"),
    SkillEntry("AWS", "platform"),
    SkillEntry("Pandas", "library"),
    SkillEntry("NumPy", "library"),
    SkillEntry("scikit-learn", "library"),
    SkillEntry("Keras", "library", broader=("Deep learning",)),
]
EXTRACTOR = SkillExtractor(ENTRIES)
RELATED = evidence.related_skills({e.name: e.broader for e in ENTRIES})


def assess(text):
    return evidence.assess(text, EXTRACTOR.find(text), RELATED)


def test_a_skill_used_in_a_role_is_stronger_than_listed_which_is_stronger_than_mentioned():
    cv = (
        "Skills: Docker, Kubernetes, Excel\n"
        "Data Scientist, Acme (2019 - 2022)\n"
        "- Built and deployed TensorFlow models that cut churn by 12 %.\n"
        "I am curious about Spark.\n"
    )
    found = assess(cv).skills
    assert found["TensorFlow"].level == "used"
    assert found["Docker"].level == "listed" and found["Excel"].level == "listed"
    assert found["Spark"].level == "mentioned"
    assert found["TensorFlow"].strength > found["Docker"].strength > found["Spark"].strength
    assert found["TensorFlow"].line.startswith("- Built and deployed TensorFlow")


def test_a_period_or_a_result_is_evidence_of_use_and_skill_names_are_not_actions():
    found = assess(
        "Skill Details\nPython- Experience - 24 monthsCompany Details\n"
        "Skills: Data modelling, Natural language processing, Deep learning\n"
    ).skills
    assert found["Python"].level == "used"  # "24 months" glued to the next heading still counts
    # "modelling" and "processing" inside skill names are not read as the verbs "model" and "process"
    assert found["Data modelling"].level == found["Natural language processing"].level == "listed"


def test_a_projects_tool_list_after_the_work_counts_as_use():
    found = assess(
        "Churn prediction project\n- Trained gradient boosted models on 2M rows.\n"
        "Tools & Technologies: Python, Pandas, scikit-learn\n\n\n\n\n\n\n\n\nSkills: Kafka, Airflow\n"
    ).skills
    assert found["Pandas"].level == found["scikit-learn"].level == "used"
    assert found["Kafka"].level == "listed"


def test_repetition_adds_only_a_logarithmic_bonus():
    once, twenty = evidence.skill_strength("listed", 1), evidence.skill_strength("listed", 20)
    assert once < twenty < evidence.skill_strength("used", 1)
    assert twenty == pytest.approx(0.6 * (1 + evidence.REPEAT_BONUS * __import__("math").log(20)))


def test_a_listed_skill_nothing_in_the_cv_supports_counts_half():
    cv = (
        "Software engineer (2018 - 2023)\n- Built Keras models for image search.\nSkills: TensorFlow, Excel\n"
    )
    found = assess(cv).skills
    assert found["TensorFlow"].supported  # a sibling of Keras, which is used
    assert not found["Excel"].supported
    assert found["Excel"].strength == pytest.approx(
        evidence.LEVEL_WEIGHTS["listed"] * evidence.UNSUPPORTED_FACTOR
    )


HONEST = (
    "Machine learning engineer with five years of experience.\n"
    "Data Scientist, Acme Analytics (2019 - 2024)\n"
    "- Built NLP models in Python and PyTorch that cut support tickets by 18 %.\n"
    "- Deployed models with Docker and Kubernetes on AWS; wrote Airflow pipelines.\n"
    "- Analysed experiments with Statistics and SQL; reported in Tableau.\n"
    "Education: MSc Computer Science, 2018\n"
    "Skills: Python, SQL, Spark, Git, Linux, Pandas, NumPy, scikit-learn\n"
)
NAMES = [e.name for e in ENTRIES]


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(", ".join(NAMES[:12]) for _ in range(20)),  # a list repeated 20 times
        "Machine learning engineer\nSkills\n" + "\n".join(f"• {n}" for n in NAMES[:10]),  # a bare list
        ", ".join(NAMES),  # one mention of each
    ],
)
def test_keyword_lists_are_flagged(text):
    verdict = assess(text)
    assert verdict.keyword_list and verdict.reason


def test_a_weak_cv_with_a_hidden_keyword_block_is_flagged():
    weak = (
        "Sales executive, Bright Retail (2015 - 2023)\n- Managed 40 key accounts and grew revenue by 20 %.\n"
        "- Trained new staff on the till and stock systems.\n"
        * 4
        + "Store assistant, Corner Shop (2012 - 2015)\n- Served customers, kept the shelves full and the shop tidy, "
        "counted the cash at the end of each day and ordered fresh stock every week from our suppliers.\n" * 3
    )
    many = [SkillEntry(f"Tool{i}", "platform") for i in range(30)]
    extractor = SkillExtractor(ENTRIES + many)
    text = weak + "Keywords: " + ", ".join(e.name for e in many)
    verdict = evidence.assess(text, extractor.find(text), RELATED)
    assert verdict.keyword_list and "never shown in use" in verdict.reason


def test_an_honest_cv_is_not_flagged():
    verdict = assess(HONEST)
    assert not verdict.keyword_list
    assert verdict.skills["PyTorch"].level == "used" and verdict.skills["Spark"].level == "listed"


def test_related_skills_are_broader_narrower_and_siblings():
    assert {"Deep learning", "Machine learning", "Artificial intelligence", "PyTorch", "Keras"} <= RELATED[
        "TensorFlow"
    ]
    assert "TensorFlow" in RELATED["Machine learning"]
    assert "Excel" not in RELATED.get("TensorFlow", ())


def test_morphological_variants_of_methods_are_the_same_skill():
    counts = EXTRACTOR.counts("Dimension reduction, data modeling and data models; dimensionality reduction")
    assert counts == {"Dimensionality reduction": 2, "Data modelling": 2}
