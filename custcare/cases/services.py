"""Case configuration: the starter case types, their statuses, and the contacts CASE-CC creates.

Cases themselves are written only by the case-opened and case-status-changed events
(custcare.events.services.event_receive).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from custcare.algorithms.models import Algorithm
from custcare.cases.models import CaseType, CaseTypeStatus, CaseTypeStatusAlgorithm
from custcare.contacts.models import ContactType, ContactTypeCharacteristic

# code, description, [(status, description, open, initial)]
CASE_TYPES: list[tuple[str, str, list[tuple[str, str, bool, bool]]]] = [
    (
        "HIBILL",
        "High bill investigation",
        [
            ("OPEN", "Opened", True, True),
            ("INVEST", "Under investigation", True, False),
            ("RESOLVED", "Resolved", False, False),
            ("CANCELED", "Canceled", False, False),
        ],
    ),
    (
        "DISPUTE",
        "Bill dispute",
        [
            ("OPEN", "Opened", True, True),
            ("WAITCUST", "Waiting for the customer", True, False),
            ("CLOSED", "Closed", False, False),
        ],
    ),
]
CONTACT_TYPES: dict[tuple[str, str], dict[str, Any]] = {
    ("BILL", "CASEOPEN"): {
        "description": "Case opened",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "OPT",
        "default_method": "NA",
        "default_open": True,
        "reminder_role": "BILLING",
        "reminder_days": 10,
    },
    ("BILL", "CASERES"): {
        "description": "Case resolved: letter to the customer",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "OPT",
        "default_method": "POSTAL",
        "default_open": False,
        "contact_action": "LETTER",
        "letter_template": "CASE-RESOLVED",
    },
}
# algorithm code, description, contact type, method, message, plugged on (case type, status)
ALGORITHMS = [
    (
        "CASE-OPENED",
        "A case opened creates a contact for the main customer",
        "CASEOPEN",
        "NA",
        "Case {case} opened: {case_type_description}. {description}",
        [("HIBILL", "OPEN"), ("DISPUTE", "OPEN")],
    ),
    (
        "CASE-RESOLVED",
        "A resolved case sends the main customer a letter",
        "CASERES",
        "POSTAL",
        "Case {case} ({case_type_description}) resolved. {comment}",
        [("HIBILL", "RESOLVED")],
    ),
]


@transaction.atomic
def cases_reference_load() -> None:
    """Starter configuration, idempotent like reference_data_load: creates what is missing and leaves
    what an administrator changed alone. Needs the contact class BILL, the characteristic type
    SOURCE-ID and the To Do role BILLING of the starter configuration."""
    for code, description, statuses in CASE_TYPES:
        case_type, created = CaseType.objects.get_or_create(code=code, defaults={"description": description})
        if not created:
            continue
        for seq, (status, status_description, is_open, is_initial) in enumerate(statuses, start=1):
            CaseTypeStatus.objects.create(
                case_type=case_type,
                status=status,
                description=status_description,
                is_open=is_open,
                is_initial=is_initial,
                sequence=seq * 10,
            )
    for (cls, typ), defaults in CONTACT_TYPES.items():
        ctype, created = ContactType.objects.get_or_create(contact_class_id=cls, type_code=typ, defaults=defaults)
        if created:
            ContactTypeCharacteristic.objects.create(contact_type=ctype, char_type_id="SOURCE-ID")
    for code, description, contact_type, method, message, plugged_on in ALGORITHMS:
        params = {
            "contact_class": "BILL",
            "contact_type": contact_type,
            "recipients": "MAIN",
            "method": method,
            "stamp_char_type": "SOURCE-ID",
            "message": message,
        }
        algorithm, created = Algorithm.objects.get_or_create(
            code=code, defaults={"description": description, "algorithm_type": "CASE-CC", "parameters": params}
        )
        if not created:
            continue
        for case_type_code, status in plugged_on:
            CaseTypeStatusAlgorithm.objects.create(
                case_type_id=case_type_code,
                status=CaseTypeStatus.objects.get(case_type_id=case_type_code, status=status),
                algorithm=algorithm,
            )
