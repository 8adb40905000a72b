from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class IdCounter(models.Model):
    """The id counter on SQLite (PostgreSQL uses a sequence); see `custcare.core.ids`."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class AuditEntry(models.Model):
    """One write to a business record: who, when, what, and the values before and after.

    Append-only: database triggers refuse UPDATE and DELETE on this table.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    entity_type = models.CharField(max_length=60)
    entity_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "at"], name="audit_entity_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.entity_type} {self.entity_id}"


class CodeTable(models.Model):
    """A configuration code table row: a short code users and integrators know, and its description.
    The code tables of every app (customer classes, remark types, case types, ...) share this shape."""

    code = models.CharField(max_length=20, primary_key=True)
    description = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"
