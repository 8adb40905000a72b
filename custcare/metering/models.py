"""Meter reads taken at premises, and the remarks meter readers leave with them (step 2.0 triggers).

CustCare keeps only what a contact needs from the metering system: which read it was (the sender's
id), where and when, the reading and who took it, and the remarks. Algorithms plugged into a remark
type run when a read carries that remark.
"""

from __future__ import annotations

from django.db import models

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable


class MeterReaderRemarkType(CodeTable):
    """A remark a meter reader can leave ("customer asks for service", "dog on premise", "meter
    damaged")."""


class MeterReaderRemarkTypeAlgorithm(PluggedAlgorithm):
    """An algorithm plugged into a remark type; they run in sequence order for each read carrying it."""

    remark_type = models.ForeignKey(MeterReaderRemarkType, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(max_length=20, default=Spot.MR_REMARK.value, choices=[(Spot.MR_REMARK.value, "Remark")])

    class Meta:
        ordering = ["sequence", "id"]


class MeterRead(models.Model):
    """CustCare's copy of a meter read, keyed by the metering system's id. The account is known only
    when the sender says; otherwise contacts go to the accounts served at the premise."""

    id = models.CharField(max_length=30, primary_key=True)
    premise = models.ForeignKey("customers.Premise", on_delete=models.PROTECT, related_name="meter_reads")
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="meter_reads"
    )
    meter_number = models.CharField(max_length=30, blank=True)
    read_at = models.DateTimeField()
    reading = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    reader = models.CharField(max_length=60, blank=True, help_text="Who took the read (reader id or name).")
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-read_at", "id"]
        indexes = [models.Index(fields=["premise", "-read_at"], name="meterread_premise_idx")]

    def __str__(self) -> str:
        return f"Read {self.id} at {self.premise_id}"


class MeterReadRemark(models.Model):
    meter_read = models.ForeignKey(MeterRead, on_delete=models.CASCADE, related_name="remarks")
    remark_type = models.ForeignKey(MeterReaderRemarkType, on_delete=models.PROTECT)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meter_read", "remark_type"], name="mr_remark_once")]

    def __str__(self) -> str:
        return f"{self.remark_type_id} on {self.meter_read_id}"
