"""Matching data: the skill vocabulary, match scores and scoring runs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SkillCategory(models.TextChoices):
    LANGUAGE = "language", "Programming language"
    LIBRARY = "library", "Library / framework"
    PLATFORM = "platform", "Platform / infrastructure"
    METHOD = "method", "Method / topic"
    MATHEMATICS = "mathematics", "Mathematics / statistics"
    SOFT = "soft", "Soft skill"


class Skill(models.Model):
    """One entry of the skill vocabulary: a canonical name, its aliases and a category.

    ``aliases`` is a JSON list of strings matched case-insensitively as whole words.
    ``ambiguous`` marks names that are also ordinary words (R, Go, Spark, Excel, Java): they count only in a
    technical context (see ``matching.extraction``).
    """

    name = models.CharField(max_length=120, unique=True)
    aliases = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=20, choices=SkillCategory.choices)
    ambiguous = models.BooleanField(default=False)
    source = models.CharField(max_length=50, default="project", help_text="project, onet or stackoverflow")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MatchScore(models.Model):
    """The fit of one candidate for one vacancy.  Unique per (candidate, vacancy); upserted by scoring.

    ``score`` and the component scores are 0–100.  ``matched_skills`` and ``missing_skills`` are lists of
    ``{"skill": name, "weight": w, "contribution": points}``; the contributions of all components add up
    to ``score``.  ``explanation`` holds the full structured explanation produced by the engine.
    """

    candidate = models.ForeignKey("recruiting.Candidate", on_delete=models.CASCADE, related_name="match_scores")
    vacancy = models.ForeignKey("recruiting.Vacancy", on_delete=models.CASCADE, related_name="match_scores")
    score = models.FloatField(db_index=True)
    skills_score = models.FloatField(default=0)
    qualifications_score = models.FloatField(default=0)
    text_score = models.FloatField(default=0)
    matched_skills = models.JSONField(default=list, blank=True)
    missing_skills = models.JSONField(default=list, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    engine_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "vacancy"], name="matchscore_unique_pair"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="matchscore_score_0_100"),
        ]
        indexes = [models.Index(fields=["vacancy", "-score"], name="matchscore_vacancy_rank")]

    def __str__(self) -> str:
        return f"{self.candidate_id}×{self.vacancy_id}: {self.score:.1f}"


class ScoringRun(models.Model):
    """One scoring job (full rescore, one vacancy or one candidate) and its progress: ``done`` of ``total`` pairs."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    scope = models.CharField(max_length=20, default="all", help_text="all, vacancy or candidate")
    target = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0, help_text="pairs to score")
    done = models.PositiveIntegerField(default=0, help_text="pairs scored so far")
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk} {self.scope} {self.status} {self.done}/{self.total}"
