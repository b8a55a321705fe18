"""Vacancies: the job openings candidates are matched against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from recruiting.models.base import TimeStampedModel
from recruiting.models.choices import DegreeLevel, EmploymentType, RemoteOption, Seniority
from recruiting.shortlist_cache import ShortlistDataQuerySet


class Vacancy(TimeStampedModel):
    """A job opening.  ``reference`` is unique per ``source`` (an import's file name, a job board's id)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=200)
    source = models.CharField(max_length=100, default="import")
    description = models.TextField()
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True, default="")
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices, blank=True, default="")
    location = models.CharField(max_length=200, blank=True, default="")
    remote = models.CharField(max_length=20, choices=RemoteOption.choices, blank=True, default="")
    salary_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True, default="", help_text="ISO 4217 code")
    day_rate_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    day_rate_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    day_rate_currency = models.CharField(
        max_length=3,
        blank=True,
        default="",
        help_text="ISO 4217 code of the day rate (a text may state the salary and the day rate in two currencies); "
        "empty means salary_currency",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    min_years_experience = models.FloatField(null=True, blank=True, help_text="minimum years of experience")
    min_qualification_level = models.PositiveSmallIntegerField(
        choices=DegreeLevel.choices,
        null=True,
        blank=True,
        help_text="minimum degree level; empty means read from the description",
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="ISO 639-1 code of the description's language, detected on extraction",
    )
    profile_version = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="matching.extraction.EXTRACTION_VERSION of the last extraction; older ones are re-extracted",
    )
    requirements_capped = models.BooleanField(
        default=False,
        help_text="the text named many skills with no requirement cue: only the strongest were "
        "marked required; a recruiter should confirm or edit them",
    )
    requirements_edited = models.BooleanField(
        default=False, help_text="a recruiter edited the requirements; re-imports keep their edits"
    )
    hiring_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_vacancies",
        help_text="hiring managers who see this vacancy's shortlist and applications",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text="per-vacancy component weights; empty means the documented defaults",
    )

    objects = ShortlistDataQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "vacancies"
        ordering = ["title", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="vacancy_unique_source_reference"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="vacancy_salary_min_lte_max",
            ),
        ]
        indexes = [
            # Every incremental scoring task reads the scorable vacancies' ids and the vacancies' side of the
            # worker cache's signature (matching.selectors.scorable_vacancy_ids, matching.vacancy_cache): from this
            # index alone (an index-only scan, 0.3 ms at 1,000 vacancies) instead of every row with its
            # description (4.3 ms).
            models.Index(
                fields=["id", "status", "updated_at", "min_years_experience", "min_qualification_level"],
                name="vacancy_scoring_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"
