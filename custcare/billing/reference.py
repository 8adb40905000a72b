"""The starter configuration of the billing records' code tables."""

from __future__ import annotations

from custcare.billing.models import DeclarationType, PayPlanType

PAY_PLAN_TYPES = [
    ("STANDARD", "Standard pay plan"),
    ("HARDSHIP", "Financial hardship pay plan"),
    ("MEDICAL", "Medical certificate pay plan"),
    ("BUDGET", "Budget billing catch-up"),
]

DECLARATION_TYPES = [
    ("MEDICAL", "Medical certificate"),
    ("TAXEXEMPT", "Tax exemption"),
    ("HARDSHIP", "Financial hardship"),
    ("LANDLORD", "Landlord agreement"),
]


def billing_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed."""
    for code, description in PAY_PLAN_TYPES:
        PayPlanType.objects.get_or_create(code=code, defaults={"description": description})
    for code, description in DECLARATION_TYPES:
        DeclarationType.objects.get_or_create(code=code, defaults={"description": description})
