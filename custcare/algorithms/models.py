from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from custcare.algorithms.registry import Spot, algorithm_type_choices, algorithm_type_get


class Algorithm(models.Model):
    """A configured algorithm: an algorithm type with the parameter values an administrator chose."""

    code = models.CharField(max_length=30, primary_key=True)
    description = models.CharField(max_length=120)
    algorithm_type = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.algorithm_type})"

    @property
    def spot(self) -> Spot:
        return algorithm_type_get(self.algorithm_type).spot

    def clean(self) -> None:
        codes = {c for c, _ in algorithm_type_choices()}
        if self.algorithm_type not in codes:
            raise ValidationError({"algorithm_type": f"Choose one of the installed types: {', '.join(sorted(codes))}."})
        if not isinstance(self.parameters, dict):
            raise ValidationError({"parameters": "Parameters are an object of name: value."})
        errors = algorithm_type_get(self.algorithm_type).check_params(self.parameters)
        if errors:
            raise ValidationError({"parameters": [f"{name}: {'; '.join(msgs)}" for name, msgs in errors.items()]})


class PluggedAlgorithm(models.Model):
    """An algorithm plugged into a spot of a configuration entity, run in sequence order. Each concrete
    table adds the entity it belongs to and its `spot` field (with the spots that entity offers)."""

    sequence = models.PositiveSmallIntegerField(default=10)
    algorithm = models.ForeignKey(Algorithm, on_delete=models.PROTECT)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, 'spot', '')} #{self.sequence} {self.algorithm_id}"

    def clean(self) -> None:
        """Only an algorithm whose type serves this row's spot may be plugged in."""
        if not self.algorithm_id:
            return
        algorithm = Algorithm.objects.filter(code=self.algorithm_id).first()
        if algorithm is None:
            return
        try:
            served = algorithm.spot.value
        except KeyError:
            raise ValidationError({"algorithm": f"{self.algorithm_id} has no installed algorithm type."}) from None
        spot = getattr(self, "spot", "")
        if served != spot:
            raise ValidationError({"algorithm": f"{self.algorithm_id} does not serve the spot {spot}."})


class InstallationOptions(models.Model):
    """The one global record of system-wide settings. Always id 1."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    company_name = models.CharField(max_length=120, default="CustCare Utility")
    default_country = models.CharField(max_length=2, default="US")
    default_currency = models.CharField(max_length=3, default="USD")
    contact_history_page_size = models.PositiveSmallIntegerField(default=50)
    todo_type_for_reminders = models.CharField(
        "To Do type for contact reminders", max_length=20, default="TD-CCCB", blank=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "installation options"

    def __str__(self) -> str:
        return "Installation options"


class InstallationAlgorithm(models.Model):
    """An algorithm plugged into a spot of the Installation Options, run in sequence order."""

    options = models.ForeignKey(InstallationOptions, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20,
        choices=[
            (Spot.CENTRAL_ALERT.value, "Control Central alert"),
            (Spot.CONTACT_TIMELINE.value, "Customer contact timeline"),
        ],
    )
    sequence = models.PositiveIntegerField(default=10)
    algorithm = models.ForeignKey(Algorithm, on_delete=models.PROTECT)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["spot", "sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["options", "spot", "sequence"], name="instopt_alg_seq")]

    def __str__(self) -> str:
        return f"{self.spot} #{self.sequence}: {self.algorithm_id}"

    def clean(self) -> None:
        if self.algorithm_id and self.algorithm.spot.value != self.spot:
            raise ValidationError({"algorithm": f"{self.algorithm_id} does not serve the spot {self.spot}."})
