"""Builders for test data, on top of the starter configuration (`reference_data_load`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from custcare.customers.models import Account, Person, Premise
from custcare.customers.services import (
    AccountIn,
    AddressIn,
    IdentifierIn,
    NameIn,
    PersonIn,
    PhoneIn,
    PremiseIn,
    account_create,
    person_create,
    premise_create,
    service_agreement_create,
)


def person_make(
    user: Any,
    name: str = "Rivera, Maria",
    phone: str | None = "(555) 201-3344",
    identifier: tuple[str, str] | None = None,
    aliases: tuple[str, ...] = (),
    address: AddressIn | None = None,
    **fields: Any,
) -> Person:
    data = PersonIn(
        names=[NameIn(name=name), *[NameIn(name=a, name_type="ALIAS", is_primary=False) for a in aliases]],
        phones=[PhoneIn(number=phone)] if phone else [],
        identifiers=[IdentifierIn(id_type=identifier[0], value=identifier[1])] if identifier else [],
        address=address
        or AddressIn(house_number="12", street="Elm Street", city="Springfield", state="IL", postal_code="62701"),
        **fields,
    )
    return person_create(data=data, user=user)


def premise_make(user: Any, house_number: str = "12", street: str = "Elm Street", **fields: Any) -> Premise:
    return premise_create(
        data=PremiseIn(
            address=AddressIn(
                house_number=house_number, street=street, city="Springfield", state="IL", postal_code="62701"
            ),
            premise_type=fields.pop("premise_type", "HOUSE"),
            **fields,
        ),
        user=user,
    )


def account_make(
    user: Any,
    person: Person,
    access_group: str = "RES",
    premise: Premise | None = None,
    sa_types: tuple[str, ...] = ("E-RES",),
    customer_class: str = "R",
) -> Account:
    account = account_create(
        data=AccountIn(
            customer_class=customer_class, access_group=access_group, setup_date=dt.date(2024, 1, 15), bill_cycle="BC01"
        ),
        main_person=person,
        user=user,
        mailing_premise=premise,
    )
    for sa_type in sa_types if premise else ():
        service_agreement_create(
            account=account, sa_type=sa_type, premise=premise, start_date=dt.date(2024, 1, 15), user=user, activate=True
        )
    return account
