"""CSV import runs and their chunks (the work lives in ``recruiting.import_runs``)."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


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
