"""Auto-pay instructions: CustCare's copy of how an account pays automatically (step 2.0 trigger).

Only what the credit card expiry notices need is kept: the card's brand, its last four digits (never
the full number) and its expiry month. The billing system owns the record; it arrives through the
autopay-updated event.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class AutoPay(models.Model):
    class Method(models.TextChoices):
        CREDIT_CARD = "CC", "Credit card"
        BANK = "BANK", "Bank account"

    external_id = models.CharField(max_length=40, unique=True, help_text="The billing system's id of the auto-pay.")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="autopays")
    person = models.ForeignKey(
        "customers.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="autopays",
        help_text="The payer, when it is not the account's main customer.",
    )
    method = models.CharField(max_length=4, choices=Method.choices)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(
        "card number (last 4)", max_length=4, blank=True, validators=[RegexValidator(r"^\d{4}$", "Four digits.")]
    )
    expiry_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    expiry_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "auto-pay"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="CC")
                | (models.Q(expiry_month__isnull=False) & models.Q(expiry_year__isnull=False)),
                name="autopay_card_has_expiry",
            )
        ]
        # The expiry batch walks active credit cards in id order.
        indexes = [
            models.Index(
                fields=["id", "expiry_year", "expiry_month"],
                name="autopay_active_card_idx",
                condition=models.Q(active=True, method="CC"),
            )
        ]

    def __str__(self) -> str:
        if self.method == self.Method.CREDIT_CARD:
            expiry = f"{self.expiry_month or 0:02d}/{self.expiry_year}"
            return f"Auto-pay {self.external_id}: {self.card_brand} ****{self.card_last4} {expiry}"
        return f"Auto-pay {self.external_id}: bank"
