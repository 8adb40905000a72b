"""The hand-made customers the guides talk about, created through the services so they are audited
like any customer a CSR establishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from custcare.contacts.services import customer_contact_add
from custcare.customers.models import ServiceAgreement
from custcare.customers.services import (
    AccountIn,
    AddressIn,
    Established,
    IdentifierIn,
    NameIn,
    PersonIn,
    PhoneIn,
    PremiseIn,
    person_account_establish,
    service_agreement_transition,
)


def _establish(
    admin: Any, person: PersonIn, account: AccountIn, premise: PremiseIn, sa_types: list[str], since: dt.date
) -> Established:
    made = person_account_establish(
        person=person,
        account=account,
        premise=premise,
        sa_types=sa_types,
        sa_start_date=since,
        user=admin,
        confirm_not_duplicate=True,
    )
    for sa in made.service_agreements:
        service_agreement_transition(sa=sa, to_status=ServiceAgreement.Status.ACTIVE, user=admin)
    return made


@transaction.atomic
def demo_customers_create() -> list[str]:
    """Maria Rivera (life support), Jean-Luc Müller (accented name, an alias) and Acme Bakery Ltd (a
    business), each with an account, a premise, active service agreements and a contact history.
    Needs the reference data and the demo users."""
    User = get_user_model()
    admin = User.objects.get(username="admin")
    csr = User.objects.get(username="csr")
    now = timezone.now()
    springfield = {"city": "Springfield", "state": "IL", "postal_code": "62701"}

    elm = AddressIn(house_number="12", street="Elm Street", **springfield)
    maria = _establish(
        admin,
        PersonIn(
            names=[NameIn("Rivera, Maria"), NameIn("Rivera, María", name_type="ALIAS", is_primary=False)],
            phones=[PhoneIn("(217) 384-2290", "HOME"), PhoneIn("(217) 612-7781", "MOBILE")],
            emails=["maria.rivera@example.com"],
            identifiers=[IdentifierIn("DRLIC", "R160-4471-2290", is_primary=True)],
            address=elm,
            preferred_language="es",
            date_of_birth=dt.date(1958, 3, 14),
            life_support=True,
            life_support_description="Home oxygen concentrator",
        ),
        AccountIn(customer_class="R", access_group="RES", bill_cycle="BC07", setup_date=dt.date(2015, 6, 1)),
        PremiseIn(
            address=elm, premise_type="HOUSE", life_support=True, life_support_description="Home oxygen concentrator"
        ),
        ["E-RES", "G-RES"],
        dt.date(2015, 6, 1),
    )
    rue = AddressIn(house_number="48", street="Maple Avenue", address2="Apt 3B", **springfield)
    jean_luc = _establish(
        admin,
        PersonIn(
            names=[NameIn("Müller, Jean-Luc"), NameIn("Mueller, Jean-Luc", name_type="ALIAS", is_primary=False)],
            phones=[PhoneIn("217-449-0316", "MOBILE")],
            emails=["jl.muller@example.org"],
            address=rue,
            preferred_language="fr",
            date_of_birth=dt.date(1979, 11, 2),
        ),
        AccountIn(customer_class="R", access_group="RES", bill_cycle="BC12", setup_date=dt.date(2021, 9, 15)),
        PremiseIn(address=rue, premise_type="APT"),
        ["E-RES"],
        dt.date(2021, 9, 15),
    )
    bakery_addr = AddressIn(house_number="301", street="Main Street", **springfield)
    acme = _establish(
        admin,
        PersonIn(
            kind="B",
            names=[NameIn("Acme Bakery Ltd"), NameIn("Acme Bakery", name_type="DBA", is_primary=False)],
            phones=[PhoneIn("(217) 522-0140", "BUSN")],
            emails=["accounts@acmebakery.example.com"],
            identifiers=[IdentifierIn("TAXID", "36-4821907", is_primary=True)],
            address=bakery_addr,
        ),
        AccountIn(customer_class="C", access_group="COM", bill_cycle="BC03", setup_date=dt.date(2009, 2, 2)),
        PremiseIn(address=bakery_addr, premise_type="COMM"),
        ["E-COM"],
        dt.date(2009, 2, 2),
    )

    def contact(made: Established, days_ago: float, cls: str, typ: str, **fields: Any) -> None:
        customer_contact_add(
            user=csr,
            contact_class=cls,
            type_code=typ,
            person_id=made.person.id,
            account_id=made.account.id,
            contact_datetime=now - dt.timedelta(days=days_ago),
            **fields,
        )

    contact(
        maria,
        400,
        "INQ",
        "BILLQ",
        method="PHONE",
        contact_detail="+12173842290",
        description="Asked about the gas delivery charge; explained it line by line.",
    )
    contact(
        maria,
        2,
        "SVC",
        "OUTAGE",
        premise_id=maria.premise.id if maria.premise else None,
        method="PHONE",
        contact_detail="+12176127781",
        description="Power out since last night; customer is on home oxygen. Crew dispatched as priority.",
        characteristics={"OUTAGE-DT": (now - dt.timedelta(days=3)).date().isoformat()},
        is_open=True,
    )
    contact(
        jean_luc,
        30,
        "BILL",
        "HIBILL",
        method="EMAIL",
        contact_detail="jl.muller@example.org",
        description="Says the last bill is twice the usual amount; gave his own reading.",
        characteristics={"READING": "48213"},
    )
    contact(
        jean_luc,
        1,
        "CMPL",
        "GEN",
        method="PHONE",
        contact_detail="+12174490316",
        description="Unhappy that the re-read appointment was missed without notice.",
        characteristics={"COMPL-RSN": "SERVICE"},
        is_open=True,
    )
    contact(
        acme,
        12,
        "BILL",
        "PAYMT",
        method="PHONE",
        contact_detail="+12175220140",
        description="Owner paid the overdue balance at the bank branch; confirmation 88213.",
    )
    return [maria.person.primary_name, jean_luc.person.primary_name, acme.person.primary_name]
