"""Serializers: separate output (``…Serializer``) and input (``…InputSerializer``) shapes.

Output serializers read models; input serializers only validate — the views pass their ``validated_data`` to a
service.  Times are ISO 8601 in UTC with a ``Z`` suffix (``REST_FRAMEWORK["DATETIME_FORMAT"]``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.models import MatchScore, ScoringRun, Skill
from matching.presentation import Explanation
from recruiting.markup import render_description
from recruiting.models import (
    Application,
    ApplicationStageChange,
    Candidate,
    CandidateSkill,
    Vacancy,
    VacancySkill,
    WebhookDelivery,
    WebhookEndpoint,
)
from recruiting.services import CANDIDATE_PROFILE_FIELDS

# --- JSON blobs with a documented shape (docs/CONTRACTS.md) -------------------------------------------------
_NUMBER = {"type": "number"}
_STRING = {"type": "string"}
COMPONENT_SCHEMA = {
    "type": "object",
    "properties": {"name": _STRING, "label": _STRING, "score": _NUMBER, "weight": _NUMBER, "points": _NUMBER},
    "required": ["name", "score", "weight", "points"],
    "description": "One component of the score: its 0–100 score, its weight and the points it adds (score × weight).",
}
MATCHED_SKILL_SCHEMA = {
    "type": "object",
    "properties": {
        "skill": _STRING,
        "category": _STRING,
        "importance": _STRING,
        "weight": _NUMBER,
        "contribution": _NUMBER,
        "evidence": _STRING,
        "evidence_level": {
            "type": "string",
            "enum": ["used", "listed", "mentioned", "entered", "related"],
            "description": "how the candidate's CV or profile shows the skill",
        },
        "related_to": {**_STRING, "description": "the candidate's skill this one was credited through"},
        "credit": {**_NUMBER, "description": "0–1: the share credited through the related skill"},
    },
    "required": ["skill"],
}
FLAG_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string", "enum": ["keyword_list", "language"]}, "message": _STRING},
    "required": ["code", "message"],
    "description": 'A note on what the score rests on, e.g. {"code": "keyword_list", "message": "keyword list: '
    'little evidence of use"}.',
}
MISSING_SKILL_SCHEMA = {
    "type": "object",
    "properties": {
        "skill": _STRING,
        "category": _STRING,
        "importance": _STRING,
        "weight": _NUMBER,
        "contribution": _NUMBER,
        "gain": {**_NUMBER, "description": "points the candidate would add"},
    },
    "required": ["skill"],
}
EXPLANATION_SCHEMA = {
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": ["scored", "insufficient_data"]},
        "reason": _STRING,
        "components": {"type": "array", "items": COMPONENT_SCHEMA},
        "engine_version": _STRING,
        "confidence": {"type": "string", "enum": ["high", "medium", "low", ""]},
        "confidence_reason": _STRING,
        "flags": {"type": "array", "items": FLAG_SCHEMA},
    },
}


@extend_schema_field({"type": "array", "items": COMPONENT_SCHEMA})
class ComponentsField(serializers.ReadOnlyField):
    pass


@extend_schema_field({"type": "array", "items": MATCHED_SKILL_SCHEMA})
class MatchedSkillsField(serializers.ReadOnlyField):
    pass


@extend_schema_field({"type": "array", "items": MISSING_SKILL_SCHEMA})
class MissingSkillsField(serializers.ReadOnlyField):
    pass


@extend_schema_field(EXPLANATION_SCHEMA)
class ExplanationField(serializers.ReadOnlyField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": ["high", "medium", "low", ""],
        "description": 'How much evidence the score rests on; "" for insufficient data and for scores '
        "stored before confidence existed.",
    }
)
class ConfidenceField(serializers.ReadOnlyField):
    pass


# --- auth ---------------------------------------------------------------------------------------------------
class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')
    roles = serializers.ListField(child=serializers.ChoiceField(["recruiter", "hiring_manager", "candidate"]))


# --- skills -------------------------------------------------------------------------------------------------
class SkillSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    broader = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Skill
        fields = ["id", "name", "category", "aliases", "ambiguous", "broader"]
        read_only_fields = fields


# --- vacancies ----------------------------------------------------------------------------------------------
class VacancySkillSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="skill.name", read_only=True)
    category = serializers.CharField(source="skill.category", read_only=True)

    class Meta:
        model = VacancySkill
        fields = ["name", "category", "importance", "origin", "mentions"]
        read_only_fields = fields


class VacancySerializer(serializers.ModelSerializer):
    skills = VacancySkillSerializer(source="skill_links", many=True, read_only=True)
    description_html = serializers.SerializerMethodField(
        help_text="the description (Markdown or plain text) rendered as sanitised HTML (recruiting.markup): safe to "
        "insert in a page; ``description`` is the text as written"
    )

    def get_description_html(self, obj: Vacancy) -> str:
        return str(render_description(obj.description))

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "reference",
            "source",
            "title",
            "description",
            "description_html",
            "status",
            "seniority",
            "employment_type",
            "location",
            "remote",
            "salary_min",
            "salary_max",
            "salary_currency",
            "day_rate_min",
            "day_rate_max",
            "day_rate_currency",
            "min_years_experience",
            "min_qualification_level",
            "requirements_capped",
            "language",
            "published_at",
            "created_at",
            "updated_at",
            "skills",
        ]
        read_only_fields = fields


class VacancyCreateInputSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=200, help_text="Your id for the vacancy, unique among API vacancies."
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(help_text="The full text; terms and skills are read from it.")
    status = serializers.ChoiceField(
        [Vacancy.Status.DRAFT, Vacancy.Status.OPEN],
        default=Vacancy.Status.DRAFT,
        help_text='"open" publishes it at once (event vacancy.published).',
    )


class VacancyUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False)


class VacancyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vacancy
        fields = ["id", "reference", "title", "status"]
        read_only_fields = fields


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


# --- webhooks -----------------------------------------------------------------------------------------------
class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(WebhookEndpoint.Event.choices), read_only=True
    )
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_by", "created_at", "updated_at"]
        read_only_fields = fields

    def get_created_by(self, obj: WebhookEndpoint) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this response: store it now.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="http(s) URL that receives POSTed JSON")
    events = serializers.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, allow_empty=False)
    active = serializers.BooleanField(default=True)

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Use an http:// or https:// URL.")
        from recruiting.webhooks import url_refusal

        refusal = url_refusal(value)
        if refusal:
            raise serializers.ValidationError(f"Refused: {refusal}.")
        return value

    def validate_events(self, value) -> list[str]:
        return sorted(value)


class WebhookEndpointUpdateInputSerializer(WebhookEndpointInputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.MultipleChoiceField(
        choices=WebhookEndpoint.Event.choices, allow_empty=False, required=False
    )
    active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts_log = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "payload",
            "status",
            "attempts",
            "attempts_log",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields
