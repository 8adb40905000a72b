"""The To Do pages through the Django test client: worklist, take next, entry actions with the skill
warning and its confirm, supervisor summary and bulk work."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from custcare.core.models import AuditEntry
from custcare.todo.models import ToDoEntry
from tests.todo.conftest import entry_make, give_skill, require_skill, state

HTMX = {"HX-Request": "true"}


@pytest.fixture
def browser(worker):
    client = Client()
    client.force_login(worker)
    return client


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_todo_pages_need_a_login(db, client):
    for url in ("/todo/", "/todo/summary/", "/todo/bulk/", "/todo/0000000001/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_worklist_shows_entries_by_priority_with_info_and_take_next(browser, worker, customer):
    low = entry_make(priority=80, message="low one")
    high = entry_make(priority=5, message="urgent one", person=customer["person"])
    html = browser.get("/todo/").content.decode()
    assert html.index(high.id) < html.index(low.id)
    assert "Follow up customer contact : urgent one" in html
    assert 'action="/todo/take-next/"' in html and "Take next" in html
    assert '<label for="id_scope">' in html and '<label for="id_todo_type">' in html
    partial = browser.get("/todo/", {"scope": "mine"}, headers=HTMX).content.decode()
    assert "<html" not in partial and "Nothing in your worklist" in partial


def test_worklist_query_count_is_flat(browser, worker, django_assert_max_num_queries):
    for i in range(25):
        entry_make(priority=i + 1)
    with django_assert_max_num_queries(14):
        assert browser.get("/todo/").status_code == 200


def test_take_next_opens_the_entry(browser, worker):
    entry = entry_make()
    response = browser.post("/todo/take-next/")
    assert response.status_code == 302 and response["Location"] == reverse("todo:entry", args=[entry.id])
    assert ToDoEntry.objects.get(pk=entry.pk).assigned_to == worker
    empty = browser.post("/todo/take-next/", follow=True)
    assert b"Nothing to take" in empty.content


def test_entry_page_links_to_the_customer(browser, customer):
    entry = entry_make(person=customer["person"], account=customer["account"])
    html = browser.get(f"/todo/{entry.id}/").content.decode()
    assert reverse("web:person", args=[customer["person"].id]) in html
    assert reverse("web:account", args=[customer["account"].id]) in html
    for form in ("assign", "forward", "send-back", "note", "complete"):
        assert f'action="/todo/{entry.id}/{form}/"' in html


def test_entry_of_an_account_outside_the_access_groups_is_404(csr_commercial, customer, todo_config):
    from tests.todo.conftest import member

    member(csr_commercial)
    entry = entry_make(account=customer["account"])
    assert _login(csr_commercial).get(f"/todo/{entry.id}/").status_code == 404


def test_assign_without_the_skill_asks_for_confirmation_then_assigns(browser, colleague):
    require_skill("TD-CCCB", "BILLING", 2)
    give_skill(colleague, "BILLING", 1)
    entry = entry_make()
    before = state(entry)
    response = browser.post(f"/todo/{entry.id}/assign/", {"user": "csr2", "comment": ""})
    html = response.content.decode()
    assert response.status_code == 409 and "level 2 is required" in html and "Assign anyway" in html
    assert state(entry) == before
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["user"] == "csr2" and hidden["override"] == "True"
    confirmed = browser.post(f"/todo/{entry.id}/assign/", {"user": "csr2", "override": "True", "comment": ""})
    assert confirmed.status_code == 302
    assert ToDoEntry.objects.get(pk=entry.pk).assigned_to == colleague
    assert AuditEntry.objects.filter(entity_id=entry.id, action="todo-assign", summary__contains="override").exists()


def test_note_forward_send_back_and_complete(browser, worker, colleague):
    entry = entry_make(assigned_to=worker)
    assert browser.post(f"/todo/{entry.id}/note/", {"note-comment": "left a message"}).status_code == 302
    assert browser.post(f"/todo/{entry.id}/forward/", {"role": "", "user": "csr2"}).status_code == 302
    assert _login(colleague).post(f"/todo/{entry.id}/send-back/", {"back-comment": ""}).status_code == 302
    refused = browser.post(f"/todo/{entry.id}/complete/", {"done-comment": ""})
    assert refused.status_code == 422 and b"Nothing was saved" in refused.content
    assert browser.post(f"/todo/{entry.id}/complete/", {"done-comment": "sorted"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.completed_by, entry.completion_comment) == ("C", worker, "sorted")
    assert list(entry.log.values_list("action", flat=True)) == ["note", "forward", "send-back", "complete"]
    page = browser.get(f"/todo/{entry.id}/").content.decode()
    assert f'action="/todo/{entry.id}/complete/"' not in page  # completed: no more actions


def test_outsider_actions_are_refused(outsider, worker):
    entry = entry_make()
    before = state(entry)
    client = _login(outsider)
    assert client.get(f"/todo/{entry.id}/").status_code == 404
    assert client.post(f"/todo/{entry.id}/complete/", {"done-comment": "x"}).status_code == 404
    assert state(entry) == before


def test_summary_and_bulk_for_a_role_supervisor(lead, worker):
    entries = [entry_make(priority=5), entry_make(priority=60)]
    client = _login(lead)
    summary = client.get("/todo/summary/").content.decode()
    assert "CSR-FOLLOWUP" in summary and "1–20" in summary and "51–100" in summary
    bulk = client.get("/todo/bulk/").content.decode()
    assert all(f'value="{e.id}"' in bulk for e in entries) and 'aria-label="Select To Do' in bulk
    done = client.post("/todo/bulk/", {"ids": [e.id for e in entries], "action": "complete", "comment": "dupes"})
    assert done.status_code == 200 and b"2 entries done, 0 refused" in done.content
    assert ToDoEntry.objects.filter(status="C").count() == 2
    assert _login(worker).get("/todo/summary/").status_code == 403
