"""The customer-contact endpoints through HTTP: add, history with filters, read with log, log, correct."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.contacts.models import ContactLogEntry, ContactType, CustomerContact
from custcare.core.models import AuditEntry
from tests.conftest import api_token
from tests.factories import account_make, person_make


def _type_id(cls: str, typ: str) -> int:
    return ContactType.objects.get(contact_class_id=cls, type_code=typ).id


def _meter_contact(customer: dict[str, Any]) -> dict[str, Any]:
    return {
        "contact_class": "SVC",
        "contact_type": "METER",
        "person_id": customer["person"].id,
        "account_id": customer["account"].id,
        "premise_id": customer["premise"].id,
        "method": "PHONE",
        "contact_detail": "555.201.3344",
        "description": "Meter display is blank.",
        "characteristics": {"METER-NO": "12345678", "READING": "4711"},
    }


def test_add_contact_by_class_and_type_codes(api_as, csr, customer):
    response = api_as(csr).post("/api/v1/customer-contacts", _meter_contact(customer))
    assert response.status_code == 201, response.content
    body = response.json()
    contact = CustomerContact.objects.get(pk=body["id"])
    assert body["contact_class"] == "SVC" and body["contact_type"] == "METER"
    assert body["contact_type_description"] == "Meter problem"
    assert body["user"] == "csr1"
    assert body["contact_detail"] == "+15552013344"
    assert body["is_open"] is True  # the type's default
    assert body["person_id"] == customer["person"].id and body["premise_id"] == customer["premise"].id
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {
        "METER-NO": "12345678",
        "READING": "4711",
    }
    assert AuditEntry.objects.filter(
        entity_type="contacts.customercontact", entity_id=contact.id, action="add"
    ).exists()


def test_add_contact_by_type_id_uses_the_shorthand(api_as, csr, customer):
    response = api_as(csr).post(
        "/api/v1/customer-contacts",
        {
            "contact_type_id": _type_id("INQ", "BILLQ"),
            "person_id": customer["person"].id,
            "account_id": customer["account"].id,
            "direction": "OUT",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["description"] == "Customer asked about their bill; explained the charges."
    assert body["direction"] == "OUT" and body["is_open"] is False and body["origin"] == "USER"


def test_add_contact_bad_input_is_422_and_records_nothing(api_as, csr, customer):
    bad = {**_meter_contact(customer), "method": "PIGEON", "characteristics": {"METER-NO": "12", "COLOUR": "red"}}
    response = api_as(csr).post("/api/v1/customer-contacts", bad)
    assert response.status_code == 422
    assert set(response.json()["fields"]) >= {"method", "characteristics.COLOUR"}
    response = api_as(csr).post(
        "/api/v1/customer-contacts", {**_meter_contact(customer), "characteristics": {"METER-NO": "12"}}
    )
    assert response.status_code == 422
    assert response.json()["fields"]["characteristics.METER-NO"] == ["A meter number is 8 digits."]
    response = api_as(csr).post(
        "/api/v1/customer-contacts", {"contact_class": "SVC", "contact_type": "NOPE", "method": "PHONE"}
    )
    assert response.status_code == 422
    assert "contact_type" in response.json()["fields"]
    assert CustomerContact.objects.count() == 0
    assert not AuditEntry.objects.filter(entity_type="contacts.customercontact").exists()


def test_add_contact_for_a_customer_outside_the_users_groups_is_refused(api_as, csr_commercial, customer):
    response = api_as(csr_commercial).post("/api/v1/customer-contacts", _meter_contact(customer))
    assert response.status_code == 403
    assert CustomerContact.objects.count() == 0


def _add(client: Any, customer: dict[str, Any], cls: str, typ: str, **extra: Any) -> dict[str, Any]:
    body = {
        "contact_class": cls,
        "contact_type": typ,
        "person_id": customer["person"].id,
        "account_id": customer["account"].id,
        "method": "PHONE",
        **extra,
    }
    response = client.post("/api/v1/customer-contacts", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_contact_history_filters(api_as, csr, supervisor, customer):
    csr_client, sup_client = api_as(csr), api_as(supervisor)
    old = _add(csr_client, customer, "INQ", "BILLQ", contact_datetime="2026-01-10T09:00:00Z")
    email = _add(csr_client, customer, "INQ", "PAYARR", method="EMAIL", contact_datetime="2026-02-10T09:00:00Z")
    by_sup = _add(sup_client, customer, "BILL", "HIBILL", is_open=False, contact_datetime="2026-03-10T09:00:00Z")
    other = person_make(csr, name="Nguyen, Bao", phone="555-777-1000")
    account_make(csr, other)
    _add(csr_client, {"person": other, "account": other.account_persons.get().account}, "INQ", "BILLQ")

    def ids(**params: Any) -> list[str]:
        response = csr_client.get("/api/v1/customer-contacts", person_id=customer["person"].id, **params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids() == [by_sup["id"], email["id"], old["id"]]
    assert ids(date_from="2026-02-01") == [by_sup["id"], email["id"]]
    assert ids(date_to="2026-02-28") == [email["id"], old["id"]]
    assert ids(contact_class="INQ") == [email["id"], old["id"]]
    assert ids(contact_type_id=_type_id("INQ", "PAYARR")) == [email["id"]]
    assert ids(method="EMAIL") == [email["id"]]
    assert ids(is_open=True) == [email["id"]]
    assert ids(is_open=False) == [by_sup["id"], old["id"]]
    assert ids(user_id=supervisor.id) == [by_sup["id"]]
    by_account = csr_client.get("/api/v1/customer-contacts", account_id=customer["account"].id).json()
    assert by_account["count"] == 3
    page = csr_client.get("/api/v1/customer-contacts", person_id=customer["person"].id, limit=1, offset=1).json()
    assert page["count"] == 3 and [c["id"] for c in page["items"]] == [email["id"]]
    response = csr_client.get("/api/v1/customer-contacts")
    assert response.status_code == 422
    assert "person_id" in response.json()["fields"]


def test_read_contact_with_characteristics_and_log_then_add_a_log_entry(api_as, csr, customer):
    client = api_as(csr)
    contact = client.post("/api/v1/customer-contacts", _meter_contact(customer)).json()
    path = f"/api/v1/customer-contacts/{contact['id']}"
    response = client.post(f"{path}/log", {"comment": "  Called back; technician booked.  "})
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["kind"] == "NOTE" and entry["comment"] == "Called back; technician booked." and entry["user"] == "csr1"
    response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == contact["id"] and body["description"] == "Meter display is blank."
    assert body["characteristics"] == [
        {"char_type": "METER-NO", "value": "12345678"},
        {"char_type": "READING", "value": "4711"},
    ]
    assert [(e["kind"], e["comment"]) for e in body["log"]] == [("NOTE", "Called back; technician booked.")]
    assert AuditEntry.objects.filter(entity_type="contacts.contactlogentry", entity_id=str(entry["id"])).exists()
    response = client.post(f"{path}/log", {"comment": "   "})
    assert response.status_code == 422
    assert response.json()["fields"] == {"comment": ["This field is required."]}
    assert ContactLogEntry.objects.count() == 1


def test_read_contact_outside_the_users_groups_is_404(api_as, csr, csr_commercial, customer):
    contact = api_as(csr).post("/api/v1/customer-contacts", _meter_contact(customer)).json()
    assert api_as(csr_commercial).get(f"/api/v1/customer-contacts/{contact['id']}").status_code == 404
    response = api_as(csr_commercial).post(f"/api/v1/customer-contacts/{contact['id']}/log", {"comment": "x"})
    assert response.status_code == 404
    assert ContactLogEntry.objects.count() == 0


def test_correct_a_contact_records_a_log_entry_and_audits(api_as, csr, customer):
    client = api_as(csr)
    contact = client.post("/api/v1/customer-contacts", _meter_contact(customer)).json()
    path = f"/api/v1/customer-contacts/{contact['id']}"
    response = client.post(
        f"{path}/corrections", {"reason": "Typed the wrong text", "description": "Meter dial is blank."}
    )
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["kind"] == "CORR" and entry["comment"] == "Typed the wrong text"
    assert entry["changes"] == {
        "before": {"description": "Meter display is blank."},
        "after": {"description": "Meter dial is blank."},
    }
    response = client.post(f"{path}/corrections", {"reason": "Resolved", "is_open": False})
    assert response.json()["kind"] == "CLOSE"
    body = client.get(path).json()
    assert body["description"] == "Meter dial is blank." and body["is_open"] is False
    assert [e["kind"] for e in body["log"]] == ["CORR", "CLOSE"]
    assert (
        AuditEntry.objects.filter(
            entity_type="contacts.customercontact", entity_id=contact["id"], action="correct"
        ).count()
        == 2
    )


def test_bad_correction_changes_nothing(api_as, csr, customer):
    client = api_as(csr)
    contact = client.post("/api/v1/customer-contacts", _meter_contact(customer)).json()
    path = f"/api/v1/customer-contacts/{contact['id']}/corrections"
    response = client.post(path, {"reason": "", "method": "PIGEON"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"reason", "method"}
    response = client.post(path, {"reason": "same", "description": "Meter display is blank."})
    assert response.status_code == 422
    assert CustomerContact.objects.get(pk=contact["id"]).method == "PHONE"
    assert ContactLogEntry.objects.count() == 0


def test_adding_a_contact_over_http_takes_at_most_10_statements(csr, customer):
    """The budget from the issue: bearer-token auth, a person, account and premise, characteristics and
    a validation algorithm, in at most 10 SQL statements. Every statement the connection runs counts,
    including the SAVEPOINT/RELEASE pair that stands in here for production's BEGIN/COMMIT."""
    client = Client()
    headers = {"Authorization": f"Bearer {api_token(client, 'csr1')}"}
    body = _meter_contact(customer)
    client.post("/api/v1/customer-contacts", body, content_type="application/json", headers=headers)  # warm caches
    body["contact_datetime"] = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/customer-contacts", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    statements = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(queries.captured_queries, 1))
    assert len(queries) <= 10, f"{len(queries)} statements:\n{statements}"
    assert CustomerContact.objects.count() == 2
