"""Vacancies and the skill vocabulary: output shapes, and the inputs of creating and editing a vacancy."""

from __future__ import annotations

from rest_framework import serializers

from matching.models import Skill
from recruiting.markup import render_description
from recruiting.models import (
    Vacancy,
    VacancySkill,
)


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
