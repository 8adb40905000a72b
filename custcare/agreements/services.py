"""Agreement configuration: the starter umbrella agreement types and the contacts CI_UARENEW and SAAT-NB
create. Agreements and activations themselves arrive through events (custcare.events.services.event_receive).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from custcare.agreements.models import UmbrellaAgreementType, UmbrellaAgreementTypeAlgorithm
from custcare.agreements.sa_activation import SATypeAlgorithm
from custcare.algorithms.models import Algorithm
from custcare.contacts.models import ContactType, ContactTypeCharacteristic

UA_TYPES = [("MULTISITE", "Multi-site supply agreement"), ("KEYACCT", "Key account agreement")]
CONTACT_TYPES: dict[tuple[str, str], dict[str, Any]] = {
    ("GEN", "UARENEW"): {
        "description": "Umbrella agreement renewed: confirmation letter",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "NA",
        "default_method": "POSTAL",
        "default_open": False,
        "contact_action": "LETTER",
        "letter_template": "UA-RENEWAL",
    },
    ("BILL", "BUDGETON"): {
        "description": "Budget plan activated",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "OPT",
        "default_method": "NA",
        "default_open": False,
        "reminder_role": "BILLING",
        "reminder_days": 30,
    },
}
UA_ALGORITHM = (
    "UA-RENEWAL",
    "An umbrella agreement renewal sends the main customer a confirmation letter",
    {
        "contact_class": "GEN",
        "contact_type": "UARENEW",
        "recipients": "MAIN",
        "method": "POSTAL",
        "stamp_char_type": "SOURCE-ID",
        "message": "Umbrella agreement {agreement} ({ua_type_description}) renewed, renewal {renewal_number}, "
        "until {end_date}.",
    },
)
SA_ALGORITHM = (
    "SA-BUDGET",
    "A budget plan's activation creates a contact for the main customer",
    {
        "contact_class": "BILL",
        "contact_type": "BUDGETON",
        "recipients": "MAIN",
        "stamp_char_type": "SOURCE-ID",
        "message": "Budget plan {sa} activated on {activated_on}.",
    },
)
SA_TYPES_PLUGGED = ["BUDGET"]


@transaction.atomic
def agreements_reference_load() -> None:
    """Starter configuration, idempotent like reference_data_load: creates what is missing and leaves
    what an administrator changed alone. Needs the contact classes GEN and BILL, the characteristic type
    SOURCE-ID, the To Do role BILLING and the non-billed SA type BUDGET of the starter configuration."""
    for code, description in UA_TYPES:
        UmbrellaAgreementType.objects.get_or_create(code=code, defaults={"description": description})
    for (cls, typ), defaults in CONTACT_TYPES.items():
        ctype, created = ContactType.objects.get_or_create(contact_class_id=cls, type_code=typ, defaults=defaults)
        if created:
            ContactTypeCharacteristic.objects.create(contact_type=ctype, char_type_id="SOURCE-ID")
    code, description, params = UA_ALGORITHM
    algorithm, created = Algorithm.objects.get_or_create(
        code=code, defaults={"description": description, "algorithm_type": "CI_UARENEW", "parameters": params}
    )
    if created:
        for ua_type, _ in UA_TYPES:
            UmbrellaAgreementTypeAlgorithm.objects.create(ua_type_id=ua_type, algorithm=algorithm)
    code, description, params = SA_ALGORITHM
    algorithm, created = Algorithm.objects.get_or_create(
        code=code, defaults={"description": description, "algorithm_type": "SAAT-NB", "parameters": params}
    )
    if created:
        for sa_type in SA_TYPES_PLUGGED:
            SATypeAlgorithm.objects.create(sa_type_id=sa_type, algorithm=algorithm)
