"""The profile tables: the skills a vacancy asks for and a candidate has, and degrees held or asked for.

Extraction (``matching.profiles``) writes them; recruiters may enter or edit them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from recruiting.models.candidates import Candidate
from recruiting.models.choices import DegreeLevel, SkillImportance, SkillOrigin
from recruiting.models.vacancies import Vacancy


class VacancySkill(models.Model):
    """A skill a vacancy asks for, with its importance and where the link came from."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey("matching.Skill", on_delete=models.CASCADE, related_name="vacancy_links")
    importance = models.CharField(
        max_length=10, choices=SkillImportance.choices, default=SkillImportance.REQUIRED
    )
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
    evidence = models.CharField(
        max_length=500, blank=True, default="", help_text="the CV line where it was found"
    )
    evidence_level = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="strongest evidence: used, listed or mentioned (entered: '')",
    )
    strength = models.FloatField(
        default=0.6,
        help_text="evidence strength (matching.evidence): 1.0 a use in a role, "
        "0.6 a list entry or a skill entered by hand, 0.4 a passing mention",
    )

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
