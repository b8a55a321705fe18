"""Job titles (issue 12): what a CV's titles and a vacancy's title name, and the ``role`` component that matches
them.  Pure engine, literal inputs, the project vocabulary; no database."""

import numpy as np
import pytest

from matching import scoring
from matching.extraction import (
    SkillExtractor,
    decide_requirements,
    extract_role_titles,
    role_field_text,
    role_skills,
)
from matching.scoring import CandidateDocument, MatchingModel, VacancyDocument
from matching.vocabulary import load_project_vocabulary


@pytest.fixture(scope="module")
def extractor() -> SkillExtractor:
    return SkillExtractor(load_project_vocabulary())


# --------------------------------------------------------------------------------------------- extraction
@pytest.mark.parametrize(
    "text, titles",
    [
        ("Senior Data Scientist, Acme Analytics, London (March 2019 – present)", ["Senior Data Scientist"]),
        ("Hadoop Developer - Larsen and Toubro\nBuilt ingestion pipelines.", ["Hadoop Developer"]),
        ("EXPERIENCE\nMachine Learning Engineer | Orbit Ltd | 2021–2024", ["Machine Learning Engineer"]),
        # a role wanted is not a role held
        ("Aspiring Data Scientist", []),
        ("Objective: to work as a Machine Learning Engineer", []),
        ("Seeking a Data Scientist position", []),
        # colleagues, not a title
        ("Worked with data scientists and product managers", []),
        # a long sentence is not a title
        ("I was the only engineer in a team that built the billing system for three hospitals", []),
    ],
)
def test_role_titles_are_the_short_singular_titles_a_person_held(text, titles):
    assert extract_role_titles(text) == titles


def test_role_titles_are_unique_and_bounded():
    text = "\n".join(["Data Scientist"] * 3 + [f"Engineer at Company{i}" for i in range(40)])
    titles = extract_role_titles(text)
    assert titles[0] == "Data Scientist" and titles.count("Data Scientist") == 1
    assert len(titles) == 12  # ROLE_TITLES_MAX


def test_a_person_noun_reads_as_its_field(extractor):
    assert role_field_text("Senior Data Scientist") == "Senior Data science"
    assert role_skills(["Data Scientist"], extractor) == ["Data science"]
    assert role_skills(["Hadoop Developer"], extractor) == ["Hadoop"]
    assert "Machine learning" in role_skills(["ML Engineer"], extractor)
    assert role_skills(["Sales Manager"], extractor) == []


def test_the_skills_a_vacancy_title_names_are_required_even_when_the_body_never_names_them(extractor):
    body = (
        "Responsible for creating functionality for our products. Develops, tests and implements software. "
        "Requirements: knowledge of SQL and Git. Excellent communication."
    )
    without = decide_requirements(body, extractor).importance
    assert "Machine learning" not in without
    importance = decide_requirements(body, extractor, title="Data Science ML Engineer").importance
    assert importance["Machine learning"] == "required" and importance["Data science"] == "required"
    # what the body decides about its own skills is unchanged
    assert {k: v for k, v in importance.items() if k in without} == without
    # a soft skill in a title is still never required
    soft = decide_requirements(body, extractor, title="Communication Lead").importance
    assert soft.get("Communication") != "required"


# ------------------------------------------------------------------------------------------------- scoring
FILLER = " ".join(["experience"] * 60)
SKILLS = {"Python": 1.0, "SQL": 1.0, "Machine learning": 1.0, "Data science": 1.0}


def cand(roles=(), titles=(), keyword_list=False):
    return CandidateDocument(
        text=f"python sql models {FILLER}",
        skills=SKILLS,
        roles=roles,
        role_titles=titles,
        keyword_list=keyword_list,
    )


@pytest.fixture
def model():
    vocab = ["Python", "SQL", "Machine learning", "Data science", "Deep learning", "Hadoop"]
    broader = {"Machine learning": ["Data science"], "Deep learning": ["Machine learning"]}
    pool = [cand(), cand(), cand()]
    return MatchingModel.fit([c.text for c in pool], [c.skills for c in pool], vocab, broader=broader)


def vacancy(core=("Machine learning",)):
    return VacancyDocument(
        text="python sql machine learning models",
        required={"Python": 1, "SQL": 1, "Machine learning": 1},
        core=core,
    )


def test_a_candidate_whose_title_names_the_vacancy_title_ranks_above_the_same_cv_without_it(model):
    same, related, other, none = (
        cand(["Machine learning"], ["Machine Learning Engineer"]),
        cand(["Data science"], ["Data Scientist"]),
        cand(["Hadoop"], ["Hadoop Developer"]),
        cand(),
    )
    m = scoring.score_chunk(model, [same, related, other, none], [vacancy()])
    role = m.components["role"][:, 0]
    # the same field, then a related one (Machine learning is narrower than Data science), then nothing
    assert role[0] > role[1] > role[2] == role[3] == 0.0
    assert role[0] == pytest.approx(1 / (1 + scoring.ROLE_SATURATION))
    score = m.score[:, 0]
    assert score[0] > score[1] > score[2] == score[3]


def test_the_role_component_applies_only_when_the_vacancy_title_names_a_skill(model):
    m = scoring.score_chunk(model, [cand(["Machine learning"]), cand()], [vacancy(core=())])
    k = scoring.COMPONENTS.index("role")
    assert m.weights[0, k] == 0.0
    assert m.score[0, 0] == pytest.approx(m.score[1, 0])
    assert np.isclose(m.weights[0].sum(), 1.0)


def test_a_keyword_list_with_a_matching_headline_stays_discounted(model):
    real = cand(["Data science"], ["Data Scientist"])
    stuffed = cand(["Machine learning"], ["Machine Learning Engineer"], keyword_list=True)
    m = scoring.score_chunk(model, [real, stuffed], [vacancy()])
    assert m.components["role"][1, 0] == pytest.approx(
        scoring.KEYWORD_LIST_DISCOUNT / (1 + scoring.ROLE_SATURATION)
    )
    assert m.score[0, 0] > m.score[1, 0]


def test_the_fast_scan_gives_the_same_scores_with_role_titles(model):
    docs = [cand(["Machine learning"]), cand(["Data science"]), cand()]
    cm = scoring.candidate_matrices(model, docs)
    vm = scoring.vacancy_matrices(model, [vacancy(), vacancy(core=())])
    full = scoring.score_matrices(cm, vm).score
    fast = scoring.score_matrices(cm, vm, keep_components=False).score
    assert np.allclose(full, fast, atol=1e-3)


def test_the_explanation_shows_the_role_component(model):
    docs = [cand(["Machine learning"], ["Machine Learning Engineer"])]
    vac = vacancy()
    m = scoring.score_chunk(model, docs, [vac])
    explained = scoring.explain_pair(model, m, 0, 0, docs[0], vac)
    role = next(c for c in explained.components if c["name"] == "role")
    assert role["label"] == "Role title" and role["points"] > 0
    assert role["titles"] == ["Machine Learning Engineer"] and role["vacancy_title_skills"] == [
        "Machine learning"
    ]
    assert sum(c["points"] for c in explained.components) == pytest.approx(explained.score, abs=0.01)


# ------------------------------------------------------------------------------------- stored and scored
CV = (
    "Jordan Example\nSenior Data Scientist, Acme Analytics, London (2019 – present)\n"
    "Built churn and demand forecasting models in Python and SQL; trained gradient boosting and deep learning "
    "models and deployed them behind an API. Led A/B tests that raised retention by 4 %.\n"
    "Data Analyst, Borough Bank (2016 – 2019)\nAnalysed loan data in SQL and Python and reported to the board.\n"
    "MSc Statistics, University of Leeds"
)


@pytest.mark.django_db
def test_an_imported_cv_stores_its_titles_and_the_stored_document_scores_them_like_the_text():
    from matching import selectors
    from recruiting.models import Candidate
    from recruiting.services import candidate_upsert, vacancy_upsert

    candidate, _ = candidate_upsert(source="t", reference="ds", cv_text=CV)
    stored = Candidate.objects.get(pk=candidate.pk)
    assert stored.role_titles == ["Senior Data Scientist", "Data Analyst"]
    assert stored.role_skills[0] == "Data science" and "Data analysis" in stored.role_skills
    vacancy, _ = vacancy_upsert(
        source="t",
        reference="v",
        title="Data Scientist",
        description="Build forecasting models in Python. Required: Python, SQL and machine learning.",
    )
    ((_, doc, _),) = selectors.candidate_documents([candidate.pk])
    assert list(doc.roles) == stored.role_skills
    ((_, vdoc),) = selectors.vacancy_documents([vacancy.pk])
    assert "Data science" in vdoc.required and vdoc.core == ("Data science",)
    _, (from_text,) = selectors.documents_from_text(vacancy_text=vacancy.description, cv_texts=[CV])
    assert from_text.role_titles == tuple(stored.role_titles)


def test_every_face_reads_what_the_role_title_compared():
    """The presenter turns the stored role component into one line the workspace tooltip and the portal show."""
    from types import SimpleNamespace

    from matching.presentation import components

    def row(role):
        return SimpleNamespace(
            explanation={"components": [{"name": "text", "score": 50, "weight": 0.2}, role]}
        )

    held = components(
        row(
            {
                "name": "role",
                "score": 50,
                "weight": 0.3,
                "points": 15,
                "titles": ["Senior Data Scientist", "Data Analyst"],
                "vacancy_title_skills": ["Machine learning"],
            }
        )
    )
    role = next(c for c in held if c.name == "role")
    assert role.detail == "Senior Data Scientist; Data Analyst — the vacancy's title names Machine learning"
    assert next(c for c in held if c.name == "text").detail == ""
    none = components(
        row({"name": "role", "score": 0, "weight": 0.3, "titles": [], "vacancy_title_skills": ["NLP"]})
    )
    assert none[-1].detail == "no job title on the CV; the vacancy's title names NLP"
    # an explanation stored before role titles existed shows no detail
    assert components(row({"name": "role", "score": 0, "weight": 0.0}))[-1].detail == ""


# ------------------------------------------------------------------------------------- a title is a claim
HR_CV = (
    "Recruited and onboarded 40 staff a year; ran payroll and benefits in Excel; handled employee relations.\n"
    "Trained line managers on appraisals and wrote the staff handbook."
)


def _evidence(text, extractor):
    from matching.evidence import assess, narrower_skills, related_skills

    broader = {e.name: e.broader for e in extractor.entries if e.broader}
    narrower = narrower_skills(broader)
    return assess(text, extractor.find(text), related_skills(broader), narrower), narrower


@pytest.mark.parametrize(
    "title_line",
    ["Machine Learning Engineer", "Machine Learning Engineer, Acme Corp (2019 - 2023)"],
)
def test_a_title_nothing_else_backs_is_a_bare_claim(extractor, title_line):
    from matching.evidence import corroborated_roles

    text = f"{title_line}\n{HR_CV}"
    found, narrower = _evidence(text, extractor)
    ml = found.skills["Machine learning"]
    # named only in the title: a bare mention, not a use (a dated title line reads as a use anywhere else)
    assert "Machine learning" in found.claimed
    assert ml.level == "mentioned" and not ml.supported
    backed, claims = corroborated_roles(role_skills(extract_role_titles(text), extractor), found, narrower)
    assert backed == [] and claims == ["Machine learning"]


def test_a_headline_list_does_not_back_its_own_title(extractor):
    """A vacancy's whole title pasted as a headline names skills beside the title; they back nothing."""
    from matching.evidence import corroborated_roles

    text = f"Data Scientist - Machine Learning, Hadoop, Data Mining\n{HR_CV}"
    found, narrower = _evidence(text, extractor)
    assert {"Machine learning", "Hadoop", "Data mining"} <= found.headline
    backed, claims = corroborated_roles(role_skills(extract_role_titles(text), extractor), found, narrower)
    assert backed == [] and "Data science" in claims
    # the same skills shown in the body back it
    body = f"Data Scientist - Machine Learning\nTrained machine learning models on Hadoop.\n{HR_CV}"
    found, narrower = _evidence(body, extractor)
    assert corroborated_roles(["Data science"], found, narrower) == (["Data science"], [])


def test_a_title_the_cv_backs_keeps_its_credit(extractor):
    from matching.evidence import corroborated_roles

    # the skill itself shown outside the title
    text = "Machine Learning Engineer, Acme Corp (2019 - 2023)\nTrained machine learning models for churn."
    found, narrower = _evidence(text, extractor)
    assert found.skills["Machine learning"].level == "used" and "Machine learning" not in found.claimed
    assert corroborated_roles(["Machine learning"], found, narrower) == (["Machine learning"], [])
    # a narrower skill shown (deep learning is narrower than machine learning)
    text = "Machine Learning Engineer, Acme Corp (2019 - 2023)\nBuilt deep learning models in PyTorch."
    found, narrower = _evidence(text, extractor)
    assert found.skills["Machine learning"].level == "used"
    assert corroborated_roles(["Machine learning"], found, narrower) == (["Machine learning"], [])
    # a sibling is not the field's work: data analysis does not back a machine-learning title
    text = "Machine Learning Engineer, Acme Corp (2019 - 2023)\nData analysis of sales figures in Excel."
    found, narrower = _evidence(text, extractor)
    assert corroborated_roles(["Machine learning"], found, narrower) == ([], ["Machine learning"])


def test_the_explanation_says_which_title_skills_the_cv_does_not_back(model):
    from matching.presentation import _role_detail

    doc = CandidateDocument(
        text=f"python {FILLER}",
        skills={"Python": 1.0},
        role_titles=("Machine Learning Engineer",),
        role_claims=("Machine learning",),
    )
    vac = vacancy()
    m = scoring.score_chunk(model, [doc], [vac])
    role = next(c for c in scoring.explain_pair(model, m, 0, 0, doc, vac).components if c["name"] == "role")
    assert role["points"] == 0.0 and role["unbacked_title_skills"] == ["Machine learning"]
    assert "Machine learning named only in a title, not backed by the rest of the CV" in _role_detail(role)


def test_a_claimed_title_on_an_unrelated_cv_ranks_below_a_real_engineer(extractor):
    """The adversarial case: the vacancy's own title pasted above an HR CV.  Before titles needed backing it
    outranked a real machine-learning engineer whose CV named no title at all."""
    from matching.evidence import corroborated_roles

    real = (
        "Built and deployed deep learning models in Python and PyTorch for demand forecasting; trained "
        "gradient boosting models on SQL data and ran A/B tests.\nMSc Computer Science"
    )
    texts = {"fake": f"Machine Learning Engineer\n{HR_CV}", "real": real, "hr": HR_CV}
    docs = {}
    for key, text in texts.items():
        found, narrower = _evidence(text, extractor)
        titles = extract_role_titles(text)
        backed, claims = corroborated_roles(role_skills(titles, extractor), found, narrower)
        docs[key] = CandidateDocument(
            text=text,
            skills={n: e.strength for n, e in found.skills.items()},
            evidence_levels={n: e.level for n, e in found.skills.items()},
            roles=tuple(backed),
            role_claims=tuple(claims),
            role_titles=tuple(titles),
        )
    pool = list(docs.values())
    names = [e.name for e in extractor.entries]
    fitted = MatchingModel.fit([d.text for d in pool], [d.skills for d in pool], names)
    vac = VacancyDocument(
        text="machine learning engineer: deep learning, python, pytorch, sql",
        required={"Machine learning": 2, "Deep learning": 1, "Python": 1, "PyTorch": 1, "SQL": 1},
        core=("Machine learning",),
    )
    m = scoring.score_chunk(fitted, pool, [vac])
    score = dict(zip(docs, m.score[:, 0], strict=True))
    assert m.components["role"][0, 0] == 0.0
    assert score["real"] > score["fake"]
