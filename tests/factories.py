"""factory_boy factories for the recruiting and matching models.

Scores are built directly with the JSON shapes of docs/CONTRACTS.md, so these tests never depend on the
scoring engine.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from matching.models import MatchScore, ScoringRun, Skill, SkillCategory
from matching.scoring import COMPONENT_LABELS, ComponentWeights
from recruiting.models import (
    Application,
    Candidate,
    CandidateSkill,
    DegreeLevel,
    Note,
    Qualification,
    SkillImportance,
    StageEmailTemplate,
    Vacancy,
    VacancySkill,
)
from recruiting.permissions import HIRING_MANAGERS_GROUP, RECRUITERS_GROUP

ENGINE_VERSION = "tfidf-test-1"
PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    is_active = True
    password = factory.django.Password(PASSWORD)


class RecruiterFactory(UserFactory):
    """Active staff in the "Recruiters" group (the group comes from migration 0002)."""

    is_staff = True

    @factory.post_generation
    def recruiters_group(obj, create, extracted, **kwargs):
        if create:
            group, _ = Group.objects.get_or_create(name=RECRUITERS_GROUP)
            obj.groups.add(group)


class HiringManagerFactory(UserFactory):
    """Active staff in the "Hiring managers" group (migration 0004); ``vacancies=[...]`` names them on those."""

    is_staff = True

    @factory.post_generation
    def hiring_managers_group(obj, create, extracted, **kwargs):
        if create:
            group, _ = Group.objects.get_or_create(name=HIRING_MANAGERS_GROUP)
            obj.groups.add(group)

    @factory.post_generation
    def vacancies(obj, create, extracted, **kwargs):
        if create and extracted:
            for vacancy in extracted:
                vacancy.hiring_managers.add(obj)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")
    category = SkillCategory.LIBRARY
    aliases = factory.LazyFunction(list)


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    title = factory.Sequence(lambda n: f"Machine Learning Engineer {n}")
    reference = factory.Sequence(lambda n: f"VAC-{n:04d}")
    source = "test"
    description = "We build recommendation models in Python and PyTorch.\nYou will ship them to production."
    seniority = "senior"
    employment_type = "permanent"
    location = "London"
    remote = "hybrid"
    salary_min = Decimal(70000)
    salary_max = Decimal(90000)
    salary_currency = "GBP"
    status = Vacancy.Status.OPEN


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    name = factory.Sequence(lambda n: f"Candidate {n}")
    reference = factory.Sequence(lambda n: f"CAND-{n:05d}")
    source = "test"
    source_label = "Data Science"
    cv_text = "Python, PyTorch and SQL.\nMSc Computer Science."


class VacancySkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VacancySkill

    vacancy = factory.SubFactory(VacancyFactory)
    skill = factory.SubFactory(SkillFactory)
    importance = SkillImportance.REQUIRED


class CandidateSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateSkill

    candidate = factory.SubFactory(CandidateFactory)
    skill = factory.SubFactory(SkillFactory)
    evidence = "Built models with it for three years."


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    level = DegreeLevel.MASTER
    field = "computer science"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    vacancy = factory.SubFactory(VacancyFactory)


# The engine's own components, default weights (normalised to add up to 1) and labels: a new component shows up
# in every factory-built explanation without editing this file.
_DEFAULT_WEIGHTS = ComponentWeights().as_dict()
ENGINE_WEIGHTS = {n: round(w / sum(_DEFAULT_WEIGHTS.values()), 4) for n, w in _DEFAULT_WEIGHTS.items()}
ENGINE_LABELS = dict(COMPONENT_LABELS)


def engine_components(score: float) -> list[dict]:
    """The engine's components (matching.scoring.COMPONENTS), spread around ``score`` and adding up to it."""
    spread = {
        "required": 8,
        "desirable": -20,
        "qualification": 15,
        "experience": -10,
        "profile": 2,
        "text": -6,
        "role": 4,
    }
    raw = {n: min(100.0, max(0.0, score + spread[n])) for n in ENGINE_WEIGHTS}
    total = sum(raw[n] * w for n, w in ENGINE_WEIGHTS.items()) or 1.0
    factor = score / total if total else 0.0
    out = []
    for name, weight in ENGINE_WEIGHTS.items():
        value = min(100.0, raw[name] * factor)
        out.append(
            {
                "name": name,
                "label": ENGINE_LABELS[name],
                "score": round(value, 2),
                "weight": weight,
                "points": round(value * weight, 4),
            }
        )
    return out


def _matched_skills(*, evidence_levels: bool = True) -> list[dict]:
    """Two matched skills as the engine stores them; without ``evidence_levels`` as stored before them."""
    skills = [
        {
            "skill": "Python",
            "category": "language",
            "importance": "required",
            "weight": 0.12,
            "contribution": 8.3,
            "evidence_level": "used",
            "evidence": "Five years of Python for data pipelines",
        },
        {
            "skill": "PyTorch",
            "category": "library",
            "importance": "desirable",
            "weight": 0.05,
            "contribution": 3.1,
            "evidence_level": "used",
            "evidence": "Trained transformer models in PyTorch",
        },
    ]
    if not evidence_levels:
        for skill in skills:
            del skill["evidence_level"]
    return skills


class MatchScoreFactory(factory.django.DjangoModelFactory):
    """A "scored" match score explained as the engine explains one today (``matching.services._row_values``):
    the components of ``matching.scoring.COMPONENTS`` adding up to ``score``, a confidence and flags, and
    matched skills with their evidence level.  ``score`` follows the stored group scores (skills,
    qualifications, text: 0.6 / 0.15 / 0.25), so passing one of them moves it."""

    class Meta:
        model = MatchScore

    candidate = factory.SubFactory(CandidateFactory)
    vacancy = factory.SubFactory(VacancyFactory)
    state = MatchScore.State.SCORED
    skills_score = 80.0
    qualifications_score = 100.0
    text_score = 40.0
    score = factory.LazyAttribute(
        lambda o: round(o.skills_score * 0.6 + o.qualifications_score * 0.15 + o.text_score * 0.25, 4)
    )
    matched_skills = factory.LazyFunction(_matched_skills)
    missing_skills = factory.LazyFunction(
        lambda: [
            {
                "skill": "Kafka",
                "category": "platform",
                "importance": "desirable",
                "weight": 0.05,
                "contribution": 0.0,
                "gain": 2.1,
            },
            {
                "skill": "Kubernetes",
                "category": "platform",
                "importance": "required",
                "weight": 0.1,
                "contribution": 0.0,
                "gain": 6.0,
            },
        ]
    )
    explanation = factory.LazyAttribute(
        lambda o: {
            "state": "scored",
            "reason": "",
            "components": engine_components(o.score or 0.0),
            "engine_version": ENGINE_VERSION,
            "confidence": o.confidence,
            "confidence_reason": "",
            "flags": [],
        }
    )
    engine_version = ENGINE_VERSION
    confidence = MatchScore.Confidence.HIGH
    computed_at = factory.LazyFunction(timezone.now)

    class Params:
        # A row stored before the engine gave confidence, flags and evidence levels: old rows must still read
        # and render (until a rescore replaces them).
        old_shape = factory.Trait(
            confidence="",
            matched_skills=factory.LazyFunction(lambda: _matched_skills(evidence_levels=False)),
            explanation=factory.LazyAttribute(
                lambda o: {
                    "state": "scored",
                    "reason": "",
                    "components": engine_components(o.score or 0.0),
                    "engine_version": ENGINE_VERSION,
                }
            ),
        )
        insufficient = factory.Trait(
            state=MatchScore.State.INSUFFICIENT_DATA,
            skills_score=0.0,
            qualifications_score=0.0,
            text_score=0.0,
            score=None,
            matched_skills=factory.LazyFunction(list),
            missing_skills=factory.LazyFunction(list),
            explanation=factory.LazyFunction(
                lambda: {
                    "state": "insufficient_data",
                    "reason": "The CV has fewer than 20 words of readable text.",
                    "components": [],
                    "engine_version": ENGINE_VERSION,
                    "confidence": "",
                    "confidence_reason": "",
                    "flags": [],
                }
            ),
            confidence="",
        )


class EngineMatchScoreFactory(MatchScoreFactory):
    """``MatchScoreFactory`` with ``score`` set directly (72 unless given) instead of from the group scores."""

    score = 72.0


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    candidate = factory.SubFactory(CandidateFactory)
    body = factory.Sequence(lambda n: f"Note {n}: strong on model deployment.")


class StageEmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageEmailTemplate
        django_get_or_create = ("stage",)

    stage = Application.Stage.SCREENING
    subject = "Update on {{ vacancy.title }}"
    body = "Dear {{ candidate.name }},\nYou are now at {{ application.stage_label }}."
    active = True


class ScoringRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringRun

    scope = "all"
    status = ScoringRun.Status.RUNNING
    total = 1000
    done = 250


# --- issue 12: what the rewritten engine stores (confidence, flags, evidence levels, related credit) ------------
KEYWORD_LIST_FLAG = {"code": "keyword_list", "message": "keyword list: little evidence of use"}
LANGUAGE_FLAG = {
    "code": "language",
    "message": "CV in German: scored on recognised skills and qualifications",
}
TEXT_ONLY_REASON = "no skill from the vocabulary recognised: scored on text similarity only"


def contract_matched_skills() -> list[dict]:
    """Matched skills in the engine's new shape: Python used; TensorFlow credited 60 % through PyTorch."""
    return [
        {
            "skill": "Python",
            "category": "language",
            "importance": "required",
            "weight": 0.12,
            "contribution": 8.3,
            "evidence": "Five years of Python for data pipelines",
            "evidence_level": "used",
        },
        {
            "skill": "SQL",
            "category": "language",
            "importance": "required",
            "weight": 0.08,
            "contribution": 4.0,
            "evidence": "Skills: SQL, Excel",
            "evidence_level": "listed",
        },
        {
            "skill": "TensorFlow",
            "category": "library",
            "importance": "desirable",
            "weight": 0.05,
            "contribution": 1.9,
            "evidence": "Trained transformer models in PyTorch",
            "evidence_level": "related",
            "related_to": "PyTorch",
            "credit": 0.6,
        },
    ]


class ContractMatchScoreFactory(EngineMatchScoreFactory):
    """A match score as the rewritten engine stores it: ``confidence`` on the row and in the explanation with its
    reason, ``flags`` in the explanation, evidence levels and related credit in ``matched_skills``."""

    confidence = MatchScore.Confidence.MEDIUM
    matched_skills = factory.LazyFunction(contract_matched_skills)
    explanation = factory.LazyAttribute(
        lambda o: {
            "state": "scored",
            "reason": "",
            "components": engine_components(o.score or 0.0),
            "engine_version": ENGINE_VERSION,
            "confidence": o.confidence,
            "confidence_reason": o.confidence_reason,
            "flags": list(o.flags),
        }
    )

    class Params:
        confidence_reason = TEXT_ONLY_REASON
        flags = (KEYWORD_LIST_FLAG, LANGUAGE_FLAG)
