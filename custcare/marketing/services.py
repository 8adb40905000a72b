"""Starter configuration of campaigns and customer class settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot
from custcare.contacts.models import ContactClass, ContactType, ContactTypeCharacteristic
from custcare.customers.models import CustomerClass
from custcare.marketing.models import Campaign, CampaignAlgorithm, CustomerClassAlgorithm, CustomerClassOptions

CONTACT_CLASS = ("MKT", "Marketing and programmes")
# contact types of the event contacts: fields of ContactType
CONTACT_TYPES: list[dict[str, Any]] = [
    {
        "type_code": "ORDER",
        "description": "Campaign order completed",
        "default_method": "NA",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "OPT",
    },
    {
        "type_code": "ORDERCC",
        "description": "Order completed: welcome call due",
        "default_method": "PHONE",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "OPT",
        "reminder_role": "CSR-FOLLOWUP",
        "reminder_days": 7,
    },
]
CAMPAIGNS = [("GREEN", "Green energy plan sign-up")]
ALGORITHMS = [
    (
        "CAOC-GREEN",
        "Green plan order completed: contact the customer",
        "CAOC-CCORDER",
        {
            "contact_class": "MKT",
            "contact_type": "ORDER",
            "message": "Order {order} completed in campaign {campaign_description}: {package}",
            "stamp_char_type": "SOURCE-ID",
        },
    ),
    (
        "CC-ORDER-COM",
        "Commercial order completed: welcome call",
        "CREATE CC",
        {
            "contact_class": "MKT",
            "contact_type": "ORDERCC",
            "method": "PHONE",
            "is_open": True,
            "message": "Order {order} ({package}) completed: call the customer to welcome them",
        },
    ),
]
CAMPAIGN_ALGORITHMS = {"GREEN": ["CAOC-GREEN"]}
CLASS_ALGORITHMS = {"C": ["CC-ORDER-COM"]}
# customer class: auto-pay allowed, notice days before card expiry
CLASS_OPTIONS = {"R": (True, 30), "C": (True, 30), "I": (True, 45), "L": (True, 30)}


def contact_types_ensure(rows: list[dict[str, Any]], *, stamp_char: str = "SOURCE-ID") -> None:
    """Create the event contact types that are missing (each stamps the source record's id)."""
    ContactClass.objects.get_or_create(code=CONTACT_CLASS[0], defaults={"description": CONTACT_CLASS[1]})
    for row in rows:
        values = {k: v for k, v in row.items() if k != "type_code"}
        ctype, created = ContactType.objects.get_or_create(
            contact_class_id=CONTACT_CLASS[0], type_code=row["type_code"], defaults=values
        )
        if created:
            ContactTypeCharacteristic.objects.create(contact_type=ctype, char_type_id=stamp_char, sequence=10)


@transaction.atomic
def marketing_reference_load() -> None:
    """Idempotent: creates what is missing, leaves what an administrator changed alone."""
    contact_types_ensure(CONTACT_TYPES)
    for code, description in CAMPAIGNS:
        Campaign.objects.get_or_create(code=code, defaults={"description": description})
    for code, description, type_code, params in ALGORITHMS:
        Algorithm.objects.get_or_create(
            code=code, defaults={"description": description, "algorithm_type": type_code, "parameters": params}
        )
    for campaign, codes in CAMPAIGN_ALGORITHMS.items():
        for seq, code in enumerate(codes, start=1):
            CampaignAlgorithm.objects.get_or_create(
                campaign_id=campaign, algorithm_id=code, defaults={"sequence": seq * 10}
            )
    known = set(CustomerClass.objects.values_list("code", flat=True))
    for cls, codes in CLASS_ALGORITHMS.items():
        for seq, code in enumerate(codes, start=1):
            if cls in known:
                CustomerClassAlgorithm.objects.get_or_create(
                    customer_class_id=cls,
                    spot=Spot.CUSTCLASS_ORDER.value,
                    algorithm_id=code,
                    defaults={"sequence": seq * 10},
                )
    for cls, (autopay, days) in CLASS_OPTIONS.items():
        if cls in known:
            CustomerClassOptions.objects.get_or_create(
                customer_class_id=cls, defaults={"autopay_allowed": autopay, "expiry_notice_days": days}
            )
