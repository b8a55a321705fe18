"""Choices shared by vacancies, candidates and their skills and qualifications."""

from __future__ import annotations

from django.db import models


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
