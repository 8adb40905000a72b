"""Cases (investigations, disputes, requests tracked by another system) and their case types.

A case type lists the statuses its cases move through; each status says whether a case in it is
still open (Control Central's open-case alert reads that flag). Algorithms plugged into a case type
and status run when a case enters that status. CustCare's copy of a case is keyed by the sender's id
and keeps a log of the statuses it entered.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable


class CaseType(CodeTable):
    """A kind of case with its own statuses; entering a status can create a contact."""


class CaseTypeStatus(models.Model):
    """A status of one case type. Exactly one is the initial status a case opens in when the opening
    event names none."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(max_length=20)
    description = models.CharField(max_length=120)
    is_open = models.BooleanField(
        "case is open", default=True, help_text="Cases in this status are open (shown in Control Central alerts)."
    )
    is_initial = models.BooleanField("initial status", default=False)
    sequence = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["case_type_id", "sequence", "status"]
        verbose_name_plural = "case type statuses"
        constraints = [
            models.UniqueConstraint(fields=["case_type", "status"], name="case_type_status_once"),
            models.UniqueConstraint(fields=["case_type"], condition=Q(is_initial=True), name="case_type_one_initial"),
        ]

    def __str__(self) -> str:
        return f"{self.case_type_id}/{self.status} – {self.description}"


class CaseTypeStatusAlgorithm(models.Model):
    """An algorithm run when a case of the type enters the status, in sequence order."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="algorithms")
    status = models.ForeignKey(CaseTypeStatus, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20,
        default=Spot.CASE_TRANSITION.value,
        choices=[(Spot.CASE_TRANSITION.value, "Case enters the status")],
    )
    sequence = models.PositiveSmallIntegerField(default=10)
    algorithm = models.ForeignKey(Algorithm, on_delete=models.PROTECT)

    class Meta:
        ordering = ["status__sequence", "sequence", "id"]

    def __str__(self) -> str:
        return f"{self.case_type_id} entering {self.status.status}: #{self.sequence} {self.algorithm_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.algorithm_id and self.algorithm.spot.value != self.spot:
            errors["algorithm"] = f"{self.algorithm_id} does not serve the spot {self.spot}."
        if self.status_id and self.case_type_id and self.status.case_type_id != self.case_type_id:
            errors["status"] = (
                f"{self.status.status} is a status of {self.status.case_type_id}, not of {self.case_type_id}."
            )
        if errors:
            raise ValidationError(errors)


class Case(models.Model):
    """CustCare's copy of a case, keyed by the sending system's id."""

    id = models.CharField(max_length=30, primary_key=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    status = models.ForeignKey(CaseTypeStatus, on_delete=models.PROTECT, related_name="cases")
    # Indexed by the (account, ...) indexes below; a plain one tempts the planner to read and sort every
    # case of a large account for the timeline's first page.
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="cases", db_index=False)
    person = models.ForeignKey(
        "customers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    premise = models.ForeignKey(
        "customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    description = models.CharField(max_length=250, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True, help_text="Set when the case enters a closed status.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "id"]
        indexes = [
            models.Index(fields=["account", "closed_on"], name="case_account_idx"),
            models.Index(fields=["premise", "closed_on"], name="case_premise_idx"),
            # Control Central's timeline: an account's cases newest first.
            models.Index(fields=["account", "-opened_on", "-id"], name="case_account_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.id} {self.case_type_id} ({self.status.status})"


class CaseTransition(models.Model):
    """One status a case entered, in the order CustCare received them; the first is its opening. `at` is
    when the sender says it happened (the opening: the case's opening date)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.ForeignKey(CaseTypeStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_status = models.ForeignKey(CaseTypeStatus, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status_id or '-'} -> {self.to_status_id}"
