"""Applications moving through the pipeline: their stage changes, recruiters' notes and the e-mail sent per stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recruiting.models.base import TimeStampedModel
from recruiting.models.candidates import Candidate
from recruiting.models.vacancies import Vacancy


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

    class Source(models.TextChoices):
        """How the application came about (the hiring reports' "candidates by source")."""

        PORTAL = "portal", "Portal"
        IMPORT = "import", "Import"
        API = "api", "API"
        SOURCED = "sourced", "Recruiter-sourced"

    # Null once the candidate erased their account: the application is kept as anonymous statistics.
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="applications")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED, db_index=True)
    cover_note = models.TextField(blank=True, default="")
    revealed = models.BooleanField(
        default=False,
        help_text="a recruiter has moved the application past 'applied': blind review shows the candidate from then on",
    )
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.IMPORT,
        db_index=True,
        help_text="how the application came about: the candidate applied in the portal or through the API, a "
        "recruiter sourced them from the shortlist, or it was loaded by an import or a script",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "vacancy"], name="application_unique_candidate_vacancy"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.vacancy} ({self.stage})"


class ApplicationStageChange(models.Model):
    """One move of an application through the pipeline: who moved it, when, from which stage to which, and why.

    The first row of an application has ``from_stage=""`` (it was created at ``to_stage``).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Application.Stage.choices, blank=True, default="")
    to_stage = models.CharField(max_length=20, choices=Application.Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_stage or '∅'} → {self.to_stage}"


class Note(TimeStampedModel):
    """A recruiter's or hiring manager's note on a candidate, optionally about one application."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notes")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.candidate_id}"


class StageEmailTemplate(models.Model):
    """The e-mail a candidate gets when their application moves to ``stage``; recruiters edit it in the admin.

    ``subject`` and ``body`` are Django templates with ``candidate``, ``vacancy``, ``application`` and
    ``reason`` in their context.
    """

    stage = models.CharField(max_length=20, choices=Application.Stage.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"e-mail on {self.stage}"
