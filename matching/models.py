"""Matching data: the skill vocabulary, match scores and scoring runs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from recruiting.shortlist_cache import ShortlistDataQuerySet


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
    technical context (see ``matching.extraction``).  ``broader`` names the skills this one is a kind or a tool
    of; the engine's skill-profile similarity credits them in part.
    """

    name = models.CharField(max_length=120, unique=True)
    aliases = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=20, choices=SkillCategory.choices)
    ambiguous = models.BooleanField(default=False)
    broader = models.JSONField(
        default=list, blank=True, help_text="names of broader skills (Keras → Deep learning)"
    )
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
    ``explained`` is False for a narrow row (stored by the storage policy, ``matching.storage.pairs_kept``): its
    explanation is filled by an explicit ``matching.services.match_scores_explain`` in the selectors that show it.
    Reading rows never writes.
    """

    class State(models.TextChoices):
        SCORED = "scored", "Scored"
        INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"

    class Confidence(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    # No index of their own: (candidate, …) is served by the unique pair's index, (vacancy, …) by
    # matchscore_vacancy_ranked on PostgreSQL and matchscore_vacancy on SQLite (migration 0011).  Every stored row
    # pays each index, and a full rescore stores millions.
    candidate = models.ForeignKey(
        "recruiting.Candidate", on_delete=models.CASCADE, related_name="match_scores", db_index=False
    )
    vacancy = models.ForeignKey(
        "recruiting.Vacancy", on_delete=models.CASCADE, related_name="match_scores", db_index=False
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCORED)
    # Indexed by migration 0013 in the ranking's order (score DESC NULLS LAST on PostgreSQL), not by db_index.
    score = models.FloatField(null=True, blank=True, help_text="0–100; empty when data is insufficient")
    skills_score = models.FloatField(default=0)
    qualifications_score = models.FloatField(default=0)
    text_score = models.FloatField(default=0)
    matched_skills = models.JSONField(default=list, blank=True)
    missing_skills = models.JSONField(default=list, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    engine_version = models.CharField(max_length=40)
    vocabulary_version = models.CharField(max_length=40, blank=True, default="")
    # The fitted model it was scored with: its ``version`` (one artefact, ``scoring.MatchingModel`` in memory,
    # stored as a ``StoredMatchingModel`` row; docs/architecture.md, "Names").
    model_version = models.CharField(max_length=40, blank=True, default="")
    weights = models.JSONField(default=dict, blank=True)
    stale = models.BooleanField(default=False)  # indexed where true only: matchscore_stale_candidate
    computed_at = models.DateTimeField()
    explained = models.BooleanField(
        default=True, help_text="False: stored narrow; explanation filled on first read"
    )
    confidence = models.CharField(
        max_length=6,
        choices=Confidence.choices,
        blank=True,
        default="",
        help_text="how much evidence the score rests on; empty when data is insufficient",
    )

    objects = ShortlistDataQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "vacancy"], name="matchscore_unique_pair"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="matchscore_score_0_100",
            ),
        ]
        indexes = [
            # the stale sweep's "which candidates have stale scores": a fresh row (stale=False) adds no entry
            models.Index(fields=["candidate"], condition=Q(stale=True), name="matchscore_stale_candidate"),
        ]
        # The ranked shortlist (API and pages: best first, no score last, then id) has the index
        # matchscore_vacancy_ranked (vacancy, score DESC NULLS LAST, id) on PostgreSQL, created by migration 0006
        # (SQLite cannot declare NULLS LAST in an index): one page is an index range scan, not a sort of every
        # stored score of the vacancy.  Lists across vacancies have matchscore_ranked (score DESC NULLS LAST;
        # migration 0013), read forwards for the ranking and backwards for its reverse.

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
    completed_chunks = models.JSONField(default=list, blank=True, help_text="indexes of the chunks stored")
    chunk_bounds = models.JSONField(
        default=list,
        blank=True,
        help_text="[first, last] candidate id of each chunk, to re-enqueue lost ones",
    )
    params = models.JSONField(
        default=dict, blank=True, help_text="candidate_ids, vacancy_ids, refit, model_version"
    )
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="last time a chunk was planned or stored"
    )
    chunk_failures = models.JSONField(
        default=dict, blank=True, help_text="chunk index → times its task died; each death resends it at once"
    )
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk} {self.scope} {self.status} {self.done}/{self.total}"


class ShortlistScanSlice(models.Model):
    """One slice of a scoring run's shortlist threshold scan, done: the best scores of its candidates for each
    vacancy (``matching.services.shortlist_scan``), kept until the run's last slice merges every slice's table into
    the shortlist thresholds (``matching.runs``).  A run's slices are fanned out over the workers like its chunks;
    a row here is what says a slice is done.  Deleted with its run, or when the merge is stored."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="scan_slices")
    index = models.PositiveIntegerField()
    vacancy_ids = models.JSONField(default=list, help_text="the table's columns: vacancy ids, ascending")
    best = models.BinaryField(help_text="float64, row-major (rows, len(vacancy_ids)): best first per column")
    scanned = models.PositiveIntegerField(default=0, help_text="candidates of the slice found and scanned")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="uniq_scan_slice_per_run")]

    def __str__(self) -> str:
        return f"run {self.run_id} scan slice {self.index}"


class StoredMatchingModel(models.Model):
    """A fitted TF-IDF model (skill IDF and word IDF), persisted so every worker loads the same one.

    ``data`` is an ``.npz`` archive written by ``matching.scoring.MatchingModel.to_bytes`` (arrays and JSON
    only, no pickle).  ``version`` is a hash of that content.  ``frequencies_digest`` names the document-frequency
    snapshot its word IDF was taken from (``matching.terms.DocumentFrequencies.digest``); the archive holds that IDF, so a stored
    score's ``model_version`` reproduces it.
    """

    version = models.CharField(max_length=40, unique=True)
    vocabulary_version = models.CharField(max_length=40)
    frequencies_digest = models.CharField(max_length=32, blank=True, default="")
    n_documents = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"model {self.version} ({self.n_documents} documents)"


class ShortlistThreshold(models.Model):
    """The score of a vacancy's K-th best candidate at its last full scoring (K = MATCHING_TOP_K_PER_VACANCY).

    Scores below it are not stored (they are computed on demand) unless the pair is in the candidate's own top N
    or the candidate applied.  ``kth_score`` is empty while the vacancy has fewer than K scorable candidates.
    """

    vacancy = models.OneToOneField(
        "recruiting.Vacancy", on_delete=models.CASCADE, related_name="shortlist_threshold"
    )
    kth_score = models.FloatField(null=True, blank=True)
    candidates_scored = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.vacancy_id}: {self.kth_score}"


class DocumentTerms(models.Model):
    """A document's text read once (issue 15): its term counts, stored when it is saved or imported so a rescore
    never tokenises it again.

    ``terms`` is ``matching.terms.TermCounts.to_bytes`` (hashed feature ids as uint32, then counts as uint16: 6
    bytes a term) of the neutralised text; ``words`` its word count; ``terms_version`` the hashing settings
    (``matching.terms.TERMS_VERSION``); ``source_digest`` a hash of what was read (``matching.term_store``), so a
    row whose text changed since is recognised and the text read again instead.
    """

    terms = models.BinaryField()
    words = models.PositiveIntegerField(default=0)
    terms_version = models.CharField(max_length=10)
    source_digest = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CandidateTerms(DocumentTerms):
    """The term counts of a candidate's CV text (``DocumentTerms``); counted in the document frequencies."""

    candidate = models.OneToOneField(
        "recruiting.Candidate", on_delete=models.CASCADE, primary_key=True, related_name="text_terms"
    )


class VacancyTerms(DocumentTerms):
    """The term counts of a vacancy's description (``DocumentTerms``)."""

    vacancy = models.OneToOneField(
        "recruiting.Vacancy", on_delete=models.CASCADE, primary_key=True, related_name="text_terms"
    )


class DocumentFrequencySnapshot(models.Model):
    """The candidates' word document frequencies as last folded: one row (``pk=1``).  ``data`` is
    ``matching.terms.DocumentFrequencies.to_bytes``; ``digest`` its content hash.  The current frequencies are
    this row plus every ``FrequencyChange`` not yet folded into it (``matching.term_store.frequencies_current``).
    """

    data = models.BinaryField()
    digest = models.CharField(max_length=32, blank=True, default="")
    n_documents = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class FrequencyChange(models.Model):
    """What saved, changed or deleted CV texts change in the document frequencies, appended in the same transaction
    (no shared row is locked, so concurrent imports never wait on each other): ``matching.terms.FrequencyDelta``,
    ``features`` as uint32 bytes and their ``deltas`` as int32 bytes, ``documents`` the change in the number of
    documents.  Folded into ``DocumentFrequencySnapshot`` and deleted by
    ``matching.term_store.frequencies_current``."""

    features = models.BinaryField()
    deltas = models.BinaryField()
    documents = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
