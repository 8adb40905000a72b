from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from custcare.contacts.models import ContactType, CustomerContact
from custcare.contacts.services import customer_contact_add


@pytest.fixture
def csr_client(csr: Any) -> Client:
    client = Client()
    client.force_login(csr)
    return client


def contact_type(cls: str, typ: str) -> ContactType:
    return ContactType.objects.get(contact_class_id=cls, type_code=typ)


def contact_make(
    user: Any, customer: dict[str, Any], cls: str = "INQ", typ: str = "BILLQ", **kw: Any
) -> CustomerContact:
    return customer_contact_add(
        user=user,
        contact_type_id=contact_type(cls, typ).id,
        method=kw.pop("method", "PHONE"),
        person_id=customer["person"].id,
        account_id=customer["account"].id,
        **kw,
    )


def is_checked(html: str, name: str, value: str = "") -> bool:
    """Whether the page's checkbox or radio `name` with `value` is checked."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and (not value or f'value="{value}"' in tag):
            return " checked" in tag
    raise AssertionError(f"no input {name}={value} on the page")
