"""Core recruiting domain: vacancies, candidates, their skills and qualifications, and applications.

Models hold data and what the database can enforce; behaviour lives in ``services.py`` (writes) and
``selectors.py`` (reads), after HackSoft's Django Styleguide.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from recruiting.documents import DOCUMENT_EXTENSIONS


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

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"


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


class AuditLogEntry(models.Model):
    """A recruiter action on candidate data (viewing a CV, an export, a stage change).  Readable by superusers."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=50, db_index=True)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class WebhookEndpoint(TimeStampedModel):
    """A receiver registered by a recruiter for some events; deliveries are signed with ``secret`` (HMAC-SHA256)."""

    class Event(models.TextChoices):
        APPLICATION_CREATED = "application.created", "application.created"
        APPLICATION_STAGE_CHANGED = "application.stage_changed", "application.stage_changed"
        MATCH_SCORE_UPDATED = "match_score.updated", "match_score.updated"
        VACANCY_PUBLISHED = "vacancy.published", "vacancy.published"

    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list, help_text="event names this endpoint receives")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with every attempt logged in ``attempts_log``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    attempts_log = models.JSONField(
        default=list, blank=True, help_text="[{at, status_code, error, duration_ms}] per attempt"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class IdempotencyKey(models.Model):
    """The stored response of a POST made with an ``Idempotency-Key`` header, replayed when the key is reused."""

    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ImportRun(models.Model):
    """One import of a CSV file (or several merged) fanned out as chunk tasks (``recruiting.import_runs``) and its
    progress: ``chunks_done`` of ``chunks_total`` chunks, ``rows_done`` of ``rows_total`` records.

    All or nothing: a chunk's writes commit only while the run is running, and a failed run undoes every chunk
    already written (``status`` failed, ``undone`` true)."""

    class Kind(models.TextChoices):
        CANDIDATES = "candidates", "Candidates"
        VACANCIES = "vacancies", "Vacancies"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.CharField(max_length=100, help_text="the source the records are stored under")
    origin = models.CharField(max_length=500, blank=True, default="", help_text="the file names imported")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    params = models.JSONField(
        default=dict, blank=True, help_text="e.g. the status given to imported vacancies"
    )
    in_process = models.BooleanField(default=False, help_text="run by the command itself (no broker)")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    duplicates_dropped = models.PositiveIntegerField(default=0)
    error = models.TextField(
        blank=True, default="", help_text="what failed (names rows and error types, never CV text)"
    )
    undone = models.BooleanField(default=False, help_text="the chunks a failed run had written were undone")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True, help_text="last time a chunk was stored")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.kind} {self.status} {self.chunks_done}/{self.chunks_total}"


class ImportChunk(models.Model):
    """The records of one chunk of an import run (``payload``: zlib-compressed JSON, emptied once written, so a
    worker needs no file) and, once written, what it changed: the ids it created, the stored values of the records
    it updated (to undo a failed run) and the ids to rescore when the run completes.  A run's chunks are deleted
    when it is done or failed and undone: nothing of them is needed then."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    payload = models.BinaryField(default=b"")
    done = models.BooleanField(default=False)
    created_ids = models.JSONField(default=list, blank=True)
    previous = models.JSONField(
        default=list,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="[{id, field: old value}] of updated rows",
    )
    changed_ids = models.JSONField(
        default=list, blank=True, help_text="ids created or updated: rescored at the end"
    )

    class Meta:
        ordering = ["run_id", "index"]  # not "run": that would join (and lock) the run row
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="importchunk_unique_run_index")]

    def __str__(self) -> str:
        return f"import {self.run_id} chunk {self.index}"
