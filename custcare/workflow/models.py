"""CustCare's copies of workflow processes (with their characteristics) and of sync requests.

Workflow processes come from the workflow system: each is of a type, for an account and/or a premise,
and carries characteristics (type code + value) that may name other records, e.g. "ACCT-ID" = an
account id. Sync requests come from the integration layer: each says that a business object (an
account, person or premise) is to be sent to, or was refused by, another system. Control Central's
alerts read the active processes of the account or premise in context, the active processes whose
characteristic names it, and the sync requests still outstanding for it; the indexes serve exactly those.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from custcare.core.models import CodeTable


class WorkflowProcessType(CodeTable):
    """A kind of workflow process (move-in, dispute, field follow-up...)."""


class WorkflowProcess(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True)
    # Indexed with the status below (the alerts' lookup), not alone.
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    premise = models.ForeignKey(
        "customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    process_type = models.ForeignKey(WorkflowProcessType, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "workflow processes"
        indexes = [
            models.Index(fields=["account", "status"], name="wf_process_acct_status"),
            models.Index(fields=["premise", "status"], name="wf_process_prem_status"),
        ]

    def clean(self) -> None:
        if not self.account_id and not self.premise_id:
            raise ValidationError({"account_id": "A workflow process is for an account, a premise, or both."})

    def __str__(self) -> str:
        return f"Workflow process {self.id} {self.process_type_id} ({self.get_status_display()})"


class WorkflowProcessCharacteristic(models.Model):
    """One characteristic of a process: a type code and its value (at most one per type and process)."""

    id = models.CharField(max_length=30, primary_key=True)
    process = models.ForeignKey(WorkflowProcess, on_delete=models.PROTECT, related_name="characteristics")
    char_type = models.CharField("characteristic type", max_length=20)
    value = models.CharField(max_length=254)

    class Meta:
        ordering = ["process_id", "char_type"]
        constraints = [models.UniqueConstraint(fields=["process", "char_type"], name="wf_char_once_per_process")]
        # The "...R" alerts look for characteristics of a type whose value is the account or premise id.
        indexes = [models.Index(fields=["char_type", "value"], name="wf_char_type_value")]

    def clean(self) -> None:
        # Intake checks rows without queries and would otherwise meet the unique constraint as a
        # database error; a process's characteristic of a type is replaced under its own id only.
        taken = (
            WorkflowProcessCharacteristic.objects.filter(process_id=self.process_id, char_type=self.char_type)
            .exclude(pk=self.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if taken:
            raise ValidationError(
                {"char_type": f"Process {self.process_id} already has a {self.char_type} characteristic ({taken})."}
            )

    def __str__(self) -> str:
        return f"{self.char_type}={self.value} on {self.process_id}"


class SyncRequest(models.Model):
    """A request to send a business object (account, person or premise) to another system."""

    class ObjectKind(models.TextChoices):
        ACCOUNT = "account", "Account"
        PERSON = "person", "Person"
        PREMISE = "premise", "Premise"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        ERROR = "error", "Error"
        COMPLETE = "complete", "Complete"

    OUTSTANDING = [Status.PENDING, Status.ERROR]

    id = models.CharField(max_length=30, primary_key=True)
    object_kind = models.CharField("business object", max_length=10, choices=ObjectKind.choices)
    object_id = models.CharField("business object id", max_length=30)
    # The account the request concerns: the object itself for an account request (set by intake);
    # optional for persons and premises. Access to the records through the API goes by this account.
    account = models.ForeignKey("customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    message = models.TextField(blank=True, help_text="The other system's answer, e.g. why it refused the object.")

    class Meta:
        ordering = ["id"]
        # The alert (outstanding requests of an object) and the selector (all requests of an object).
        indexes = [models.Index(fields=["object_id", "object_kind", "status"], name="sync_request_object")]

    def clean(self) -> None:
        if self.object_kind == self.ObjectKind.ACCOUNT and self.account_id and self.account_id != self.object_id:
            raise ValidationError({"account_id": "An account sync request concerns that account itself."})

    def __str__(self) -> str:
        return f"Sync request {self.id} {self.object_kind} {self.object_id} ({self.get_status_display()})"
