"""Algorithms plugged into an SA type, run when a service agreement of that type is activated.

Kept here rather than beside SAType in custcare.customers so the customer model stays free of the
event machinery; custcare.agreements.models imports it so it is a model of the agreements app.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot


class SATypeAlgorithm(PluggedAlgorithm):
    sa_type = models.ForeignKey("customers.SAType", on_delete=models.CASCADE, related_name="activation_algorithms")
    spot = models.CharField(
        max_length=20,
        default=Spot.SA_ACTIVATION.value,
        choices=[(Spot.SA_ACTIVATION.value, "Service agreement activated")],
    )

    class Meta:
        app_label = "agreements"
        ordering = ["sequence", "id"]
        verbose_name = "SA type algorithm"

    def __str__(self) -> str:
        return f"{self.sa_type_id} #{self.sequence} {self.algorithm_id}"

    def clean(self) -> None:
        """Refuses an algorithm of another spot, and one meant for non-billed SA types (e.g. SAAT-NB) on
        a billable type."""
        super().clean()
        if not self.algorithm_id:
            return
        from custcare.agreements.events import non_billed_only

        if non_billed_only(self.algorithm) and self.sa_type_id and self.sa_type.billable:
            raise ValidationError(
                {"algorithm": f"{self.algorithm_id} is for non-billed SA types; {self.sa_type_id} is billable."}
            )
