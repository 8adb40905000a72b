"""CustCare's copy of the billing system's records that Control Central's alerts and timeline read:
bills (with write-offs), payments, pay plans and their scheduled payments, match events, off-cycle bill
generators, rebate claims, declarations and the account's credit rating history.

The billing system owns these records. Each copy is keyed by that system's id and arrives through record
intake (custcare.core.records: the /api/v1/records API and `custcare records import`); nothing in
CustCare edits them. The indexes serve what is read per account: the newest bills and payments for the
timeline and the financial summary, and the records in a given status for the alerts.
"""

# The account foreign keys below are declared db_index=False: each table has an index that starts with
# the account (by date or status), which serves the foreign key, the alerts and the timeline. A plain
# account index beside it tempts the planner to read and sort every row of a large account.

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from custcare.core.models import CodeTable


def _check_period(start: dt.date | None, end: dt.date | None, errors: dict[str, str]) -> None:
    if start and end and end < start:
        errors["end_date"] = f"The end date {end} is before the start date {start}."


def effective_on(day: dt.date) -> Q:
    """Records with a start_date/end_date period that covers the day (no end date: open-ended)."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


class Bill(models.Model):
    """A bill of the account. A bill may be partly or wholly written off (the write-off alert reads it)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETE = "complete", "Complete"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="bills", db_index=False)
    bill_date = models.DateField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices)
    written_off_amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    written_off_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-bill_date", "-id"]
        indexes = [
            models.Index("account", models.F("bill_date").desc(), models.F("id").desc(), name="bill_acct_date_idx"),
            models.Index(fields=["account"], condition=Q(written_off_amount__gt=0), name="bill_acct_writeoff_idx"),
        ]

    def __str__(self) -> str:
        return f"Bill {self.id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.bill_date and self.due_date and self.due_date < self.bill_date:
            errors["due_date"] = f"The due date {self.due_date} is before the bill date {self.bill_date}."
        if self.written_off_amount and not self.written_off_on:
            errors["written_off_on"] = "A bill with a written-off amount needs the date of the write-off."
        if self.written_off_on and not self.written_off_amount:
            errors["written_off_amount"] = "A write-off date needs a written-off amount above 0."
        if errors:
            raise ValidationError(errors)


class Payment(models.Model):
    """A payment on the account: frozen (booked) or canceled."""

    class Status(models.TextChoices):
        FROZEN = "frozen", "Frozen"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="billing_payments", db_index=False
    )
    payment_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tender_type = models.CharField(max_length=20, blank=True, help_text="Cash, check, card, bank transfer...")
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["-payment_date", "-id"]
        indexes = [
            models.Index(
                "account", models.F("payment_date").desc(), models.F("id").desc(), name="payment_acct_date_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.id}"


class PayPlanType(CodeTable):
    """A kind of pay plan (e.g. standard, medical hardship)."""


class PayPlan(models.Model):
    """An agreement to pay a debt in scheduled payments. Active, then Broken or Kept; or Canceled."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        BROKEN = "broken", "Broken"
        KEPT = "kept", "Kept"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="pay_plans", db_index=False)
    pay_plan_type = models.ForeignKey(PayPlanType, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices)
    start_date = models.DateField()
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    status_date = models.DateField(help_text="When the pay plan entered its status.")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["account", "status", "status_date"], name="payplan_acct_status_idx")]

    def __str__(self) -> str:
        return f"Pay plan {self.id}"

    def clean(self) -> None:
        if self.start_date and self.status_date and self.status_date < self.start_date:
            raise ValidationError(
                {"status_date": f"The status date {self.status_date} is before the start date {self.start_date}."}
            )


class PayPlanScheduledPayment(models.Model):
    """One payment a pay plan schedules."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        MISSED = "missed", "Missed"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    pay_plan = models.ForeignKey(PayPlan, on_delete=models.PROTECT, related_name="scheduled_payments")
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["pay_plan_id", "due_date", "id"]
        indexes = [models.Index(fields=["pay_plan", "due_date"], name="ppsched_plan_due_idx")]
        verbose_name = "pay plan scheduled payment"

    def __str__(self) -> str:
        return f"Scheduled payment {self.id}"


class MatchEvent(models.Model):
    """A group of financial transactions matched against each other; open and disputed ones need attention."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISPUTED = "disputed", "Disputed"
        BALANCED = "balanced", "Balanced"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="match_events", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-created_on", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="matchevt_acct_status_idx")]

    def __str__(self) -> str:
        return f"Match event {self.id}"


class OffCycleBillGenerator(models.Model):
    """A request to produce a bill outside the account's bill cycle."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        GENERATED = "generated", "Generated"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="off_cycle_bill_generators", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    created_on = models.DateField()

    class Meta:
        ordering = ["-created_on", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="ocbg_acct_status_idx")]

    def __str__(self) -> str:
        return f"Off-cycle bill generator {self.id}"


class RebateClaim(models.Model):
    """A customer's claim for a rebate (an efficient appliance, a program credit), optionally for a premise."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        PAID = "paid", "Paid"
        CANCELED = "canceled", "Canceled"

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="rebate_claims", db_index=False
    )
    premise = models.ForeignKey(
        "customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="rebate_claims"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    claim_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["-claim_date", "-id"]
        indexes = [models.Index(fields=["account", "status"], name="rebate_acct_status_idx")]

    def __str__(self) -> str:
        return f"Rebate claim {self.id}"


class DeclarationType(CodeTable):
    """A kind of declaration (medical certificate, tax exemption, hardship...)."""


class Declaration(models.Model):
    """A statement on file for the account, or for one of its premises, effective over a period."""

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="declarations", db_index=False
    )
    premise = models.ForeignKey(
        "customers.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="declarations"
    )
    declaration_type = models.ForeignKey(DeclarationType, on_delete=models.PROTECT)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty: effective until further notice.")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["account", "start_date"], name="decl_acct_start_idx"),
            models.Index(
                fields=["premise", "start_date"], condition=Q(premise__isnull=False), name="decl_prem_start_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Declaration {self.id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _check_period(self.start_date, self.end_date, errors)
        if errors:
            raise ValidationError(errors)


class CreditRatingHistory(models.Model):
    """A change to the account's credit rating over a period: points added to (or, negative, taken from)
    the account's base rating while the entry is effective."""

    id = models.CharField(max_length=30, primary_key=True, help_text="The billing system's id.")
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="credit_rating_history", db_index=False
    )
    points = models.IntegerField(help_text="Negative points lower the rating.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty: effective until further notice.")
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["account", "start_date"], name="crhist_acct_start_idx")]
        verbose_name = "credit rating history entry"
        verbose_name_plural = "credit rating history entries"

    def __str__(self) -> str:
        return f"Credit rating {self.points:+d} ({self.id})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _check_period(self.start_date, self.end_date, errors)
        if errors:
            raise ValidationError(errors)
