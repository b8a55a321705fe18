"""Candidates in the talent pool, their CV files and their work history."""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q

from recruiting.documents import DOCUMENT_EXTENSIONS
from recruiting.models.base import TimeStampedModel
from recruiting.shortlist_cache import ShortlistDataQuerySet


def cv_upload_to(instance: Candidate, filename: str) -> str:
    """A random storage name for an uploaded CV, keeping only a known extension: the uploader's file name (which
    may hold a path, a NUL or personal data) never reaches the disk."""
    import uuid
    from datetime import datetime

    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    ext = ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""
    now = datetime.now(UTC)
    return f"cvs/{now:%Y/%m}/{uuid.uuid4().hex}{ext if ext in DOCUMENT_EXTENSIONS else ''}"


class Candidate(TimeStampedModel):
    """A person in the talent pool.  ``reference`` is unique per ``source``.

    ``cv_text`` is personal data: it is never logged.
    """

    name = models.CharField(max_length=200, blank=True, default="")
    cv_name = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="the name read from the CV's first lines (recruiting.names); shown when the profile has no name",
    )
    email = models.EmailField(blank=True, default="")
    reference = models.CharField(max_length=200)
    source = models.CharField(max_length=100, default="import")
    source_label = models.CharField(
        max_length=200, blank=True, default="", help_text="e.g. a dataset's category"
    )
    cv_text = models.TextField(blank=True, default="")
    cv_file = models.FileField(upload_to=cv_upload_to, blank=True, default="", max_length=200)
    years_experience = models.FloatField(null=True, blank=True, help_text="extracted from the CV, in years")
    role_titles = models.JSONField(
        default=list, blank=True, help_text="job titles the CV shows the candidate holding (extracted)"
    )
    role_skills = models.JSONField(
        default=list,
        blank=True,
        help_text="skills those job titles name that the rest of the CV backs, e.g. Data Scientist → Data science",
    )
    role_claims = models.JSONField(
        default=list,
        blank=True,
        help_text="skills the job titles name that nothing else in the CV backs (a title is a claim)",
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="ISO 639-1 code of the CV's language, detected on extraction",
    )
    profile_version = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="matching.extraction.EXTRACTION_VERSION of the last extraction; older ones are re-extracted",
    )
    keyword_list = models.BooleanField(
        default=False, help_text="the CV is mostly repeated or bare-listed skills with little evidence of use"
    )
    headline = models.CharField(max_length=200, blank=True, default="")
    location = models.CharField(max_length=200, blank=True, default="")
    open_to_remote = models.BooleanField(default=False)
    open_to_relocation = models.BooleanField(default=False)
    salary_expectation = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True, default="", help_text="ISO 4217 code")
    consent_given_at = models.DateTimeField(
        null=True, blank=True, help_text="when the candidate consented to the processing of personal data"
    )
    self_reported_group = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="voluntary, self-reported equal-opportunities group; never a scoring feature",
    )
    cv_sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate"
    )

    objects = ShortlistDataQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="candidate_unique_source_reference"),
        ]

    def __str__(self) -> str:
        from recruiting.names import candidate_display_name

        return candidate_display_name(self)

    @property
    def display_name(self) -> str:
        """The name pages show (``recruiting.names.candidate_display_name``); blind review still applies."""
        from recruiting.names import candidate_display_name

        return candidate_display_name(self)


class Experience(models.Model):
    """One job in a candidate's work history (entered in the portal).  ``end_date`` empty means "to date"."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="experiences")
    title = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="experience_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.title} ({self.start_date:%Y-%m}–{self.end_date:%Y-%m})" if self.end_date else self.title
        )
