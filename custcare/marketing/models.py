"""Campaigns and the orders customers place through them, and the customer class settings that act
when an order completes or an auto-pay card is about to expire (step 2.0 triggers)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable


class Campaign(CodeTable):
    """A marketing campaign (a product or programme customers sign up for); algorithms plugged into it
    run when one of its orders is completed."""

    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The campaign cannot end before it starts."})


class CampaignAlgorithm(PluggedAlgorithm):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20, default=Spot.CAMPAIGN_ORDER.value, choices=[(Spot.CAMPAIGN_ORDER.value, "Order completed")]
    )

    class Meta:
        ordering = ["sequence", "id"]


class CampaignOrder(models.Model):
    """CustCare's copy of an order taken in a campaign, keyed by the sending system's id."""

    class Status(models.TextChoices):
        PENDING = "P", "Pending"
        COMPLETED = "C", "Completed"
        CANCELED = "X", "Canceled"

    id = models.CharField(max_length=30, primary_key=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="orders")
    person = models.ForeignKey("customers.Person", on_delete=models.PROTECT, related_name="campaign_orders")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="campaign_orders")
    premise = models.ForeignKey(
        "customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="campaign_orders"
    )
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.PENDING)
    order_date = models.DateField()
    completion_date = models.DateField(null=True, blank=True)
    package = models.CharField("package / product", max_length=120, blank=True)

    class Meta:
        ordering = ["-order_date", "id"]

    def __str__(self) -> str:
        return f"Order {self.id} {self.campaign_id} ({self.get_status_display()})"


class CustomerClassOptions(models.Model):
    """Settings of a customer class that the core CustomerClass code table does not carry: whether
    auto-pay is allowed and how early an expiring auto-pay credit card is noticed."""

    customer_class = models.OneToOneField(
        "customers.CustomerClass", primary_key=True, on_delete=models.CASCADE, related_name="options"
    )
    autopay_allowed = models.BooleanField("auto-pay allowed", default=True)
    expiry_notice_days = models.PositiveSmallIntegerField(
        "notice days before card expiry", default=30, help_text="How many days before expiry the notice is made."
    )
    notice_contact_type = models.ForeignKey(
        "contacts.ContactType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Default contact type of notices for this class.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "customer class options"

    def __str__(self) -> str:
        return f"Options of {self.customer_class_id}"


class CustomerClassAlgorithm(PluggedAlgorithm):
    """An algorithm plugged into a customer class: on order completion, or for auto-pay expiry notices."""

    customer_class = models.ForeignKey("customers.CustomerClass", on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20,
        choices=[
            (Spot.CUSTCLASS_ORDER.value, "Order completed"),
            (Spot.AUTOPAY_EXPIRY.value, "Auto-pay credit card expiry"),
        ],
    )

    class Meta:
        ordering = ["customer_class_id", "spot", "sequence", "id"]
