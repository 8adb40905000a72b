"""generated_contacts_check (contacts that CustCare processes generate, checked set-based) accepts and
refuses exactly what customer_contact_add accepts and refuses, with the same messages, also for a user
who does not see every access group."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from custcare.contacts.models import CustomerContact
from custcare.contacts.selectors import contact_type_config_get
from custcare.contacts.services import NewContact, customer_contact_add, generated_contacts_check
from custcare.core.errors import AccessDenied, ValidationFailed
from tests.factories import account_make, person_make, premise_make


class _Undo(Exception):
    pass


def _one_by_one(user: Any, kwargs: dict[str, Any]) -> Any:
    try:
        with transaction.atomic():
            contact = customer_contact_add(user=user, contact_class="INQ", type_code="BILLQ", method="NA", **kwargs)
            outcome = {f: getattr(contact, f) for f in ("person_id", "account_id", "premise_id", "description")}
            raise _Undo
    except _Undo:
        return outcome
    except (ValidationFailed, AccessDenied) as exc:
        return (type(exc).__name__, exc.message, getattr(exc, "fields", {}))


def test_generated_contacts_are_checked_as_customer_contact_add_checks_them(csr_commercial, csr, customer):
    com_person = person_make(csr, name="Okafor, Ben", phone="(555) 201-7788")
    com_premise = premise_make(csr, house_number="40", street="Oak Avenue")
    com_account = account_make(csr, com_person, access_group="COM", premise=com_premise, customer_class="C")
    other_person = person_make(csr, name="Lund, Cora", phone="(555) 201-9900")
    other_account = account_make(csr, other_person, access_group="COM", customer_class="C")
    empty_premise = premise_make(csr, house_number="7", street="Pine Road")  # no service: visible to all
    a = {"person_id": customer["person"].id, "account_id": customer["account"].id, "premise_id": customer["premise"].id}
    c = {"person_id": com_person.id, "account_id": com_account.id, "premise_id": com_premise.id}
    cases = [
        c,  # visible and linked
        {**c, "premise_id": customer["premise"].id},  # a premise of another account (and not visible)
        a,  # residential: not visible to this user
        {**c, "account_id": customer["account"].id},  # an account not visible
        {"person_id": com_person.id, "account_id": com_account.id},  # no premise: allowed by the type
        {**c, "person_id": customer["person"].id, "premise_id": None},  # a person not visible
        {"person_id": com_person.id, "account_id": com_account.id, "description": "  Asked about a refund  "},
        {**c, "premise_id": empty_premise.id},  # visible, not a premise of the account
        {**c, "account_id": other_account.id},  # visible, not an account of the person
    ]
    expected = [_one_by_one(csr_commercial, kwargs) for kwargs in cases]
    config = contact_type_config_get(contact_class="INQ", type_code="BILLQ")
    requests = [NewContact(config=config, method="NA", **kwargs) for kwargs in cases]
    got = []
    for result in generated_contacts_check(user=csr_commercial, requests=requests):
        if isinstance(result, tuple):
            row, _values = result
            got.append({f: row[f] for f in ("person_id", "account_id", "premise_id", "description")})
        else:
            got.append((type(result).__name__, result.message, getattr(result, "fields", {})))
    assert got == expected
    kinds = [e[0] if isinstance(e, tuple) else "accepted" for e in expected]
    assert (
        kinds == ["accepted", *["AccessDenied"] * 3, "accepted", "AccessDenied", "accepted"] + ["ValidationFailed"] * 2
    )
    assert expected[-2][2] == {
        "premise_id": [f"Premise {empty_premise.id} is not a premise of account {com_account.id}."]
    }
    assert expected[-1][2]["account_id"] == [f"Account {other_account.id} does not belong to person {com_person.id}."]
    assert CustomerContact.objects.count() == 0
