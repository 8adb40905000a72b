"""TD-CCCB turns logged reminders into To Do entries; completing the To Do resolves the reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchRun
from custcare.batch.services import batch_run_submit
from custcare.contacts.models import ContactLogEntry, Reminder
from custcare.contacts.selectors import reminder_list_for_contact
from custcare.contacts.services import reminder_cancel, reminder_log, reminder_resolve, reminder_update
from custcare.core.errors import Conflict
from custcare.todo.models import ToDoEntry


def _run(operator, date: dt.date) -> BatchRun:
    run = batch_run_submit(control_code="TD-CCCB", process_date=date, user=operator)
    return batch_run_execute(run_id=run.pk)


def test_due_reminders_become_todo_entries_for_their_recipient(contact, csr, supervisor, batch_operator):
    today = timezone.localdate()
    for_role = reminder_log(contact=contact, user=csr, send_to_role="BILLING", trigger_date=today, comment="role")
    for_user = reminder_log(contact=contact, user=csr, send_to_user=supervisor, trigger_date=today, comment="user")
    later = reminder_log(
        contact=contact, user=csr, send_to_role="BILLING", trigger_date=today + dt.timedelta(days=2), comment="later"
    )
    canceled = reminder_log(contact=contact, user=csr, send_to_role="BILLING", trigger_date=today, comment="no")
    reminder_cancel(reminder_id=canceled.pk, user=csr)

    run = _run(batch_operator, today)

    assert run.status == BatchRun.Status.COMPLETE and run.records_processed == 2
    role_todo = ToDoEntry.objects.get(reminder=for_role)
    assert (role_todo.status, role_todo.role_id, role_todo.assigned_to) == ("O", "BILLING", None)
    assert (role_todo.contact, role_todo.todo_type_id) == (contact, "TD-CCCB")
    user_todo = ToDoEntry.objects.get(reminder=for_user)
    assert (user_todo.status, user_todo.assigned_to) == ("W", supervisor)
    states = {r.pk: r.state for r in reminder_list_for_contact(contact_id=contact.pk, user=csr)}
    assert states == {for_role.pk: "SENT", for_user.pk: "SENT", later.pk: "PENDING", canceled.pk: "CANCELED"}
    assert not ToDoEntry.objects.filter(reminder__in=[later, canceled]).exists()


def test_lead_days_reach_a_reminder_logged_for_later(contact, csr, batch_operator):
    today = timezone.localdate()
    reminder = reminder_log(
        contact=contact, user=csr, send_to_role="BILLING", trigger_date=today + dt.timedelta(days=3), comment="x"
    )
    run = batch_run_submit(control_code="TD-CCCB", process_date=today, user=batch_operator, parameters={"LEAD-DAYS": 3})
    assert batch_run_execute(run_id=run.pk).records_processed == 1
    assert ToDoEntry.objects.filter(reminder=reminder).count() == 1


def test_once_the_todo_exists_the_reminder_is_fixed(contact, csr, batch_operator):
    today = timezone.localdate()
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", trigger_date=today, comment="x")
    _run(batch_operator, today)
    with pytest.raises(Conflict) as exc:
        reminder_update(reminder_id=reminder.pk, user=csr, comment="too late")
    assert "To Do entry has been created" in exc.value.message
    with pytest.raises(Conflict):
        reminder_cancel(reminder_id=reminder.pk, user=csr)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.comment) == ("SENT", "x")


def test_resolving_shows_on_the_contact(contact, csr, batch_operator):
    today = timezone.localdate()
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", trigger_date=today, comment="x")
    _run(batch_operator, today)
    todo = ToDoEntry.objects.get(reminder=reminder)
    reminder_resolve(reminder_id=reminder.pk, user=csr, comment="paid", todo_entry_id=todo.pk)
    (row,) = reminder_list_for_contact(contact_id=contact.pk, user=csr)
    assert row.state == "RESOLVED" and row.todo_entry.pk == todo.pk
    assert ContactLogEntry.objects.filter(contact=contact, kind="SYS", comment__contains=todo.pk).exists()
    assert Reminder.objects.get(pk=reminder.pk).state == "RESOLVED"
