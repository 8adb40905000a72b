"""A recorded contact to hang reminders on, and a member of the CSR-FOLLOWUP To Do role."""

from __future__ import annotations

from typing import Any

import pytest

from custcare.contacts.models import ContactType, CustomerContact
from custcare.contacts.services import customer_contact_add
from custcare.todo.models import ToDoRoleUser


@pytest.fixture
def payarr() -> ContactType:
    return ContactType.objects.get(contact_class_id="INQ", type_code="PAYARR")


@pytest.fixture
def contact(csr: Any, customer: dict[str, Any], payarr: ContactType) -> CustomerContact:
    return customer_contact_add(
        user=csr,
        contact_type_id=payarr.id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
        description="Asked for a payment arrangement",
    )


@pytest.fixture
def follow_up_member(csr: Any) -> Any:
    ToDoRoleUser.objects.create(role_id="CSR-FOLLOWUP", user=csr)
    return csr
