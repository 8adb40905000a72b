"""GET /api/v1/search through HTTP: the response shape, bad input and permissions."""

from __future__ import annotations

from django.test import Client

from tests.factories import person_make


def test_search_returns_persons_with_accounts_premises_and_what_matched(api_as, csr, customer):
    response = api_as(csr).get("/api/v1/search", q="rivra maria")
    assert response.status_code == 200, response.content
    body = response.json()
    person, account, premise = customer["person"], customer["account"], customer["premise"]
    assert body == {
        "query": "rivra maria",
        "kind": "name",
        "truncated": False,
        "message": "",
        "unique_account_id": account.id,
        "results": [
            {
                "person": {
                    "id": person.id,
                    "name": "Rivera, Maria",
                    "kind": "P",
                    "phone": person.phones.get().display,
                    "address": "12 Elm Street, Springfield IL 62701",
                },
                "accounts": [
                    {
                        "id": account.id,
                        "customer_class": "R",
                        "customer_class_description": account.customer_class.description,
                        "access_group": "RES",
                        "bill_cycle": "BC01",
                    }
                ],
                "premises": [{"id": premise.id, "address": "12 Elm Street, Springfield IL 62701"}],
                "matched": "name 'Rivera, Maria'",
            }
        ],
    }


def test_search_by_account_id_gives_the_account_to_open(api_as, csr, customer):
    body = api_as(csr).get("/api/v1/search", q=customer["account"].id).json()
    assert (body["kind"], body["unique_account_id"]) == ("id", customer["account"].id)


def test_search_by_phone(api_as, csr, customer):
    body = api_as(csr).get("/api/v1/search", q="+1 555 201 3344").json()
    assert body["kind"] == "phone"
    assert [r["person"]["id"] for r in body["results"]] == [customer["person"].id]


def test_a_person_without_phone_has_none(api_as, csr):
    person_make(csr, name="Quiet, Quinn", phone=None)
    body = api_as(csr).get("/api/v1/search", q="quinn quiet").json()
    assert body["results"][0]["person"]["phone"] is None
    assert body["results"][0]["accounts"] == []


def test_empty_query_is_refused_with_the_field(api_as, csr):
    for params in ({"q": ""}, {"q": "   "}, {}):
        response = api_as(csr).get("/api/v1/search", **params)
        assert response.status_code == 422, params
        assert "q" in response.json()["fields"], params


def test_short_query_says_why_nothing_was_searched(api_as, csr, customer):
    body = api_as(csr).get("/api/v1/search", q="ri").json()
    assert body["results"] == []
    assert "at least 3 letters" in body["message"]


def test_other_access_groups_stay_hidden(api_as, csr_commercial, customer):
    for q in ("Maria Rivera", customer["account"].id, "555-201-3344", "12 elm st"):
        body = api_as(csr_commercial).get("/api/v1/search", q=q).json()
        assert body["results"] == [], q


def test_batch_operator_may_not_search(api_as, batch_operator, customer):
    response = api_as(batch_operator).get("/api/v1/search", q="Maria Rivera")
    assert response.status_code == 403
    assert "customer.read" in response.json()["message"]


def test_unauthenticated_search_is_refused(customer):
    response = Client().get("/api/v1/search", {"q": "Maria Rivera"})
    assert response.status_code == 401
    assert response.json()["message"].startswith("Sign in first")
