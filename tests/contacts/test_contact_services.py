from __future__ import annotations

import pytest

from custcare.contacts.models import ContactLogEntry, ContactType, CustomerContact
from custcare.contacts.services import contact_correct, customer_contact_add
from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.core.models import AuditEntry
from tests.factories import account_make, person_make


def _type(cls: str, typ: str) -> ContactType:
    return ContactType.objects.get(contact_class_id=cls, type_code=typ)


def test_add_contact_records_everything_and_audits(csr, customer):
    # when
    contact = customer_contact_add(
        user=csr,
        contact_type_id=_type("INQ", "BILLQ").id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
        premise_id=customer["premise"].id,
        contact_detail="555-201-3344",
        description="Asked why the November bill is higher.",
    )
    # then
    contact.refresh_from_db()
    assert contact.contact_class_id == "INQ"
    assert contact.contact_detail == "+15552013344"
    assert contact.user == csr
    assert contact.is_open is False
    assert len(contact.id) == 10 and contact.id.isdigit()
    entry = AuditEntry.objects.get(entity_type="contacts.customercontact", entity_id=contact.id)
    assert entry.action == "add" and entry.username == "csr1"
    assert entry.after["description"] == "Asked why the November bill is higher."


def test_usage_rules_refuse_and_change_nothing(csr, customer):
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(
            user=csr, contact_type_id=_type("INQ", "BILLQ").id, method="PHONE", person_id=customer["person"].id
        )
    assert "account_id" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(
            user=csr,
            contact_type_id=_type("BILL", "PAYMT").id,
            method="PHONE",
            person_id=customer["person"].id,
            account_id=customer["account"].id,
            premise_id=customer["premise"].id,
        )
    assert "premise_id" in exc.value.fields
    assert CustomerContact.objects.count() == 0
    assert not AuditEntry.objects.filter(entity_type="contacts.customercontact").exists()


def test_account_must_belong_to_person(csr, customer):
    other = person_make(csr, name="Nguyen, Bao", phone="555-777-1000")
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(
            user=csr,
            contact_type_id=_type("INQ", "BILLQ").id,
            method="PHONE",
            person_id=other.id,
            account_id=customer["account"].id,
        )
    assert "does not belong" in exc.value.fields["account_id"][0]


def test_contact_detail_must_be_the_persons(csr, customer):
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(
            user=csr,
            contact_type_id=_type("INQ", "BILLQ").id,
            method="PHONE",
            person_id=customer["person"].id,
            account_id=customer["account"].id,
            contact_detail="555-999-0000",
        )
    assert "contact_detail" in exc.value.fields


def test_characteristics_required_defaults_and_algorithm(csr, customer):
    meter = _type("SVC", "METER")
    base = dict(
        user=csr,
        contact_type_id=meter.id,
        method="PHONE",
        person_id=customer["person"].id,
        premise_id=customer["premise"].id,
    )
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(**base, characteristics={})
    assert "characteristics.METER-NO" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        customer_contact_add(**base, characteristics={"METER-NO": "12AB"})
    assert exc.value.fields["characteristics.METER-NO"] == ["A meter number is 8 digits."]
    contact = customer_contact_add(**base, characteristics={"METER-NO": "12345678", "READING": "4410"})
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {
        "METER-NO": "12345678",
        "READING": "4410",
    }
    high = customer_contact_add(
        user=csr,
        contact_type_id=_type("BILL", "HIBILL").id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
    )
    assert dict(high.characteristics.values_list("char_type_id", "value")) == {"COMPL-RSN": "BILLING"}


def test_access_group_hides_customer(csr_commercial, csr, customer):
    with pytest.raises(AccessDenied):
        customer_contact_add(
            user=csr_commercial,
            contact_type_id=_type("INQ", "BILLQ").id,
            method="PHONE",
            person_id=customer["person"].id,
            account_id=customer["account"].id,
        )
    assert CustomerContact.objects.count() == 0


def test_correction_is_a_log_entry(csr, customer):
    contact = customer_contact_add(
        user=csr,
        contact_type_id=_type("INQ", "PAYARR").id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
    )
    assert contact.is_open
    entry = contact_correct(contact=contact, changes={"is_open": False}, reason="Arrangement set up", user=csr)
    assert entry.kind == ContactLogEntry.Kind.CLOSED
    assert entry.changes == {"before": {"is_open": True}, "after": {"is_open": False}}
    contact.refresh_from_db()
    assert contact.is_open is False
    with pytest.raises(ValidationFailed):
        contact_correct(contact=contact, changes={"person_id": "x"}, reason="no", user=csr)


def test_audit_trail_is_append_only(csr, customer):
    from django.db import DatabaseError, transaction

    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_vip_account_invisible_to_csr(csr, supervisor):
    person = person_make(supervisor, name="Mayor, Jane", phone="555-100-2000")
    account_make(supervisor, person, access_group="VIP")
    from custcare.customers.models import Person

    assert not Person.objects.visible_to(csr).filter(pk=person.pk).exists()
    assert Person.objects.visible_to(supervisor).filter(pk=person.pk).exists()
