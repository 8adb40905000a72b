"""Service credit membership types and the memberships customers hold (step 2.0 triggers)."""

from __future__ import annotations

from django.db import models

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable


class ServiceCreditMembershipType(CodeTable):
    """A service credit programme customers can join; algorithms plugged into it run when a
    membership of the type is created or activated."""


class ServiceCreditMembershipTypeAlgorithm(PluggedAlgorithm):
    membership_type = models.ForeignKey(
        ServiceCreditMembershipType, on_delete=models.CASCADE, related_name="algorithms"
    )
    spot = models.CharField(
        max_length=20,
        choices=[(Spot.SCM_CREATION.value, "Membership created"), (Spot.SCM_ACTIVATION.value, "Membership activated")],
    )

    class Meta:
        ordering = ["spot", "sequence", "id"]


class Membership(models.Model):
    """CustCare's copy of a service credit membership, keyed by the programme system's id."""

    class Status(models.TextChoices):
        CREATED = "C", "Created"
        ACTIVE = "A", "Active"
        ENDED = "E", "Ended"

    id = models.CharField(max_length=30, primary_key=True)
    membership_type = models.ForeignKey(
        ServiceCreditMembershipType, on_delete=models.PROTECT, related_name="memberships"
    )
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey("customers.Person", on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.CREATED)
    created_date = models.DateField()
    activation_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_date", "id"]

    def __str__(self) -> str:
        return f"Membership {self.id} {self.membership_type_id} ({self.get_status_display()})"
