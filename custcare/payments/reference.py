"""Starter configuration for auto-pay expiry notices: a notice contact type, a C1-EXPCCNOTICE algorithm
and the C1-ExpireCreditCardCustContact batch control. Idempotent; called by the reference data load."""

from __future__ import annotations

from django.db import transaction

from custcare.algorithms.models import Algorithm
from custcare.batch.models import BatchControl
from custcare.contacts.models import ContactClass, ContactMethod, ContactType, Usage
from custcare.payments.batch import CODE

NOTICE_PARAMS = {
    "contact_class": "BILL",
    "contact_type": "CCEXPIRE",
    "method": "POSTAL",
    "direction": "OUT",
    "recipients": "MAIN",
    "message": "Auto-pay {card_brand} card ending {card_last4} expires {expiry}; notice sent.",
}


@transaction.atomic
def payments_reference_load() -> None:
    ContactClass.objects.get_or_create(code="BILL", defaults={"description": "Billing and payment"})
    ContactType.objects.get_or_create(
        contact_class_id="BILL",
        type_code="CCEXPIRE",
        defaults={
            "description": "Auto-pay credit card expiring",
            "person_usage": Usage.REQUIRED,
            "account_usage": Usage.REQUIRED,
            "premise_usage": Usage.NOT_ALLOWED,
            "default_method": ContactMethod.POSTAL,
        },
    )
    Algorithm.objects.get_or_create(
        code="C1-CCEXP-NOTICE",
        defaults={
            "description": "Auto-pay credit card expiration notice",
            "algorithm_type": "C1-EXPCCNOTICE",
            "parameters": NOTICE_PARAMS,
        },
    )
    BatchControl.objects.get_or_create(
        code=CODE,
        defaults={
            "description": "Auto-pay credit card expiration notices",
            "program": CODE,
            "default_thread_count": 1,
            "chunk_size": 20000,
            "max_errors": 1000,
            "parameters": {"NOTICE-DAYS": 30, "CONTACT-CLASS": "BILL", "CONTACT-TYPE": "CCEXPIRE"},
        },
    )
