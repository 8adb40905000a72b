"""Step 1.9: completing the To Do that TD-CCCB made from a reminder resolves the reminder and logs it
on the customer contact, in the same transaction as the completion."""

from __future__ import annotations

import datetime as dt

import pytest

from custcare.batch.executors import batch_run_execute
from custcare.batch.services import batch_run_submit
from custcare.contacts.models import ContactLogEntry, ContactType, Reminder
from custcare.contacts.services import customer_contact_add
from custcare.core.errors import ValidationFailed
from custcare.todo.models import ToDoEntry, ToDoRole
from custcare.todo.services import todo_complete, todo_take_next

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def reminder_todo(worker, customer, batch_operator):
    ctype = ContactType.objects.get(contact_class_id="INQ", type_code="PAYARR")
    contact = customer_contact_add(
        user=worker,
        contact_type_id=ctype.id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
    )
    log = ContactLogEntry.objects.create(contact=contact, user=worker, comment="promised a call back")
    reminder = Reminder.objects.create(
        contact=contact,
        log_entry=log,
        trigger_date=TODAY,
        comment="call back about the arrangement",
        send_to_role=ToDoRole.objects.get(code="CSR-FOLLOWUP"),
        created_by=worker,
    )
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    assert batch_run_execute(run_id=run.pk).records_processed == 1
    return reminder


def test_completing_the_reminders_todo_resolves_it_and_logs_on_the_contact(worker, reminder_todo):
    entry = todo_take_next(user=worker)
    assert entry is not None and entry.reminder_id == reminder_todo.id
    todo_complete(entry_id=entry.id, user=worker, comment="called, arrangement confirmed")
    reminder_todo.refresh_from_db()
    assert reminder_todo.state == Reminder.State.RESOLVED
    log = ContactLogEntry.objects.filter(contact=reminder_todo.contact).latest("id")
    assert log.comment == f"Reminder resolved (To Do {entry.id} completed): called, arrangement confirmed"
    assert log.user == worker and log.changes == {"reminder": reminder_todo.id, "todo_entry": entry.id}


def test_a_refused_completion_leaves_the_reminder_sent(worker, reminder_todo):
    entry = ToDoEntry.objects.get(reminder=reminder_todo)
    logs = ContactLogEntry.objects.count()
    with pytest.raises(ValidationFailed):
        todo_complete(entry_id=entry.id, user=worker, comment="")
    reminder_todo.refresh_from_db()
    assert reminder_todo.state == Reminder.State.SENT and ContactLogEntry.objects.count() == logs
    assert ToDoEntry.objects.get(pk=entry.pk).status == ToDoEntry.Status.OPEN
