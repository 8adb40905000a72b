"""The audit trail through HTTP (supervisors and administrators), and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from custcare.core.models import AuditEntry
from tests.factories import person_make


def test_supervisor_browses_the_audit_trail_with_filters(api_as, csr, supervisor, customer):
    person = customer["person"]
    client = api_as(supervisor)
    body = client.get("/api/v1/audit", entity_type="customers.person", entity_id=person.id).json()
    assert body["count"] == 1
    entry = body["items"][0]
    assert entry["action"] == "add" and entry["username"] == "csr1" and entry["entity_id"] == person.id
    assert entry["after"]["primary_name"] == "Rivera, Maria"
    assert entry["after"]["identifiers"] == ["TAXID:•••••••6789"]
    assert "123-45-6789" not in str(client.get("/api/v1/audit").content)
    assert client.get("/api/v1/audit", username="nobody").json()["count"] == 0
    assert (
        client.get("/api/v1/audit", username="csr1").json()["count"]
        == AuditEntry.objects.filter(username="csr1").count()
    )


def test_audit_is_newest_first_paginated_and_filtered_by_time(api_as, csr, admin_user, customer):
    later = person_make(csr, name="Nguyen, Bao", phone="555-777-1000")
    client = api_as(admin_user)
    body = client.get("/api/v1/audit", entity_type="customers.person", limit=1).json()
    assert body["count"] == 2
    assert [e["entity_id"] for e in body["items"]] == [later.id]
    body = client.get("/api/v1/audit", entity_type="customers.person", limit=1, offset=1).json()
    assert [e["entity_id"] for e in body["items"]] == [customer["person"].id]
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/audit", since=future).json()["count"] == 0
    assert client.get("/api/v1/audit", until=future).json()["count"] == AuditEntry.objects.count()
    response = client.get("/api/v1/audit", since="yesterday-ish")
    assert response.status_code == 422
    assert "since" in response.json()["fields"]


def test_audit_is_for_supervisors_and_administrators_only(api_as, csr, batch_operator, integrator, customer):
    for user in (csr, batch_operator, integrator):
        response = api_as(user).get("/api/v1/audit")
        assert response.status_code == 403, user.username
        assert "audit.read" in response.json()["message"]
    assert Client().get("/api/v1/audit").status_code == 401


def test_openapi_schema_lists_the_resources(reference):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/establish",
        "/api/v1/accounts",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/persons",
        "/api/v1/accounts/{account_id}/main-customer",
        "/api/v1/premises",
        "/api/v1/premises/{premise_id}",
        "/api/v1/service-agreements",
        "/api/v1/service-agreements/{sa_id}",
        "/api/v1/service-agreements/{sa_id}/transitions",
        "/api/v1/customer-contact-classes",
        "/api/v1/customer-contact-types",
        "/api/v1/customer-contact-types/{type_id}",
        "/api/v1/characteristic-types",
        "/api/v1/customer-classes",
        "/api/v1/premise-types",
        "/api/v1/identifier-types",
        "/api/v1/sa-types",
        "/api/v1/access-groups",
        "/api/v1/algorithm-types",
        "/api/v1/algorithms",
        "/api/v1/algorithms/{code}",
        "/api/v1/installation-options",
        "/api/v1/audit",
        "/api/v1/customer-contacts",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/persons"]) == {"get", "post"}
    assert set(paths["/api/v1/customer-classes/{code}"]) == {"get", "put"}
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
