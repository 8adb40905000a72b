"""/api/v1/todo-entries and /api/v1/todo-summary: list, read, actions, warnings and permissions."""

from __future__ import annotations

from custcare.core.models import AuditEntry
from custcare.todo.models import ToDoEntry
from tests.todo.conftest import entry_make, give_skill, require_skill, state


def test_list_with_filters_and_info(api_as, worker, customer):
    a = entry_make(priority=10, person=customer["person"], message="first")
    b = entry_make(priority=70, message="second")
    entry_make(role="BILLING")  # not visible to a member of CSR-FOLLOWUP only
    api = api_as(worker)
    body = api.get("/api/v1/todo-entries").json()
    assert body["count"] == 2 and [i["id"] for i in body["items"]] == [a.id, b.id]
    assert body["items"][0]["info"] == "Follow up customer contact : first"
    assert body["items"][0]["role"] == "CSR-FOLLOWUP" and body["items"][0]["todo_type"] == "TD-CCCB"
    assert [i["id"] for i in api.get("/api/v1/todo-entries", priority_min=50).json()["items"]] == [b.id]
    assert api.get("/api/v1/todo-entries", status="W").json()["count"] == 0
    assert api.get("/api/v1/todo-entries", limit=1, offset=1).json()["items"][0]["id"] == b.id
    assert api.get("/api/v1/todo-entries", created_from="2000-01-01", todo_type="TD-CCCB").json()["count"] == 2


def test_read_has_log_and_drill_down(api_as, worker, customer):
    entry = entry_make(person=customer["person"])
    api = api_as(worker)
    api.post(f"/api/v1/todo-entries/{entry.id}/log", {"comment": "tried calling"})
    body = api.get(f"/api/v1/todo-entries/{entry.id}").json()
    assert [(log["action"], log["comment"], log["user"]) for log in body["log"]] == [("note", "tried calling", "csr1")]
    assert body["drill_down"] == {
        "kind": "PERSON",
        "id": customer["person"].id,
        "url": f"/persons/{customer['person'].id}/",
    }


def test_take_next_then_complete(api_as, worker):
    entry = entry_make()
    api = api_as(worker)
    taken = api.post("/api/v1/todo-entries/take-next", {})
    assert taken.status_code == 200 and taken.json()["entry"]["id"] == entry.id
    assert taken.json()["entry"]["assigned_to"] == "csr1"
    assert api.post("/api/v1/todo-entries/take-next", {}).json()["entry"] is None
    done = api.post(f"/api/v1/todo-entries/{entry.id}/complete", {"comment": "done"})
    assert done.status_code == 200 and done.json()["status"] == "C"
    again = api.post(f"/api/v1/todo-entries/{entry.id}/complete", {"comment": "again"})
    assert again.status_code == 409 and "complete" in again.json()["message"]


def test_assign_warnings_answer_409_until_override(api_as, worker, colleague):
    require_skill("TD-CCCB", "BILLING", 3)
    give_skill(colleague, "BILLING", 1)
    entry = entry_make()
    api = api_as(worker)
    before = state(entry)
    refused = api.post(f"/api/v1/todo-entries/{entry.id}/assign", {"user": "csr2"})
    assert refused.status_code == 409
    assert refused.json()["warnings"] == ["csr2 has BILLING at level 1; level 3 is required."]
    assert state(entry) == before
    ok = api.post(f"/api/v1/todo-entries/{entry.id}/assign", {"user": "csr2", "override": True})
    assert ok.status_code == 200 and ok.json()["assigned_to"] == "csr2"
    assert "override" in AuditEntry.objects.get(entity_id=entry.id, action="todo-assign").summary


def test_forward_and_send_back(api_as, worker, colleague):
    entry = entry_make(assigned_to=worker)
    api = api_as(worker)
    both = api.post(f"/api/v1/todo-entries/{entry.id}/forward", {"role": "CSR-FOLLOWUP", "user": "csr2"})
    assert both.status_code == 422
    forwarded = api.post(f"/api/v1/todo-entries/{entry.id}/forward", {"user": "csr2"})
    assert forwarded.json()["assigned_to"] == "csr2"
    back = api_as(colleague).post(f"/api/v1/todo-entries/{entry.id}/send-back", {})
    assert back.status_code == 200 and back.json()["assigned_to"] == "csr1"


def test_outsiders_are_refused_and_nothing_changes(api_as, outsider, worker):
    entry = entry_make()
    api = api_as(outsider)
    before = state(entry)
    assert api.get(f"/api/v1/todo-entries/{entry.id}").status_code == 404
    assert api.post(f"/api/v1/todo-entries/{entry.id}/complete", {"comment": "x"}).status_code == 403
    assert api.post(f"/api/v1/todo-entries/{entry.id}/log", {"comment": "x"}).status_code == 403
    assert api.get("/api/v1/todo-entries").json()["count"] == 0
    assert api.get("/api/v1/todo-summary").status_code == 403
    assert api.post("/api/v1/todo-entries/bulk-complete", {"ids": [entry.id], "comment": "x"}).status_code == 403
    assert state(entry) == before


def test_bulk_and_summary_for_a_role_supervisor(api_as, lead, worker):
    entries = [entry_make(todo_type="TD-MANUAL") for _ in range(2)]
    elsewhere = entry_make(role="FIELD")
    api = api_as(lead)
    result = api.post(
        "/api/v1/todo-entries/bulk-forward", {"ids": [e.id for e in entries] + [elsewhere.id], "user": "csr1"}
    )
    assert result.status_code == 200
    assert result.json()["done"] == [e.id for e in entries]
    assert [f["id"] for f in result.json()["failed"]] == [elsewhere.id]
    summary = api.get("/api/v1/todo-summary").json()
    assert summary["total"] == 2 and summary["rows"][0]["role"] == "CSR-FOLLOWUP"
    assert sum(summary["rows"][0]["counts"].values()) == 2
    done = api.post("/api/v1/todo-entries/bulk-complete", {"ids": [e.id for e in entries], "comment": "sorted"})
    assert done.json()["done"] == [e.id for e in entries]
    assert ToDoEntry.objects.filter(status="C").count() == 2


def test_create_a_manual_todo(api_as, worker, customer):
    api = api_as(worker)
    made = api.post(
        "/api/v1/todo-entries", {"todo_type": "TD-MANUAL", "comment": "check", "account_id": customer["account"].id}
    )
    assert made.status_code == 201 and made.json()["account_id"] == customer["account"].id
    refused = api.post("/api/v1/todo-entries", {"todo_type": "TD-CCCB", "comment": "check"})
    assert refused.status_code == 422 and "todo_type" in refused.json()["fields"]
    assert ToDoEntry.objects.count() == 1
