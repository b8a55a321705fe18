"""Candidates (recruiters' view, the candidate's own record) and candidate imports: output shapes and inputs."""

from __future__ import annotations

from rest_framework import serializers

from recruiting.models import (
    Candidate,
    CandidateSkill,
)
from recruiting.services import CANDIDATE_PROFILE_FIELDS


# --- candidates ---------------------------------------------------------------------------------------------
class CandidateSkillSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="skill.name", read_only=True)
    category = serializers.CharField(source="skill.category", read_only=True)

    class Meta:
        model = CandidateSkill
        fields = ["name", "category", "origin", "mentions", "evidence"]
        read_only_fields = fields


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate as recruiters see them in lists (no CV text)."""

    skills = CandidateSkillSerializer(source="skill_links", many=True, read_only=True)
    has_account = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True, help_text="an e-mail address, or empty")
    display_name = serializers.CharField(
        read_only=True,
        help_text="the name pages show: the profile name, else the "
        "name on the CV's first lines, else a readable file name (recruiting.names)",
    )

    class Meta:
        model = Candidate
        fields = [
            "id",
            "reference",
            "source",
            "source_label",
            "display_name",
            *CANDIDATE_PROFILE_FIELDS,
            "email",
            "years_experience",
            "language",
            "has_account",
            "created_at",
            "updated_at",
            "skills",
        ]
        read_only_fields = fields

    def get_has_account(self, obj: Candidate) -> bool:
        return obj.user_id is not None


class CandidateDetailSerializer(CandidateSerializer):
    """One candidate with the CV text (reading it is recorded in the audit log)."""

    class Meta(CandidateSerializer.Meta):
        fields = [*CandidateSerializer.Meta.fields, "cv_text"]
        read_only_fields = fields


class CandidateCreateInputSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=200, help_text="Your id for the candidate, unique among API candidates."
    )
    cv_text = serializers.CharField(help_text="The CV as plain text.")
    name = serializers.CharField(max_length=200, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    source_label = serializers.CharField(max_length=200, required=False, default="")


class CandidateUpdateInputSerializer(serializers.Serializer):
    cv_text = serializers.CharField(required=False)
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False)
    source_label = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MeSerializer(serializers.ModelSerializer):
    """The logged-in candidate's own record."""

    skills = CandidateSkillSerializer(source="skill_links", many=True, read_only=True)
    email = serializers.CharField(read_only=True, help_text="the account's e-mail address, or empty")

    class Meta:
        model = Candidate
        fields = [
            "id",
            "reference",
            *CANDIDATE_PROFILE_FIELDS,
            "email",
            "self_reported_group",
            "years_experience",
            "consent_given_at",
            "cv_text",
            "created_at",
            "updated_at",
            "skills",
        ]
        read_only_fields = fields


class MeUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    open_to_remote = serializers.BooleanField(required=False)
    open_to_relocation = serializers.BooleanField(required=False)
    salary_expectation = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    salary_currency = serializers.RegexField(
        r"^([A-Z]{3})?$", required=False, allow_blank=True, help_text="ISO 4217 code, e.g. GBP"
    )
    cv_text = serializers.CharField(required=False, help_text="A new CV text; skills are extracted again.")


# --- imports ------------------------------------------------------------------------------------------------
class CandidateImportRowSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=200)
    cv_text = serializers.CharField()
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    label = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class CandidateImportInputSerializer(serializers.Serializer):
    candidates = CandidateImportRowSerializer(many=True, allow_empty=False, max_length=5000)


class CandidateImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="UTF-8 CSV with a header row: cv_text (required), and optionally "
        "reference, name, email, label."
    )


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    duplicates_dropped = serializers.IntegerField()
    total = serializers.IntegerField()
    summary = serializers.CharField()
