"""Starter configuration of service credit membership types."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot
from custcare.marketing.services import contact_types_ensure
from custcare.programs.models import ServiceCreditMembershipType, ServiceCreditMembershipTypeAlgorithm

CONTACT_TYPES: list[dict[str, Any]] = [
    {
        "type_code": "SCMACT",
        "description": "Service credit membership activated",
        "default_method": "NA",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "NA",
    },
    {
        "type_code": "SCMLTR",
        "description": "Service credit membership welcome letter",
        "default_method": "POSTAL",
        "person_usage": "REQ",
        "account_usage": "REQ",
        "premise_usage": "NA",
        "contact_action": "LETTER",
        "letter_template": "SCM-WELCOME",
    },
]
MEMBERSHIP_TYPES = [("SENIOR", "Senior citizen service credit")]
ALGORITHMS = [
    (
        "SCMC-SENIOR",
        "Senior credit membership created: welcome letter",
        "SCMC-SENDLTR",
        {
            "contact_class": "MKT",
            "contact_type": "SCMLTR",
            "letter_template": "SCM-WELCOME",
            "message": "Welcome letter for {membership_type_description} membership {membership}",
            "stamp_char_type": "SOURCE-ID",
        },
    ),
    (
        "SCMA-SENIOR",
        "Senior credit membership activated",
        "SCMA-CC",
        {
            "contact_class": "MKT",
            "contact_type": "SCMACT",
            "message": "{membership_type_description} membership {membership} active from {activation_date}",
            "stamp_char_type": "SOURCE-ID",
        },
    ),
]
TYPE_ALGORITHMS = {"SENIOR": [(Spot.SCM_CREATION, "SCMC-SENIOR"), (Spot.SCM_ACTIVATION, "SCMA-SENIOR")]}


@transaction.atomic
def programs_reference_load() -> None:
    """Idempotent: creates what is missing, leaves what an administrator changed alone."""
    contact_types_ensure(CONTACT_TYPES)
    for code, description in MEMBERSHIP_TYPES:
        ServiceCreditMembershipType.objects.get_or_create(code=code, defaults={"description": description})
    for code, description, type_code, params in ALGORITHMS:
        Algorithm.objects.get_or_create(
            code=code, defaults={"description": description, "algorithm_type": type_code, "parameters": params}
        )
    for mtype, plugs in TYPE_ALGORITHMS.items():
        for seq, (spot, code) in enumerate(plugs, start=1):
            ServiceCreditMembershipTypeAlgorithm.objects.get_or_create(
                membership_type_id=mtype, spot=spot.value, algorithm_id=code, defaults={"sequence": seq * 10}
            )
