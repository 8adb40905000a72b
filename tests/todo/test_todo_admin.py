"""The To Do admin: configuration pages work and are audited; entries are read-only."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from custcare.core.models import AuditEntry
from custcare.todo.models import ToDoRole
from tests.todo.conftest import entry_make


def _superuser_client() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-2026")
    client = Client()
    client.force_login(user)
    return client


def test_admin_pages_load_and_entries_are_read_only(todo_config, worker):
    entry = entry_make()
    client = _superuser_client()
    for url in (
        "/admin/todo/todorole/",
        "/admin/todo/todorole/CSR-FOLLOWUP/change/",
        "/admin/todo/todotype/TD-CCCB/change/",
        "/admin/todo/skilltype/",
        "/admin/todo/userskill/",
        "/admin/todo/todoentry/",
        f"/admin/todo/todoentry/{entry.id}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/todo/todoentry/add/").status_code == 403
    page = client.get(f"/admin/todo/todoentry/{entry.id}/change/").content.decode()
    assert 'name="priority"' not in page


def test_adding_a_role_in_the_admin_is_audited(todo_config):
    client = _superuser_client()
    response = client.post(
        "/admin/todo/todorole/add/",
        {
            "code": "METER",
            "description": "Meter readers",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert ToDoRole.objects.filter(code="METER").exists()
    assert AuditEntry.objects.filter(entity_type="todo.todorole", entity_id="METER", action="add").exists()


def test_send_back_needs_no_body(api_as, worker):
    entry = entry_make(assigned_to=worker)
    api = api_as(worker)
    response = api.client.post(
        f"/api/v1/todo-entries/{entry.id}/send-back", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "O"
