"""Applications: output shapes (with their stage history) and the inputs of applying and moving."""

from __future__ import annotations

from rest_framework import serializers

from recruiting.api.serializers.vacancies import VacancyBriefSerializer
from recruiting.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    Vacancy,
)


# --- applications -------------------------------------------------------------------------------------------
class CandidateBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "reference", "name"]
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationStageChange
        fields = ["from_stage", "to_stage", "reason", "created_at"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    vacancy = VacancyBriefSerializer(read_only=True)
    candidate = CandidateBriefSerializer(
        read_only=True, allow_null=True, help_text="null once the candidate erased their account"
    )
    stage_changes = StageChangeSerializer(many=True, read_only=True)
    # The public name stays "advanced" (docs/CONTRACTS.md); the model calls it what it does: ``revealed``.
    advanced = serializers.BooleanField(
        source="revealed",
        read_only=True,
        help_text="a recruiter has moved the application past 'applied' (blind review shows the candidate from then on)",
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "vacancy",
            "candidate",
            "stage",
            "cover_note",
            "advanced",
            "created_at",
            "updated_at",
            "stage_changes",
        ]
        read_only_fields = fields


class ApplicationCreateInputSerializer(serializers.Serializer):
    vacancy = serializers.PrimaryKeyRelatedField(
        queryset=Vacancy.objects.filter(status=Vacancy.Status.OPEN), help_text="id of an open vacancy"
    )
    cover_note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class ApplicationMoveInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Application.Stage.choices)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Why; required when rejecting.  The candidate may see it.",
    )
