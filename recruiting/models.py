"""Core recruiting domain: vacancies, candidates, their skills and qualifications, and applications.

Models hold data and what the database can enforce; behaviour lives in ``services.py`` (writes) and
``selectors.py`` (reads), after HackSoft's Django Styleguide.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TimeStampedModel(models.Model):
    """Abstract base with ``created_at`` and ``updated_at`` (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Seniority(models.TextChoices):
    UNSPECIFIED = "", "Not stated"
    ENTRY = "entry", "Entry / graduate"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    LEAD = "lead", "Lead / principal"


class EmploymentType(models.TextChoices):
    UNSPECIFIED = "", "Not stated"
    PERMANENT = "permanent", "Permanent"
    CONTRACT = "contract", "Contract"


class RemoteOption(models.TextChoices):
    UNSPECIFIED = "", "Not stated"
    ONSITE = "onsite", "On site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class SkillOrigin(models.TextChoices):
    EXTRACTED = "extracted", "Extracted from text"
    ENTERED = "entered", "Entered by a person"


class SkillImportance(models.TextChoices):
    REQUIRED = "required", "Required"
    DESIRABLE = "desirable", "Desirable"


class DegreeLevel(models.IntegerChoices):
    """Degree levels, ordered so that a larger value is a higher qualification."""

    CERTIFICATE = 1, "Certificate / bootcamp"
    BACHELOR = 2, "Bachelor's degree"
    MASTER = 3, "Master's degree"
    DOCTORATE = 4, "Doctorate"


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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    min_years_experience = models.FloatField(null=True, blank=True, help_text="minimum years of experience")
    weights = models.JSONField(
        default=dict, blank=True, help_text="per-vacancy component weights; empty means the documented defaults"
    )

    class Meta:
        verbose_name_plural = "vacancies"
        ordering = ["title", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="vacancy_unique_source_reference"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_min__lte=models.F("salary_max")),
                name="vacancy_salary_min_lte_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"


class Candidate(TimeStampedModel):
    """A person in the talent pool.  ``reference`` is unique per ``source``.

    ``cv_text`` is personal data: it is never logged.
    """

    name = models.CharField(max_length=200, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    reference = models.CharField(max_length=200)
    source = models.CharField(max_length=100, default="import")
    source_label = models.CharField(max_length=200, blank=True, default="", help_text="e.g. a dataset's category")
    cv_text = models.TextField(blank=True, default="")
    cv_file = models.FileField(upload_to="cvs/%Y/%m/", blank=True, default="")
    years_experience = models.FloatField(null=True, blank=True, help_text="extracted from the CV, in years")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate"
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="candidate_unique_source_reference"),
        ]

    def __str__(self) -> str:
        return self.name or self.reference


class VacancySkill(models.Model):
    """A skill a vacancy asks for, with its importance and where the link came from."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("matching.Skill", on_delete=models.CASCADE, related_name="vacancy_links")
    importance = models.CharField(max_length=10, choices=SkillImportance.choices, default=SkillImportance.REQUIRED)
    origin = models.CharField(max_length=10, choices=SkillOrigin.choices, default=SkillOrigin.EXTRACTED)
    mentions = models.PositiveIntegerField(default=1, help_text="times the skill is named in the description")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vacancy", "skill"], name="vacancyskill_unique")]

    def __str__(self) -> str:
        return f"{self.vacancy_id}:{self.skill_id} ({self.importance})"


class CandidateSkill(models.Model):
    """A skill a candidate has, with where the link came from and the CV line that shows it."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("matching.Skill", on_delete=models.CASCADE, related_name="candidate_links")
    origin = models.CharField(max_length=10, choices=SkillOrigin.choices, default=SkillOrigin.EXTRACTED)
    mentions = models.PositiveIntegerField(default=1, help_text="times the skill is named in the CV")
    evidence = models.CharField(max_length=500, blank=True, default="", help_text="the CV line where it was found")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "skill"], name="candidateskill_unique")]

    def __str__(self) -> str:
        return f"{self.candidate_id}:{self.skill_id}"


class Qualification(models.Model):
    """A degree held by a candidate, or asked for by a vacancy (exactly one of the two is set)."""

    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.CASCADE, related_name="qualifications"
    )
    vacancy = models.ForeignKey(
        Vacancy, null=True, blank=True, on_delete=models.CASCADE, related_name="qualifications"
    )
    level = models.PositiveSmallIntegerField(choices=DegreeLevel.choices)
    field = models.CharField(max_length=200, blank=True, default="", help_text="e.g. computer science")
    origin = models.CharField(max_length=10, choices=SkillOrigin.choices, default=SkillOrigin.EXTRACTED)
    evidence = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(candidate__isnull=False) & Q(vacancy__isnull=True))
                | (Q(candidate__isnull=True) & Q(vacancy__isnull=False)),
                name="qualification_belongs_to_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.field}".strip()


class Application(TimeStampedModel):
    """A candidate's application to a vacancy, at one pipeline stage.  One per (candidate, vacancy)."""

    class Stage(models.TextChoices):
        APPLIED = "applied", "Applied"
        SCREENING = "screening", "Screening"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="applications")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED, db_index=True)
    cover_note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "vacancy"], name="application_unique_candidate_vacancy"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.vacancy} ({self.stage})"
