"""CustCare's copies of the collection records the credit and collections system owns: overdue,
collection and severance processes, and referrals to collection agencies.

Each copy is keyed by the sender's id and arrives through record intake (custcare.core.records);
Control Central's alerts count the active ones of the account in context, so each table is indexed by
(account, status): the lookup the alerts make, which also serves the foreign key.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class ProcessStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELED = "canceled", "Canceled"


class CreditRecord(models.Model):
    """What every credit record has: the sender's id and the account it concerns."""

    id = models.CharField(max_length=30, primary_key=True)
    # Indexed with the status by each concrete model (the alerts' lookup), not alone.
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        abstract = True
        ordering = ["id"]


class CreditProcess(CreditRecord):
    """A process that runs from `started_on` until it is completed or canceled (`ended_on`)."""

    status = models.CharField(max_length=10, choices=ProcessStatus.choices, default=ProcessStatus.ACTIVE)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta(CreditRecord.Meta):
        abstract = True

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "A process cannot end before it started."})

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.id} ({self.get_status_display()})"


class TemplatedProcess(CreditProcess):
    template = models.CharField("process template", max_length=30, help_text="The sender's template code.")

    class Meta(CreditProcess.Meta):
        abstract = True


class OverdueProcess(TemplatedProcess):
    """An overdue process started for the account's overdue debt, following a process template."""

    class Meta(TemplatedProcess.Meta):
        indexes = [models.Index(fields=["account", "status"], name="credit_overdue_acct_status")]


class CollectionProcess(TemplatedProcess):
    """A collection process started for the account's debt, following a process template."""

    class Meta(TemplatedProcess.Meta):
        indexes = [models.Index(fields=["account", "status"], name="credit_coll_acct_status")]


class SeveranceProcess(CreditProcess):
    """A process that leads to cutting service: for a service agreement and its premise when known."""

    service_agreement = models.ForeignKey(
        "customers.ServiceAgreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    premise = models.ForeignKey("customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta(CreditProcess.Meta):
        indexes = [models.Index(fields=["account", "status"], name="credit_sev_acct_status")]


class CollectionAgencyReferral(CreditRecord):
    """The account's debt handed to a collection agency, from `referred_on` until ended or canceled."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        CANCELED = "canceled", "Canceled"

    agency = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    referred_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="The amount referred.")

    class Meta(CreditRecord.Meta):
        indexes = [models.Index(fields=["account", "status"], name="credit_referral_acct_status")]

    def clean(self) -> None:
        if self.ended_on and self.referred_on and self.ended_on < self.referred_on:
            raise ValidationError({"ended_on": "A referral cannot end before it was made."})

    def __str__(self) -> str:
        return f"Referral {self.id} to {self.agency} ({self.get_status_display()})"
