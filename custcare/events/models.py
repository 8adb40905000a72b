"""System events received from other systems (billing, metering, field work, marketing, programs,
payments) and what became of them. Every event is kept — processed, or in the error queue with the
reason — so nothing an integrator sends is lost, and the same event id is processed once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SystemEvent(models.Model):
    class Status(models.TextChoices):
        PROCESSED = "PROCESSED", "Processed"
        ERROR = "ERROR", "In the error queue"
        DISCARDED = "DISCARDED", "Discarded by an administrator"

    kind = models.CharField(max_length=40, help_text="What happened, e.g. field-activity-completed.")
    event_id = models.CharField(max_length=80, help_text="The sender's id of the event; a repeat is ignored.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    source_reference = models.CharField(max_length=80, blank=True, help_text="The record the event is about.")
    contact_ids = models.JSONField(default=list, blank=True, help_text="The customer contacts it created.")
    algorithms = models.JSONField(default=list, blank=True, help_text="The algorithms that ran for it.")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "event_id"], name="system_event_once")]
        indexes = [models.Index(fields=["status", "received_at"], name="event_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id} ({self.get_status_display()})"
