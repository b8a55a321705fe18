"""Match scores and scoring runs: output shapes, and the input of starting a run."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.models import MatchScore, ScoringRun
from matching.presentation import Explanation
from recruiting.api.serializers.applications import CandidateBriefSerializer
from recruiting.api.serializers.fields import (
    COMPONENT_SCHEMA,
    FLAG_SCHEMA,
    ConfidenceField,
    ExplanationField,
    MatchedSkillsField,
    MissingSkillsField,
)
from recruiting.api.serializers.vacancies import VacancyBriefSerializer
from recruiting.models import (
    Candidate,
    Vacancy,
)


# --- match scores -------------------------------------------------------------------------------------------
class MatchScoreSerializer(serializers.ModelSerializer):
    """A stored match score.  ``rank``, ``tied`` and ``candidates_ranked`` come from the queryset's annotations
    (``recruiting.selectors.with_vacancy_rank(among=True)``); ``recruiting.api.ranked`` writes the same fields in
    SQL, so a field added here is added there too (tests/api/test_ranked_page.py holds them equal)."""

    candidate = CandidateBriefSerializer(read_only=True)
    vacancy = VacancyBriefSerializer(read_only=True)
    rank = serializers.SerializerMethodField(
        help_text="Rank among the vacancy's scored candidates: 1 + how many score strictly higher (equal scores "
        "share a rank); null without a score."
    )
    tied = serializers.SerializerMethodField(
        help_text="Another of the vacancy's candidates has the same score."
    )
    candidates_ranked = serializers.SerializerMethodField(
        help_text="How many of the vacancy's candidates have a score (rank 3 of 166)."
    )
    confidence = ConfidenceField()
    confidence_reason = serializers.SerializerMethodField(help_text="Why the confidence is what it is.")
    flags = serializers.SerializerMethodField()
    components = serializers.SerializerMethodField()
    matched_skills = MatchedSkillsField()
    missing_skills = MissingSkillsField()
    explanation = ExplanationField()

    class Meta:
        model = MatchScore
        fields = [
            "id",
            "candidate",
            "vacancy",
            "state",
            "score",
            "rank",
            "tied",
            "candidates_ranked",
            "confidence",
            "confidence_reason",
            "flags",
            "components",
            "skills_score",
            "qualifications_score",
            "text_score",
            "matched_skills",
            "missing_skills",
            "explanation",
            "engine_version",
            "vocabulary_version",
            "model_version",
            "stale",
            "computed_at",
        ]
        read_only_fields = fields

    def get_rank(self, obj: MatchScore) -> int | None:
        return getattr(obj, "vacancy_rank", None)

    def get_tied(self, obj: MatchScore) -> bool:
        return bool(getattr(obj, "vacancy_tied", False))

    def get_candidates_ranked(self, obj: MatchScore) -> int | None:
        return getattr(obj, "vacancy_ranked", None)

    def get_confidence_reason(self, obj: MatchScore) -> str:
        return Explanation.from_row(obj).confidence_reason

    @extend_schema_field({"type": "array", "items": FLAG_SCHEMA})
    def get_flags(self, obj: MatchScore) -> list:
        return Explanation.from_row(obj).stored_flags

    @extend_schema_field({"type": "array", "items": COMPONENT_SCHEMA})
    def get_components(self, obj: MatchScore) -> list:
        return Explanation.from_row(obj).stored_components


# --- scoring runs -------------------------------------------------------------------------------------------
class ScoringRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRun
        fields = [
            "id",
            "scope",
            "target",
            "status",
            "total",
            "done",
            "chunks_total",
            "chunks_done",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ScoringRunInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        ["all", "vacancy", "candidate"],
        default="all",
        help_text="all: every candidate × every vacancy that is not closed (refits the "
        "text model); vacancy / candidate: one of them.",
    )
    vacancy = serializers.PrimaryKeyRelatedField(
        queryset=Vacancy.objects.all(), required=False, help_text="with scope=vacancy"
    )
    candidate = serializers.PrimaryKeyRelatedField(
        queryset=Candidate.objects.all(), required=False, help_text="with scope=candidate"
    )

    def validate(self, attrs):
        scope = attrs.get("scope", "all")
        if scope == "vacancy" and not attrs.get("vacancy"):
            raise serializers.ValidationError({"vacancy": ["Required with scope=vacancy."]})
        if scope == "candidate" and not attrs.get("candidate"):
            raise serializers.ValidationError({"candidate": ["Required with scope=candidate."]})
        if scope == "vacancy" and attrs["vacancy"].status == Vacancy.Status.CLOSED:
            raise serializers.ValidationError({"vacancy": ["A closed vacancy is not scored."]})
        return attrs
