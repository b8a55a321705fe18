"""django-filter FilterSets of the API's lists."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms

from matching.models import MatchScore, ScoringRun, Skill, SkillCategory
from recruiting.models import (
    Application,
    Candidate,
    EmploymentType,
    RemoteOption,
    Seniority,
    Vacancy,
    WebhookDelivery,
    WebhookEndpoint,
)

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number the database can hold (anything else is a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ScoreFilter(django_filters.NumberFilter):
    """A finite number (no 1e400, no NaN)."""

    field_class = forms.FloatField


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, converted to UTC (PostgreSQL refuses offsets beyond ±15:59)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class VacancyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Vacancy.Status.choices)
    seniority = django_filters.ChoiceFilter(choices=[c for c in Seniority.choices if c[0]])
    employment_type = django_filters.ChoiceFilter(choices=[c for c in EmploymentType.choices if c[0]])
    remote = django_filters.ChoiceFilter(choices=[c for c in RemoteOption.choices if c[0]])
    location = django_filters.CharFilter(lookup_expr="icontains")
    source = django_filters.CharFilter()
    reference = django_filters.CharFilter()
    skill = django_filters.CharFilter(
        field_name="skill_links__skill__name",
        lookup_expr="iexact",
        distinct=True,
        label="Has this skill (canonical name, case-insensitive)",
    )
    published_after = UtcIsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    updated_after = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Vacancy
        fields = ["status", "seniority", "employment_type", "remote", "location", "source", "reference"]


class CandidateFilter(django_filters.FilterSet):
    source = django_filters.CharFilter()
    source_label = django_filters.CharFilter()
    reference = django_filters.CharFilter()
    skill = django_filters.CharFilter(
        field_name="skill_links__skill__name",
        lookup_expr="iexact",
        distinct=True,
        label="Has this skill (canonical name, case-insensitive)",
    )
    has_account = django_filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True)
    updated_after = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Candidate
        fields = ["source", "source_label", "reference"]


class ApplicationFilter(django_filters.FilterSet):
    vacancy = IdFilter(field_name="vacancy_id")
    candidate = IdFilter(field_name="candidate_id")
    stage = django_filters.MultipleChoiceFilter(choices=Application.Stage.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    updated_after = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Application
        fields = ["vacancy", "candidate", "stage"]


class MatchScoreFilter(django_filters.FilterSet):
    min_score = ScoreFilter(
        field_name="score",
        lookup_expr="gte",
        label="Only scores at least this (0–100); excludes insufficient data",
    )
    state = django_filters.ChoiceFilter(choices=MatchScore.State.choices)
    stale = django_filters.BooleanFilter()
    confidence = django_filters.ChoiceFilter(
        choices=MatchScore.Confidence.choices, label="Only scores with this confidence (high, medium, low)"
    )

    class Meta:
        model = MatchScore
        fields = ["min_score", "state", "stale", "confidence"]


class MatchScoreListFilter(MatchScoreFilter):
    vacancy = IdFilter(field_name="vacancy_id")
    candidate = IdFilter(field_name="candidate_id")

    class Meta:
        model = MatchScore
        fields = ["vacancy", "candidate", "min_score", "state", "stale", "confidence"]


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=SkillCategory.choices)

    class Meta:
        model = Skill
        fields = ["category"]


class ScoringRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ScoringRun.Status.choices)
    scope = django_filters.ChoiceFilter(
        choices=[("all", "all"), ("vacancy", "vacancy"), ("candidate", "candidate")]
    )

    class Meta:
        model = ScoringRun
        fields = ["status", "scope"]


class WebhookEndpointFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["active"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")
    event = django_filters.ChoiceFilter(choices=WebhookEndpoint.Event.choices)
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "event", "status"]
