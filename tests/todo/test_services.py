"""The To Do services: each action, who may take it, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from custcare.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from custcare.core.models import AuditEntry
from custcare.todo.models import ToDoEntry, ToDoLog
from custcare.todo.services import (
    AssignmentWarnings,
    todo_assign,
    todo_bulk_complete,
    todo_bulk_forward,
    todo_complete,
    todo_create,
    todo_forward,
    todo_log_add,
    todo_priority_set,
    todo_send_back,
    todo_take_next,
)
from tests.todo.conftest import entry_make, give_skill, require_skill, state

S = ToDoEntry.Status
DAY = dt.timedelta(days=1)


# create


def test_create_a_manual_todo_for_the_types_role_linked_to_the_customer(worker, customer):
    entry = todo_create(
        todo_type_code="TD-MANUAL", user=worker, comment="Check the meter read", person_id=customer["person"].id
    )
    entry.refresh_from_db()
    assert (entry.status, entry.role_id, entry.priority, entry.created_by) == (S.OPEN, "CSR-FOLLOWUP", 60, worker)
    assert entry.person_id == customer["person"].id and entry.message == "Check the meter read"
    assert list(entry.log.values_list("action", flat=True)) == ["create"]
    assert AuditEntry.objects.filter(entity_id=entry.id, action="todo-create").count() == 1


def test_create_for_a_user_starts_being_worked_on(worker, colleague):
    entry = todo_create(todo_type_code="TD-MANUAL", user=worker, comment="please call", assign_to="csr2")
    assert (entry.status, entry.assigned_to, entry.sent_by) == (S.BEING_WORKED_ON, colleague, worker)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"todo_type_code": "TD-CCCB"}, "todo_type"),
        ({"todo_type_code": "NOPE"}, "todo_type"),
        ({"comment": "  "}, "comment"),
        ({"role_code": "BILLING"}, "role"),
        ({"priority": 0}, "priority"),
    ],
)
def test_create_refusals_change_nothing(worker, kwargs, field):
    args = {"todo_type_code": "TD-MANUAL", "user": worker, "comment": "do it", **kwargs}
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        todo_create(**args)
    assert field in exc.value.fields
    assert ToDoEntry.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_create_refuses_a_customer_outside_the_creators_access_groups(customer, csr_commercial, todo_config):
    with pytest.raises(NotFound):
        todo_create(todo_type_code="TD-MANUAL", user=csr_commercial, comment="x", account_id=customer["account"].id)
    assert ToDoEntry.objects.count() == 0


# take next


def test_take_next_takes_the_highest_priority_then_the_oldest(worker):
    entry_make(priority=50, age=10 * DAY)
    newer_urgent = entry_make(priority=10, age=DAY)
    older_urgent = entry_make(priority=10, age=2 * DAY)
    entry_make(priority=5, role="BILLING")  # not worker's role
    taken = todo_take_next(user=worker)
    assert taken == older_urgent
    taken.refresh_from_db()
    assert (taken.status, taken.assigned_to, taken.assigned_at is not None) == (S.BEING_WORKED_ON, worker, True)
    assert taken.log.get().action == "take"
    assert AuditEntry.objects.filter(entity_id=taken.id, action="todo-take").count() == 1
    assert todo_take_next(user=worker) == newer_urgent


def test_take_next_skips_entries_whose_skills_the_user_lacks(worker):
    require_skill("TD-MANUAL", "BILLING", 2)
    skilled = entry_make(todo_type="TD-MANUAL", priority=1)
    plain = entry_make(priority=90)
    give_skill(worker, "BILLING", 1)
    assert todo_take_next(user=worker) == plain
    give_skill(worker, "BILLING", 2)
    assert todo_take_next(user=worker) == skilled


def test_take_next_gives_nothing_outside_the_users_roles(outsider, worker):
    entry_make()
    assert todo_take_next(user=outsider) is None
    assert ToDoEntry.objects.get().status == S.OPEN


def test_take_next_skips_entries_of_accounts_the_user_may_not_see(customer, todo_config, csr_commercial):
    from tests.todo.conftest import member

    member(csr_commercial)
    entry_make(account=customer["account"], priority=1)  # RES account
    visible = entry_make(priority=50)
    assert todo_take_next(user=csr_commercial) == visible


# assign, forward, send back


def test_assign_to_a_user_with_the_skills(worker, colleague):
    require_skill("TD-CCCB", "BILLING", 2)
    give_skill(colleague, "BILLING", 3)
    entry = entry_make()
    todo_assign(entry_id=entry.id, assignee="csr2", user=worker)
    entry.refresh_from_db()
    assert (entry.status, entry.assigned_to, entry.sent_by) == (S.BEING_WORKED_ON, colleague, worker)
    assert entry.log.get().details == {"to_user": "csr2"}


def test_assign_without_the_skill_warns_and_changes_nothing_until_overridden(worker, colleague):
    require_skill("TD-CCCB", "BILLING", 2)
    give_skill(colleague, "BILLING", 1)
    entry = entry_make()
    before = state(entry)
    with pytest.raises(AssignmentWarnings) as exc:
        todo_assign(entry_id=entry.id, assignee="csr2", user=worker)
    assert exc.value.warnings == ["csr2 has BILLING at level 1; level 2 is required."]
    assert state(entry) == before
    todo_assign(entry_id=entry.id, assignee="csr2", user=worker, override=True)
    entry.refresh_from_db()
    assert entry.assigned_to == colleague
    log = entry.log.get()
    assert log.details["override"] is True and log.details["warnings"] == exc.value.warnings
    audit = AuditEntry.objects.get(entity_id=entry.id, action="todo-assign")
    assert audit.username == "csr1" and "override" in audit.summary and "BILLING" in audit.summary


def test_assign_to_an_unknown_or_inactive_user_is_refused(worker, colleague):
    entry = entry_make()
    colleague.is_active = False
    colleague.save()
    before = state(entry)
    for who in ("nobody", "csr2"):
        with pytest.raises(ValidationFailed) as exc:
            todo_assign(entry_id=entry.id, assignee=who, user=worker)
        assert "user" in exc.value.fields
    assert state(entry) == before


def test_forward_to_a_role_opens_it_again_unassigned(worker):
    entry = entry_make(assigned_to=worker, todo_type="TD-MANUAL")
    entry.todo_type.allowed_roles.add("BILLING")
    todo_forward(entry_id=entry.id, user=worker, role_code="BILLING", comment="billing question")
    entry.refresh_from_db()
    assert (entry.status, entry.role_id, entry.assigned_to, entry.sent_by) == (S.OPEN, "BILLING", None, worker)
    assert entry.log.get().comment == "billing question"


def test_forward_to_a_role_that_does_not_handle_the_type_is_refused(worker):
    entry = entry_make(assigned_to=worker)
    before = state(entry)
    with pytest.raises(ValidationFailed) as exc:
        todo_forward(entry_id=entry.id, user=worker, role_code="FIELD")
    assert "role" in exc.value.fields and state(entry) == before


def test_forward_to_a_user_warns_like_assign(worker, colleague):
    require_skill("TD-CCCB", "LANG-ES", 1)
    entry = entry_make(assigned_to=worker)
    with pytest.raises(AssignmentWarnings):
        todo_forward(entry_id=entry.id, user=worker, to_user="csr2")
    todo_forward(entry_id=entry.id, user=worker, to_user="csr2", override=True)
    entry.refresh_from_db()
    assert (entry.assigned_to, entry.sent_by) == (colleague, worker)


def test_send_back_returns_to_the_sender_then_to_the_role(worker, colleague):
    entry = entry_make(assigned_to=worker)
    todo_forward(entry_id=entry.id, user=worker, to_user="csr2")
    todo_send_back(entry_id=entry.id, user=colleague, comment="not mine")
    entry.refresh_from_db()
    assert (entry.status, entry.assigned_to, entry.sent_by) == (S.BEING_WORKED_ON, worker, colleague)
    other = entry_make(assigned_to=worker)
    todo_send_back(entry_id=other.id, user=worker)
    other.refresh_from_db()
    assert (other.status, other.assigned_to) == (S.OPEN, None)
    before = state(other)
    with pytest.raises(Conflict):
        todo_send_back(entry_id=other.id, user=worker)
    assert state(other) == before


# note, complete, immutability, permissions


def test_log_note_appends_to_the_log(worker):
    entry = entry_make()
    log = todo_log_add(entry_id=entry.id, user=worker, comment="left a voicemail")
    assert (log.action, log.comment, log.user) == ("note", "left a voicemail", worker)
    with pytest.raises(ValidationFailed):
        todo_log_add(entry_id=entry.id, user=worker, comment=" ")
    assert entry.log.count() == 1


def test_complete_needs_a_comment_and_then_the_entry_never_changes(worker, colleague):
    entry = entry_make(assigned_to=worker)
    before = state(entry)
    with pytest.raises(ValidationFailed) as exc:
        todo_complete(entry_id=entry.id, user=worker, comment="")
    assert "comment" in exc.value.fields and state(entry) == before
    todo_complete(entry_id=entry.id, user=worker, comment="customer called back, sorted")
    entry.refresh_from_db()
    assert (entry.status, entry.completed_by, entry.completion_comment) == (
        S.COMPLETE,
        worker,
        "customer called back, sorted",
    )
    done = state(entry)
    attempts = [
        lambda: todo_complete(entry_id=entry.id, user=worker, comment="again"),
        lambda: todo_assign(entry_id=entry.id, assignee="csr2", user=worker),
        lambda: todo_forward(entry_id=entry.id, user=worker, role_code="CSR-FOLLOWUP"),
        lambda: todo_send_back(entry_id=entry.id, user=worker),
        lambda: todo_log_add(entry_id=entry.id, user=worker, comment="late note"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    assert state(entry) == done


def test_users_outside_the_role_may_not_work_the_entry(outsider, worker):
    entry = entry_make()
    before = state(entry)
    attempts = [
        lambda: todo_assign(entry_id=entry.id, assignee="csr9", user=outsider),
        lambda: todo_forward(entry_id=entry.id, user=outsider, role_code="BILLING"),
        lambda: todo_log_add(entry_id=entry.id, user=outsider, comment="hi"),
        lambda: todo_complete(entry_id=entry.id, user=outsider, comment="done"),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDenied):
            attempt()
    assert state(entry) == before


def test_the_assignee_outside_the_role_and_a_supervisor_may_work_it(outsider, supervisor, worker):
    entry = entry_make(role="BILLING", assigned_to=outsider)
    todo_log_add(entry_id=entry.id, user=outsider, comment="on it")
    todo_complete(entry_id=entry.id, user=supervisor, comment="closed by the supervisor")
    assert ToDoEntry.objects.get(pk=entry.pk).completed_by == supervisor


def test_an_entry_of_an_account_outside_the_users_access_groups_does_not_exist_for_them(customer, csr_commercial):
    from tests.todo.conftest import member

    member(csr_commercial)
    entry = entry_make(account=customer["account"])
    before = state(entry)
    with pytest.raises(NotFound):
        todo_complete(entry_id=entry.id, user=csr_commercial, comment="done")
    assert state(entry) == before


# priority and bulk


def test_priority_override_is_for_supervisors(worker, lead):
    entry = entry_make(priority=50)
    with pytest.raises(AccessDenied):
        todo_priority_set(entry_id=entry.id, user=worker, priority=5)
    with pytest.raises(ValidationFailed):
        todo_priority_set(entry_id=entry.id, user=lead, priority=101)
    assert ToDoEntry.objects.get(pk=entry.pk).priority == 50
    todo_priority_set(entry_id=entry.id, user=lead, priority=5, comment="regulator complaint")
    assert ToDoEntry.objects.get(pk=entry.pk).priority == 5
    assert entry.log.get().details == {"from": 50, "to": 5}


def test_bulk_forward_commits_what_it_can_and_reports_the_rest(lead, worker):
    ok1, ok2 = entry_make(todo_type="TD-MANUAL"), entry_make(todo_type="TD-MANUAL")
    ok1.todo_type.allowed_roles.add("BILLING")
    done = entry_make(todo_type="TD-MANUAL")
    todo_complete(entry_id=done.id, user=worker, comment="done")
    elsewhere = entry_make(role="FIELD", todo_type="TD-MANUAL")
    result = todo_bulk_forward(
        entry_ids=[ok1.id, ok2.id, done.id, elsewhere.id, "NOSUCH"], user=lead, role_code="BILLING"
    )
    assert result.done == [ok1.id, ok2.id]
    assert set(result.failed) == {done.id, elsewhere.id, "NOSUCH"}
    assert "complete" in result.failed[done.id] and "supervise" in result.failed[elsewhere.id]
    assert set(ToDoEntry.objects.filter(role_id="BILLING").values_list("id", flat=True)) == {ok1.id, ok2.id}
    assert ToDoEntry.objects.get(pk=elsewhere.pk).role_id == "FIELD"


def test_bulk_complete_is_for_supervisors_only(worker, lead):
    entries = [entry_make(), entry_make()]
    with pytest.raises(AccessDenied):
        todo_bulk_complete(entry_ids=[e.id for e in entries], user=worker, comment="mass close")
    assert ToDoEntry.objects.filter(status=S.COMPLETE).count() == 0
    result = todo_bulk_complete(entry_ids=[e.id for e in entries], user=lead, comment="duplicates of one issue")
    assert result.done == [e.id for e in entries] and result.failed == {}
    assert ToDoEntry.objects.filter(status=S.COMPLETE, completed_by=lead).count() == 2
    assert ToDoLog.objects.filter(action="complete").count() == 2
