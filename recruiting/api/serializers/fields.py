"""The JSON blobs of a match score with a documented shape (docs/CONTRACTS.md): components, matched and missing
skills, flags, the explanation, confidence; each a read-only field with its OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
