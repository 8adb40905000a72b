"""Workflow record intake through /api/v1/records/<kind>, and who reads sync requests."""

from __future__ import annotations

import pytest

from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.core.models import AuditEntry
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic
from custcare.workflow.selectors import sync_requests_of_object
from tests.factories import account_make, person_make

SYNC = "/api/v1/records/sync-request"


def test_an_account_sync_request_is_taken_in_for_that_account(customer, integrator, api_as):
    # when the integration layer reports an account it could not send
    account_id = customer["account"].pk
    response = api_as(integrator).put(
        f"{SYNC}/SR-1",
        {
            "object_kind": "account",
            "object_id": account_id,
            "status": "error",
            "created_at": "2026-05-04T09:30:00Z",
            "message": "Bill cycle unknown to the meter data system.",
        },
    )
    # then it is stored for that account, audited
    assert response.status_code == 200, response.content
    request = SyncRequest.objects.get(pk="SR-1")
    assert (request.object_kind, request.object_id, request.account_id, request.status) == (
        "account",
        account_id,
        account_id,
        "error",
    )
    assert AuditEntry.objects.filter(entity_type="workflow.syncrequest", entity_id="SR-1", action="add").exists()


def test_a_sync_request_naming_another_account_than_its_object_is_refused(customer, csr, integrator, api_as):
    # given an account sync request that names a different account
    other = account_make(csr, person_make(csr, name="Okafor, Chidi", phone=None))
    body = {
        "id": "SR-2",
        "object_kind": "account",
        "object_id": customer["account"].pk,
        "account_id": other.pk,
        "created_at": "2026-05-04T09:30:00Z",
    }
    # when it is sent
    response = api_as(integrator).post(SYNC, {"records": [body]})
    # then it is refused and nothing is written
    assert response.status_code == 422
    assert "leave account_id out" in str(response.json())
    assert not SyncRequest.objects.exists()


def test_a_csr_may_not_write_workflow_records(customer, csr, api_as):
    response = api_as(csr).put(
        "/api/v1/records/workflow-process/WF-1",
        {"account_id": customer["account"].pk, "process_type_id": "MOVE-IN", "created_on": "2026-04-01"},
    )
    assert response.status_code == 403
    assert not WorkflowProcess.objects.exists()


def test_a_process_needs_an_account_or_a_premise_and_a_known_type(customer, integrator, api_as):
    # given a process for nothing and one of an unknown type, beside a good one
    good = {
        "id": "WF-1",
        "premise_id": customer["premise"].pk,
        "process_type_id": "METER-INV",
        "created_on": "2026-04-01",
    }
    rows = [
        good,
        {"id": "WF-2", "process_type_id": "MOVE-IN", "created_on": "2026-04-01"},
        {**good, "id": "WF-3", "process_type_id": "NOPE"},
    ]
    # when they are sent together
    response = api_as(integrator).post("/api/v1/records/workflow-process", {"records": rows})
    # then both bad ones are named and nothing is written
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["records.1.account_id"] == ["A workflow process is for an account, a premise, or both."]
    assert fields["records.2.process_type_id"] == ["No workflow process type 'NOPE'."]
    assert not WorkflowProcess.objects.exists()


def test_a_second_characteristic_of_the_same_type_is_refused(customer, integrator, api_as):
    # given a process with an ACCT-ID characteristic
    api = api_as(integrator)
    process = {"account_id": customer["account"].pk, "process_type_id": "BILL-DISP", "created_on": "2026-04-01"}
    assert api.put("/api/v1/records/workflow-process/WD-1", process).status_code == 200
    first = {"process_id": "WD-1", "char_type": "ACCT-ID", "value": "1234567890"}
    assert api.put("/api/v1/records/workflow-process-characteristic/C-1", first).status_code == 200
    # when another ACCT-ID characteristic arrives for it under another id
    response = api.put("/api/v1/records/workflow-process-characteristic/C-2", {**first, "value": "0987654321"})
    # then it is refused (not a database error) and the first one stays
    assert response.status_code == 422
    assert response.json()["fields"]["char_type"] == ["Process WD-1 already has a ACCT-ID characteristic (C-1)."]
    assert list(WorkflowProcessCharacteristic.objects.values_list("id", "value")) == [("C-1", "1234567890")]
    # while the same id replaces its value
    assert api.put("/api/v1/records/workflow-process-characteristic/C-1", {**first, "value": "42"}).status_code == 200
    assert WorkflowProcessCharacteristic.objects.get(pk="C-1").value == "42"


def test_characteristics_are_read_through_their_process_account(customer, csr, csr_commercial, integrator, api_as):
    api = api_as(integrator)
    process = {"account_id": customer["account"].pk, "process_type_id": "BILL-DISP", "created_on": "2026-04-01"}
    api.put("/api/v1/records/workflow-process/WD-1", process)
    api.put(
        "/api/v1/records/workflow-process-characteristic/C-1", {"process_id": "WD-1", "char_type": "X", "value": "1"}
    )
    assert api_as(csr).get("/api/v1/records/workflow-process-characteristic/C-1").json()["value"] == "1"
    assert api_as(csr_commercial).get("/api/v1/records/workflow-process-characteristic/C-1").status_code == 404


def test_person_sync_requests_are_read_through_the_selector_and_as_the_person_is(
    customer, csr, csr_commercial, integrator, api_as
):
    # given a person sync request (no account named)
    person_id = customer["person"].pk
    api_as(integrator).put(
        f"{SYNC}/SR-P", {"object_kind": "person", "object_id": person_id, "created_at": "2026-05-04T09:30:00Z"}
    )
    # then the integrator reads it through the selector
    assert [r.pk for r in sync_requests_of_object(user=integrator, object_kind="person", object_id=person_id)] == [
        "SR-P"
    ]
    # a CSR may not use the selector; the generic read shows it to whoever may see the person
    with pytest.raises(AccessDenied):
        sync_requests_of_object(user=csr, object_kind="person", object_id=person_id)
    assert api_as(csr).get(f"{SYNC}/SR-P").status_code == 200
    assert api_as(csr_commercial).get(f"{SYNC}/SR-P").status_code == 404  # Maria's account is residential
    with pytest.raises(ValidationFailed):
        sync_requests_of_object(user=integrator, object_kind="meter", object_id=person_id)


def test_a_premise_only_process_is_read_as_its_premise_is(customer, csr, csr_commercial, integrator, api_as):
    body = {"premise_id": customer["premise"].pk, "process_type_id": "METER-INV", "status": "active"}
    assert (
        api_as(integrator)
        .put("/api/v1/records/workflow-process/WF-P", {**body, "created_on": "2026-05-01"})
        .status_code
        == 200
    )
    assert api_as(csr).get("/api/v1/records/workflow-process/WF-P").status_code == 200
    assert api_as(csr_commercial).get("/api/v1/records/workflow-process/WF-P").status_code == 404
