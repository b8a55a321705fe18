"""The abstract base every timestamped recruiting model extends."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base with ``created_at`` and ``updated_at`` (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
