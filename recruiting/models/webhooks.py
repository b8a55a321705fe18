"""Webhook endpoints recruiters register and the deliveries sent to them (sending lives in ``recruiting.webhooks``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from recruiting.models.base import TimeStampedModel


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
