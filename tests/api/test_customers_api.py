"""The customer resources through HTTP: persons, establish, accounts, premises, service agreements."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client

from custcare.core.models import AuditEntry
from custcare.customers.models import Account, AccountPerson, Person, PersonIdentifier, Premise, ServiceAgreement
from tests.factories import account_make, person_make, premise_make

ANNA = {
    "kind": "P",
    "names": [{"name": "Müller, Anna"}, {"name": "Schmidt, Anna", "name_type": "MAIDEN", "is_primary": False}],
    "phones": [{"number": "(217) 867-5309", "phone_type": "MOBILE"}],
    "emails": ["anna.mueller@example.org"],
    "identifiers": [{"id_type": "DRLIC", "value": "D123-4567-8901", "is_primary": True}],
    "address": {
        "house_number": "40",
        "street": "Oak Avenue",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62702",
    },
    "life_support": True,
    "life_support_description": "Home oxygen concentrator",
}


def _audited(entity_type: str, entity_id: str, action: str = "add") -> bool:
    return AuditEntry.objects.filter(entity_type=entity_type, entity_id=entity_id, action=action).exists()


def _no_full_identifier(response: Any, value: str) -> None:
    """The identifier's value appears nowhere in the response, in any spelling."""
    body = response.content.decode()
    digits = "".join(c for c in value if c.isalnum())
    assert value not in body
    assert digits not in body.replace("-", "")


# persons


def test_create_person_returns_the_detail_masked_and_audits(api_as, csr):
    response = api_as(csr).post("/api/v1/persons", ANNA)
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert body["primary_name"] == "Müller, Anna" == person.primary_name
    assert body["names"] == [
        {"name": "Müller, Anna", "name_type": "PRIM", "is_primary": True},
        {"name": "Schmidt, Anna", "name_type": "MAIDEN", "is_primary": False},
    ]
    assert body["phones"] == [
        {"phone_type": "MOBILE", "number": "+12178675309", "display": "(217) 867-5309", "extension": ""}
    ]
    assert body["emails"] == [{"address": "anna.mueller@example.org", "is_primary": True}]
    assert body["identifiers"] == [{"id_type": "DRLIC", "masked": "••••••••••8901", "is_primary": True}]
    assert body["address"]["street"] == "Oak Avenue"
    assert body["address_text"] == "40 Oak Avenue, Springfield IL 62702"
    assert body["life_support"] is True
    assert body["accounts"] == []
    _no_full_identifier(response, "D123-4567-8901")
    assert _audited("customers.person", person.id)


def test_create_person_bad_input_is_422_with_fields_and_creates_nothing(api_as, csr):
    before = Person.objects.count()
    bad = {
        **ANNA,
        "phones": [{"number": "12"}],
        "emails": ["not-an-email"],
        "identifiers": [{"id_type": "NOPE", "value": "123456"}],
        "life_support_description": "",
    }
    response = api_as(csr).post("/api/v1/persons", bad)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) >= {
        "phones.0.number",
        "emails.0.address",
        "identifiers.0.id_type",
        "life_support_description",
    }
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(entity_type="customers.person").exists()


def test_create_person_schema_errors_name_the_field(api_as, csr):
    response = api_as(csr).post("/api/v1/persons", {"kind": "P", "names": "Anna"})
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The request is not valid; see the fields."
    assert "names" in body["fields"]
    assert Person.objects.count() == 0


def test_person_address_errors_are_nested_like_the_request(api_as, csr):
    response = api_as(csr).post("/api/v1/persons", {**ANNA, "address": {**ANNA["address"], "country": "USA"}})
    assert response.status_code == 422
    assert "address.country" in response.json()["fields"]


def test_read_person_shows_visible_accounts_with_relationship_flags(api_as, csr, customer):
    person = customer["person"]
    response = api_as(csr).get(f"/api/v1/persons/{person.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == person.id
    assert body["phones"][0]["number"] == "+15552013344"
    assert body["phones"][0]["display"] == "(555) 201-3344"
    assert body["identifiers"] == [{"id_type": "TAXID", "masked": "•••••••6789", "is_primary": False}]
    _no_full_identifier(response, "123-45-6789")
    assert body["accounts"] == [
        {
            "account_id": customer["account"].id,
            "customer_class": "R",
            "access_group": "RES",
            "relationship_type": "MAIN",
            "main_customer": True,
            "financially_responsible": True,
            "third_party": False,
            "receives_copy_of_bill": False,
            "bill_copies": 0,
            "receives_notifications": True,
            "bill_address_source": "PREM",
        }
    ]


def test_read_person_hides_accounts_outside_the_users_groups(api_as, csr, supervisor, customer):
    vip = account_make(supervisor, customer["person"], access_group="VIP")
    body = api_as(supervisor).get(f"/api/v1/persons/{customer['person'].id}").json()
    assert {a["account_id"] for a in body["accounts"]} == {customer["account"].id, vip.id}
    body = api_as(csr).get(f"/api/v1/persons/{customer['person'].id}").json()
    assert [a["account_id"] for a in body["accounts"]] == [customer["account"].id]


def test_commercial_only_csr_gets_404_for_residential_records(api_as, csr_commercial, customer):
    client = api_as(csr_commercial)
    for path in (
        f"/api/v1/persons/{customer['person'].id}",
        f"/api/v1/accounts/{customer['account'].id}",
        f"/api/v1/premises/{customer['premise'].id}",
        f"/api/v1/service-agreements/{customer['account'].service_agreements.get().id}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["message"].startswith("No ")
    assert client.get("/api/v1/persons").json() == {"items": [], "count": 0}
    assert client.get("/api/v1/accounts").json() == {"items": [], "count": 0}


def test_commercial_only_csr_cannot_change_a_residential_person(api_as, csr_commercial, customer):
    response = api_as(csr_commercial).put(f"/api/v1/persons/{customer['person'].id}", {**ANNA})
    assert response.status_code == 404
    assert Person.objects.get(pk=customer["person"].id).primary_name == "Rivera, Maria"


def test_list_persons_paginates_and_filters_by_name_prefix(api_as, csr, customer):
    person_make(csr, name="Riviera, Marco", phone="555-300-1000")
    person_make(csr, name="Nguyen, Bao", phone="555-300-2000", aliases=("Ríos, Bao",))
    client = api_as(csr)
    body = client.get("/api/v1/persons", limit=2).json()
    assert body["count"] == 3
    assert [p["primary_name"] for p in body["items"]] == ["Nguyen, Bao", "Rivera, Maria"]
    body = client.get("/api/v1/persons", limit=2, offset=2).json()
    assert [p["primary_name"] for p in body["items"]] == ["Riviera, Marco"]
    body = client.get("/api/v1/persons", name="RI").json()
    assert [p["primary_name"] for p in body["items"]] == ["Nguyen, Bao", "Rivera, Maria", "Riviera, Marco"]
    body = client.get("/api/v1/persons", name="rive").json()
    assert [p["primary_name"] for p in body["items"]] == ["Rivera, Maria"]
    assert body["items"][0] == {
        "id": customer["person"].id,
        "kind": "P",
        "primary_name": "Rivera, Maria",
        "address_text": "12 Elm Street, Springfield IL 62701",
        "life_support": False,
    }


def test_update_person_replaces_details_and_audits_before_and_after(api_as, csr, customer):
    person = customer["person"]
    change = {
        "names": [{"name": "Rivera-Lopez, Maria"}],
        "phones": [{"number": "+1 555 201 9999", "phone_type": "HOME"}],
        "identifiers": [{"id_type": "TAXID", "value": "123-45-6789"}],
        "address": {"house_number": "12", "street": "Elm Street", "city": "Springfield"},
    }
    response = api_as(csr).put(f"/api/v1/persons/{person.id}", change)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["primary_name"] == "Rivera-Lopez, Maria"
    assert [p["number"] for p in body["phones"]] == ["+15552019999"]
    assert body["identifiers"][0]["masked"] == "•••••••6789"
    assert len(body["accounts"]) == 1
    entry = AuditEntry.objects.get(entity_type="customers.person", entity_id=person.id, action="change")
    assert entry.before["primary_name"] == "Rivera, Maria"
    assert entry.after["primary_name"] == "Rivera-Lopez, Maria"
    assert "123-45-6789" not in json.dumps([entry.before, entry.after])


def test_update_person_bad_input_changes_nothing(api_as, csr, customer):
    person = customer["person"]
    response = api_as(csr).put(f"/api/v1/persons/{person.id}", {"names": [{"name": "X"}], "phones": [{"number": "1"}]})
    assert response.status_code == 422
    assert set(response.json()["fields"]) >= {"names.0.name", "phones.0.number"}
    person.refresh_from_db()
    assert person.primary_name == "Rivera, Maria"
    assert list(person.phones.values_list("number", flat=True)) == ["+15552013344"]
    assert not AuditEntry.objects.filter(entity_type="customers.person", action="change").exists()


# authentication


def test_no_token_is_401(customer):
    response = Client().get(f"/api/v1/persons/{customer['person'].id}")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]
    response = Client().post("/api/v1/persons", ANNA, content_type="application/json")
    assert response.status_code == 401
    assert Person.objects.filter(primary_name="Müller, Anna").count() == 0


def test_garbage_and_expired_tokens_are_401(api_as, csr, customer):
    client = api_as(csr)
    path = f"/api/v1/persons/{customer['person'].id}"
    assert client.get(path).status_code == 200
    response = Client().get(path, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    csr.api_tokens.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["fields"] == {}


def test_session_login_reaches_the_api(csr, customer):
    client = Client()
    client.force_login(csr)
    response = client.get(f"/api/v1/persons/{customer['person'].id}")
    assert response.status_code == 200
    assert response.json()["primary_name"] == "Rivera, Maria"


def test_batch_operator_may_not_read_customers(api_as, batch_operator, customer):
    response = api_as(batch_operator).get(f"/api/v1/persons/{customer['person'].id}")
    assert response.status_code == 403
    assert "customer.read" in response.json()["message"]


# establish


def _establish_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "person": {
            "names": [{"name": "Okafor, Chidi"}],
            "phones": [{"number": "555-444-1234"}],
            "identifiers": [{"id_type": "TAXID", "value": "987-65-4321"}],
            "address": {"house_number": "7", "street": "Birch Road", "city": "Springfield"},
        },
        "account": {"customer_class": "R", "access_group": "RES", "bill_cycle": "BC02"},
        "premise": {"house_number": "7", "street": "Birch Road", "city": "Springfield", "premise_type": "HOUSE"},
        "sa_types": ["E-RES", "G-RES"],
        "sa_start_date": "2026-02-01",
    }
    body.update(overrides)
    return body


def test_establish_creates_person_account_premise_and_sas(api_as, csr):
    response = api_as(csr).post("/api/v1/persons/establish", _establish_body())
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["person"]["id"])
    account = Account.objects.get(pk=body["account"]["id"])
    premise = Premise.objects.get(pk=body["premise"]["id"])
    assert person.primary_name == "Okafor, Chidi"
    assert body["person"]["identifiers"] == [{"id_type": "TAXID", "masked": "•••••••4321", "is_primary": False}]
    _no_full_identifier(response, "987-65-4321")
    assert body["person"]["accounts"][0]["account_id"] == account.id
    assert body["person"]["accounts"][0]["main_customer"] is True
    assert body["account"]["access_group"] == "RES"
    assert body["account"]["bill_cycle"] == "BC02"
    assert body["account"]["mailing_premise_id"] == premise.id
    assert body["account"]["persons"][0]["person_id"] == person.id
    assert body["premise"]["address_text"] == "7 Birch Road, Springfield"
    assert [(s["sa_type"], s["status"], s["start_date"]) for s in body["service_agreements"]] == [
        ("E-RES", "PS", "2026-02-01"),
        ("G-RES", "PS", "2026-02-01"),
    ]
    assert ServiceAgreement.objects.filter(account=account, premise=premise).count() == 2
    assert _audited("customers.person", person.id)
    assert _audited("customers.account", account.id)
    assert _audited("customers.premise", premise.id)
    for sa in body["service_agreements"]:
        assert _audited("customers.serviceagreement", sa["id"])


def _counts() -> tuple[int, int, int, int]:
    return (Person.objects.count(), Account.objects.count(), Premise.objects.count(), ServiceAgreement.objects.count())


def test_establish_warns_about_same_phone_then_accepts_confirmation(api_as, csr, customer):
    before = _counts()
    body = _establish_body()
    body["person"]["phones"] = [{"number": "+1 (555) 201-3344"}]
    client = api_as(csr)
    response = client.post("/api/v1/persons/establish", body)
    assert response.status_code == 409
    error = response.json()
    assert error["message"].startswith("This person may already exist.")
    assert error["fields"]["duplicates"] == [f"Rivera, Maria ({customer['person'].id}): same phone (555) 201-3344"]
    assert error["duplicates"] == [
        {"person_id": customer["person"].id, "name": "Rivera, Maria", "reasons": ["same phone (555) 201-3344"]}
    ]
    assert _counts() == before
    response = client.post("/api/v1/persons/establish", {**body, "confirm_not_duplicate": True})
    assert response.status_code == 201
    assert _counts()[0] == before[0] + 1


def test_establish_warns_about_similar_name_at_the_same_address(api_as, csr, customer):
    before = _counts()
    body = _establish_body(premise=None, sa_types=[])
    body["person"] = {
        "names": [{"name": "Maria Riviera"}],
        "address": {"house_number": "12", "street": "Elm St", "city": "Springfield"},
    }
    response = api_as(csr).post("/api/v1/persons/establish", body)
    assert response.status_code == 409
    assert response.json()["duplicates"] == [
        {
            "person_id": customer["person"].id,
            "name": "Rivera, Maria",
            "reasons": ["similar name 'Rivera, Maria' at the same address"],
        }
    ]
    assert _counts() == before


def test_establish_refuses_an_identifier_already_recorded_even_when_confirmed(api_as, csr, customer):
    """The same identifier is more than a likely duplicate: identifiers are unique, so it is refused
    outright (422), and the answer does not reveal the value."""
    before = _counts()
    body = _establish_body(confirm_not_duplicate=True)
    body["person"]["identifiers"] = [{"id_type": "TAXID", "value": "123 45 6789"}]
    response = api_as(csr).post("/api/v1/persons/establish", body)
    assert response.status_code == 422
    assert response.json()["fields"]["person.identifiers.0.value"] == [
        "This TAXID is already recorded for another person; search for it instead."
    ]
    _no_full_identifier(response, "123-45-6789")
    assert _counts() == before
    assert PersonIdentifier.objects.count() == 1


def test_establish_bad_input_reports_every_section_and_saves_nothing(api_as, csr):
    body = _establish_body(sa_types=["NOPE"])
    body["person"]["names"] = [{"name": ""}]
    body["account"] = {"customer_class": "ZZ", "access_group": "VIP"}
    body["premise"] = {"street": "", "premise_type": "HOUSE"}
    response = api_as(csr).post("/api/v1/persons/establish", body)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) >= {
        "person.names",
        "account.customer_class",
        "account.access_group",
        "premise.street",
        "sa_types.0",
    }
    assert fields["account.access_group"] == ["You cannot create accounts in access group 'VIP'."]
    assert _counts() == (0, 0, 0, 0)
    assert not AuditEntry.objects.filter(entity_type__startswith="customers.").exists()


def test_establish_on_an_existing_premise(api_as, csr, customer):
    body = _establish_body(premise=None, premise_id=customer["premise"].id, sa_types=["W-RES"])
    response = api_as(csr).post("/api/v1/persons/establish", {**body, "confirm_not_duplicate": True})
    assert response.status_code == 201, response.content
    assert response.json()["premise"]["id"] == customer["premise"].id
    assert Premise.objects.count() == 1


# accounts


def test_create_account_for_an_existing_person(api_as, csr, customer):
    response = api_as(csr).post(
        "/api/v1/accounts",
        {
            "person_id": customer["person"].id,
            "customer_class": "C",
            "access_group": "COM",
            "setup_date": "2026-03-01",
            "cash_only": True,
            "credit_rating": 400,
            "mailing_premise_id": customer["premise"].id,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    assert account.cash_only and account.credit_rating == 400
    assert body["customer_class"] == "C"
    assert body["customer_class_description"] == "Commercial"
    assert body["access_group_detail"] == {"code": "COM", "description": "Commercial and industrial customers"}
    assert body["setup_date"] == "2026-03-01"
    assert body["persons"][0]["person_id"] == customer["person"].id
    assert body["persons"][0]["main_customer"] is True
    assert body["premises"][0]["id"] == customer["premise"].id
    assert body["service_agreements"] == []
    assert _audited("customers.account", account.id)


def test_create_account_bad_input_creates_nothing(api_as, csr, customer):
    before = Account.objects.count()
    response = api_as(csr).post(
        "/api/v1/accounts", {"person_id": customer["person"].id, "customer_class": "ZZ", "access_group": "NOPE"}
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"customer_class", "access_group"}
    response = api_as(csr).post(
        "/api/v1/accounts", {"person_id": "0000000000", "customer_class": "R", "access_group": "RES"}
    )
    assert response.status_code == 404
    assert Account.objects.count() == before


def test_read_account_lists_persons_premises_and_sas(api_as, csr, customer):
    account = customer["account"]
    spouse = person_make(csr, name="Rivera, Jose", phone="555-201-4455")
    AccountPerson.objects.create(account=account, person=spouse, relationship_type="SPOUSE", receives_copy_of_bill=True)
    response = api_as(csr).get(f"/api/v1/accounts/{account.id}")
    assert response.status_code == 200
    body = response.json()
    sa = account.service_agreements.get()
    assert body["id"] == account.id
    assert body["credit_rating"] == 1000 and body["cash_only"] is False
    assert body["access_group_detail"]["code"] == "RES"
    assert [
        (p["name"], p["relationship_type"], p["main_customer"], p["receives_copy_of_bill"]) for p in body["persons"]
    ] == [
        ("Rivera, Maria", "MAIN", True, False),
        ("Rivera, Jose", "SPOUSE", False, True),
    ]
    assert [p["id"] for p in body["premises"]] == [customer["premise"].id]
    assert body["service_agreements"] == [
        {
            "id": sa.id,
            "account_id": account.id,
            "sa_type": "E-RES",
            "sa_type_description": "Residential electricity",
            "premise_id": customer["premise"].id,
            "start_date": "2024-01-15",
            "end_date": None,
            "status": "AC",
            "status_label": "Active",
        }
    ]


def test_list_accounts_by_person(api_as, csr, customer):
    other = person_make(csr, name="Nguyen, Bao", phone="555-777-1000")
    account_make(csr, other)
    client = api_as(csr)
    assert client.get("/api/v1/accounts").json()["count"] == 2
    body = client.get("/api/v1/accounts", person_id=customer["person"].id).json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == customer["account"].id
    assert body["items"][0]["access_group"] == "RES"


def test_add_person_to_account_and_make_them_main_customer(api_as, csr, customer):
    account = customer["account"]
    spouse = person_make(csr, name="Rivera, Jose", phone="555-201-4455")
    client = api_as(csr)
    response = client.post(
        f"/api/v1/accounts/{account.id}/persons",
        {"person_id": spouse.id, "relationship_type": "SPOUSE", "receives_copy_of_bill": True},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account_id"] == account.id and body["person_id"] == spouse.id
    assert body["relationship_type"] == "SPOUSE" and body["bill_copies"] == 1 and body["main_customer"] is False
    link = AccountPerson.objects.get(account=account, person=spouse)
    assert _audited("customers.accountperson", str(link.pk))

    response = client.post(f"/api/v1/accounts/{account.id}/main-customer", {"person_id": spouse.id})
    assert response.status_code == 200
    assert response.json()["main_customer"] is True
    assert AccountPerson.objects.get(account=account, main_customer=True).person_id == spouse.id
    assert _audited("customers.accountperson", str(link.pk), action="main-customer")


def test_add_person_to_account_refusals_change_nothing(api_as, csr, customer):
    account = customer["account"]
    client = api_as(csr)
    response = client.post(
        f"/api/v1/accounts/{account.id}/persons", {"person_id": customer["person"].id, "relationship_type": "TENANT"}
    )
    assert response.status_code == 409
    assert "already linked" in response.json()["message"]
    other = person_make(csr, name="Nguyen, Bao", phone="555-777-1000")
    response = client.post(
        f"/api/v1/accounts/{account.id}/persons", {"person_id": other.id, "relationship_type": "MAIN"}
    )
    assert response.status_code == 422
    assert "relationship_type" in response.json()["fields"]
    response = client.post(f"/api/v1/accounts/{account.id}/main-customer", {"person_id": other.id})
    assert response.status_code == 404
    assert AccountPerson.objects.filter(account=account).count() == 1
    assert AccountPerson.objects.get(account=account).main_customer is True


# premises


def test_create_list_and_read_premises(api_as, csr, customer):
    client = api_as(csr)
    response = client.post(
        "/api/v1/premises",
        {"house_number": "5", "street": "Maple Ln", "city": "Springfield", "premise_type": "APT", "division": "NORTH"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    premise = Premise.objects.get(pk=body["id"])
    assert premise.street_key == "maple lane"
    assert body == {
        "id": premise.id,
        "premise_type": "APT",
        "address": {
            "house_number": "5",
            "street": "Maple Ln",
            "address2": "",
            "city": "Springfield",
            "state": "",
            "postal_code": "",
            "country": "US",
        },
        "address_text": "5 Maple Ln, Springfield",
        "division": "NORTH",
        "life_support": False,
        "life_support_description": "",
        "mailing_address": "",
    }
    assert _audited("customers.premise", premise.id)
    assert client.get("/api/v1/premises").json()["count"] == 2
    listed = client.get("/api/v1/premises", account_id=customer["account"].id).json()
    assert [p["id"] for p in listed["items"]] == [customer["premise"].id]
    assert client.get(f"/api/v1/premises/{premise.id}").json()["premise_type"] == "APT"


def test_create_premise_bad_input_creates_nothing(api_as, csr):
    response = api_as(csr).post("/api/v1/premises", {"street": " ", "premise_type": "CASTLE"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"street", "premise_type"}
    assert Premise.objects.count() == 0


# service agreements


def test_create_and_list_service_agreements(api_as, csr, customer):
    client = api_as(csr)
    account, premise = customer["account"], customer["premise"]
    response = client.post(
        "/api/v1/service-agreements",
        {"account_id": account.id, "sa_type": "G-RES", "premise_id": premise.id, "start_date": "2026-04-01"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sa_type"] == "G-RES" and body["status"] == "PS" and body["status_label"] == "Pending start"
    assert body["sa_type_description"] == "Residential gas"
    assert _audited("customers.serviceagreement", body["id"])
    listed = client.get("/api/v1/service-agreements", account_id=account.id).json()
    assert [s["sa_type"] for s in listed["items"]] == ["E-RES", "G-RES"]
    other = premise_make(csr, house_number="99")
    assert client.get("/api/v1/service-agreements", premise_id=other.id).json()["count"] == 0
    assert client.get(f"/api/v1/service-agreements/{body['id']}").json() == body


def test_create_service_agreement_bad_input_creates_nothing(api_as, csr, customer):
    before = ServiceAgreement.objects.count()
    response = api_as(csr).post(
        "/api/v1/service-agreements",
        {"account_id": customer["account"].id, "sa_type": "NOPE", "start_date": "2026-04-01"},
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"sa_type"}
    response = api_as(csr).post(
        "/api/v1/service-agreements", {"account_id": customer["account"].id, "sa_type": "E-RES", "start_date": "soon"}
    )
    assert response.status_code == 422
    assert "start_date" in response.json()["fields"]
    assert ServiceAgreement.objects.count() == before


def test_sa_lifecycle_through_transitions(api_as, csr, customer):
    client = api_as(csr)
    sa = client.post(
        "/api/v1/service-agreements",
        {"account_id": customer["account"].id, "sa_type": "W-RES", "start_date": "2026-01-01"},
    ).json()
    path = f"/api/v1/service-agreements/{sa['id']}/transitions"
    steps = [
        ("AC", None, None),
        ("PX", "2026-06-30", "2026-06-30"),
        ("ST", None, "2026-06-30"),
        ("CL", None, "2026-06-30"),
    ]
    for status, date, end in steps:
        response = client.post(path, {"status": status, "date": date})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
        assert response.json()["end_date"] == end
        assert _audited("customers.serviceagreement", sa["id"], action=f"status-{status}")
    response = client.post(path, {"status": "RE"})
    assert response.json()["status_label"] == "Reactivated"


def test_illegal_sa_transition_is_409_and_changes_nothing(api_as, csr, customer):
    sa = customer["account"].service_agreements.get()
    response = api_as(csr).post(f"/api/v1/service-agreements/{sa.id}/transitions", {"status": "CL"})
    assert response.status_code == 409
    assert response.json() == {
        "message": "A active service agreement cannot become closed; allowed next: Pending stop, Stopped.",
        "fields": {},
    }
    sa.refresh_from_db()
    assert sa.status == "AC"
    assert not AuditEntry.objects.filter(entity_id=sa.id, action__startswith="status-").exists()
    response = api_as(csr).post(f"/api/v1/service-agreements/{sa.id}/transitions", {"status": "XX"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"status": ["Invalid choice."]}


def test_stop_date_before_start_is_refused(api_as, csr, customer):
    sa = customer["account"].service_agreements.get()
    response = api_as(csr).post(
        f"/api/v1/service-agreements/{sa.id}/transitions", {"status": "ST", "date": "2020-01-01"}
    )
    assert response.status_code == 422
    sa.refresh_from_db()
    assert sa.status == "AC" and sa.end_date is None


def test_establish_warns_of_the_person_holding_the_same_identifier(api_as, csr, customer):
    before = _counts()
    body = _establish_body()
    body["person"]["identifiers"] = [{"id_type": "TAXID", "value": "123 45 6789"}]
    response = api_as(csr).post("/api/v1/persons/establish", body)
    assert response.status_code == 409
    assert any(
        d["person_id"] == customer["person"].id and "same TAXID" in d["reasons"] for d in response.json()["duplicates"]
    )
    _no_full_identifier(response, "123-45-6789")
    assert _counts() == before
