"""Metering configuration: the starter remark types and the contact MRRCRESVCCC creates.

Meter reads themselves are written only by the meter-read event (custcare.events.services.event_receive).
"""

from __future__ import annotations

from django.db import transaction

from custcare.algorithms.models import Algorithm
from custcare.contacts.models import ContactType, ContactTypeCharacteristic
from custcare.metering.models import MeterReaderRemarkType, MeterReaderRemarkTypeAlgorithm

REMARK_TYPES = [
    ("SVCREQ", "Customer asks for service"),
    ("DAMAGED", "Meter damaged"),
    ("DOG", "Dog on premise"),
    ("NOACCESS", "No access to meter"),
]
REMARK_CONTACT_TYPE = {
    "description": "Meter reader remark",
    "shorthand": "A meter reader left a remark that needs the customer's attention.",
    "person_usage": "REQ",
    "account_usage": "OPT",
    "premise_usage": "REQ",
    "default_method": "NA",
    "default_open": True,
    "reminder_role": "FIELD",
    "reminder_days": 2,
}
REMARK_CONTACT_CHARS = ["SOURCE-ID", "METER-NO", "READING"]
ALGORITHM = (
    "MR-SVCREQ",
    "Meter reader remark creates a service contact",
    {
        "contact_class": "SVC",
        "contact_type": "MRREMARK",
        "recipients": "MAIN",
        "stamp_char_type": "SOURCE-ID",
        "meter_char_type": "METER-NO",
        "reading_char_type": "READING",
        "message": "Meter reader {reader} ({read_at}): {remark_description}. {remark_text}",
    },
)
PLUGGED_ON = ["SVCREQ", "DAMAGED"]


@transaction.atomic
def metering_reference_load() -> None:
    """Starter configuration, idempotent like reference_data_load: creates what is missing and leaves
    what an administrator changed alone. Needs the contact class SVC, the characteristic types
    SOURCE-ID, METER-NO and READING and the To Do role FIELD of the starter configuration."""
    for code, description in REMARK_TYPES:
        MeterReaderRemarkType.objects.get_or_create(code=code, defaults={"description": description})
    ctype, created = ContactType.objects.get_or_create(
        contact_class_id="SVC", type_code="MRREMARK", defaults=REMARK_CONTACT_TYPE
    )
    if created:
        for seq, char in enumerate(REMARK_CONTACT_CHARS, start=1):
            ContactTypeCharacteristic.objects.create(contact_type=ctype, char_type_id=char, sequence=seq * 10)
    code, description, params = ALGORITHM
    algorithm, created = Algorithm.objects.get_or_create(
        code=code, defaults={"description": description, "algorithm_type": "MRRCRESVCCC", "parameters": params}
    )
    if created:
        for remark_type in PLUGGED_ON:
            MeterReaderRemarkTypeAlgorithm.objects.create(remark_type_id=remark_type, algorithm=algorithm)
