"""The vacancy search of the portal (django-filter): title or skill (and the skills related to it), seniority,
remote, employment type, salary and its currency."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from portal.forms import EMPLOYMENT_CHOICES, REMOTE_CHOICES, SENIORITY_CHOICES
from portal.selectors import search_skill_names
from recruiting.models import Vacancy, VacancySkill


class VacancyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Job title or skill, e.g. PyTorch"}),
    )
    seniority = django_filters.ChoiceFilter(
        choices=SENIORITY_CHOICES, empty_label="Any seniority", label="Seniority"
    )
    remote = django_filters.ChoiceFilter(
        choices=REMOTE_CHOICES, empty_label="Any workplace", label="Workplace"
    )
    employment_type = django_filters.ChoiceFilter(
        choices=EMPLOYMENT_CHOICES, empty_label="Any contract", label="Employment type"
    )
    salary = django_filters.NumberFilter(
        method="filter_salary",
        label="Salary at least",
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "5000", "placeholder": "e.g. 60000", "inputmode": "numeric"}),
    )
    currency = django_filters.ChoiceFilter(
        field_name="salary_currency",
        label="Currency",
        empty_label="Any currency",
        choices=lambda: [
            (c, c)
            for c in Vacancy.objects.filter(status=Vacancy.Status.OPEN)
            .exclude(salary_currency="")
            .order_by("salary_currency")
            .values_list("salary_currency", flat=True)
            .distinct()
        ],
    )

    class Meta:
        model = Vacancy
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A skill named in the search, and the skills the engine relates to it (its broader, narrower and sibling
        # skills in the vocabulary: "PyTorch" also finds the roles asking for deep learning or TensorFlow).
        related = search_skill_names(value)
        by_skill = VacancySkill.objects.filter(vacancy=OuterRef("pk"), skill__name__icontains=value)
        by_related = VacancySkill.objects.filter(vacancy=OuterRef("pk"), skill__name__in=related)
        return queryset.filter(Q(title__icontains=value) | Exists(by_skill) | Exists(by_related))

    def filter_salary(self, queryset, name, value):
        """Vacancies whose yearly pay can reach ``value``; unstated pay is left out.  The amount is in the chosen
        ``currency`` (which keeps only vacancies paying in it), or in each vacancy's own currency when none is
        chosen."""
        if value is None:
            return queryset
        return queryset.filter(Q(salary_max__gte=value) | Q(salary_max__isnull=True, salary_min__gte=value))
