"""Field activities done by crews at premises, and the remarks they leave (step 2.0 triggers)."""

from __future__ import annotations

from django.db import models

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable


class FieldActivityType(CodeTable):
    """A kind of work a crew does at a premise (meter check, connect, disconnect...)."""


class FieldActivityRemarkType(CodeTable):
    """A remark a crew can leave ("spoke to customer", "dog on premise"); algorithms plugged into it
    run when a completed activity carries it."""


class FieldActivityRemarkTypeAlgorithm(PluggedAlgorithm):
    remark_type = models.ForeignKey(FieldActivityRemarkType, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(max_length=20, default=Spot.FA_REMARK.value, choices=[(Spot.FA_REMARK.value, "Remark")])

    class Meta:
        ordering = ["sequence", "id"]


class FieldActivity(models.Model):
    """CustCare's copy of a field activity from the field work system, keyed by that system's id."""

    class Status(models.TextChoices):
        PENDING = "P", "Pending"
        COMPLETED = "C", "Completed"
        CANCELED = "X", "Canceled"

    id = models.CharField(max_length=30, primary_key=True)
    fa_type = models.ForeignKey(FieldActivityType, on_delete=models.PROTECT)
    premise = models.ForeignKey("customers.Premise", on_delete=models.PROTECT, related_name="field_activities")
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_activities",
        db_index=False,  # indexed by fa_account_completed_idx, which serves the timeline's ordered read too
    )
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.PENDING)
    scheduled_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    crew = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-completed_at", "id"]
        verbose_name_plural = "field activities"
        # Control Central's timeline (an account's completed activities newest first) and its alerts.
        indexes = [models.Index(fields=["account", "-completed_at", "-id"], name="fa_account_completed_idx")]

    def __str__(self) -> str:
        return f"FA {self.id} {self.fa_type_id} ({self.get_status_display()})"


class FieldActivityRemark(models.Model):
    # no index of its own: the unique (field_activity, remark_type) index serves lookups by activity
    field_activity = models.ForeignKey(FieldActivity, on_delete=models.CASCADE, related_name="remarks", db_index=False)
    remark_type = models.ForeignKey(FieldActivityRemarkType, on_delete=models.PROTECT)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["field_activity", "remark_type"], name="fa_remark_once")]

    def __str__(self) -> str:
        return f"{self.remark_type_id} on {self.field_activity_id}"


class FieldActivityOutgoingMessage(models.Model):
    """A message CustCare's field work interface sends about an activity (dispatch, update, cancel),
    copied from the integration layer with its delivery status. Pending and error messages are
    outstanding (Control Central alert CCAL-FAERMSG)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        ERROR = "error", "Error"
        COMPLETE = "complete", "Complete"

    OUTSTANDING = [Status.PENDING, Status.ERROR]

    id = models.CharField(max_length=30, primary_key=True)
    # Indexed with the status below (the alert's lookup per activity), not alone.
    field_activity = models.ForeignKey(
        FieldActivity, on_delete=models.PROTECT, related_name="outgoing_messages", db_index=False
    )
    message_type = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["field_activity", "status"], name="fa_message_activity_status")]

    def __str__(self) -> str:
        return f"{self.message_type} message {self.id} for FA {self.field_activity_id} ({self.get_status_display()})"
