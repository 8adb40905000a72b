"""Umbrella agreements (a contract over several service agreements, renewed from time to time), and the
algorithms plugged into SA types for service agreement activation.

Algorithms for a renewal are configured per umbrella agreement *type*, not per agreement: agreements
arrive from the sending system through events, so an administrator could not configure each one before
its first renewal, while the type is configuration set up once. The SA type plug-in table lives in
sa_activation.py (imported below so Django sees it as a model of this app).
"""

from __future__ import annotations

from django.db import models

from custcare.agreements.sa_activation import SATypeAlgorithm
from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable

__all__ = [
    "SATypeAlgorithm",
    "UmbrellaAgreement",
    "UmbrellaAgreementType",
    "UmbrellaAgreementTypeAlgorithm",
]


class UmbrellaAgreementType(CodeTable):
    """A kind of umbrella agreement; renewal algorithms are plugged in per type."""


class UmbrellaAgreementTypeAlgorithm(PluggedAlgorithm):
    """An algorithm run, in sequence order, when an agreement of the type is renewed."""

    ua_type = models.ForeignKey(UmbrellaAgreementType, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20, default=Spot.UA_RENEWAL.value, choices=[(Spot.UA_RENEWAL.value, "Agreement renewed")]
    )

    class Meta:
        ordering = ["sequence", "id"]


class UmbrellaAgreement(models.Model):
    """CustCare's copy of an umbrella agreement, keyed by the sending system's id."""

    id = models.CharField(max_length=30, primary_key=True)
    ua_type = models.ForeignKey(UmbrellaAgreementType, on_delete=models.PROTECT, related_name="agreements")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="umbrella_agreements")
    person = models.ForeignKey(
        "customers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="umbrella_agreements"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")
    renewal_count = models.PositiveIntegerField(default=0, help_text="The highest renewal number received.")
    last_renewed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_id", "start_date", "id"]

    def __str__(self) -> str:
        return f"Umbrella agreement {self.id} ({self.ua_type_id})"
