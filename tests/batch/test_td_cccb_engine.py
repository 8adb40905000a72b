"""The batch engine and TD-CCCB at the service level: chunks, checkpoints, idempotence, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchError, BatchRun, BatchThread
from custcare.batch.services import batch_run_restart, batch_run_submit
from custcare.contacts.models import ContactLogEntry, ContactType, Reminder
from custcare.contacts.services import customer_contact_add
from custcare.core.errors import ValidationFailed
from custcare.todo.models import ToDoEntry, ToDoRole

TODAY = dt.date(2026, 11, 23)


def _reminders(csr, customer, n: int, *, trigger: dt.date, to_user=None, role: str | None = "CSR-FOLLOWUP"):
    ctype = ContactType.objects.get(contact_class_id="INQ", type_code="PAYARR")
    contact = customer_contact_add(
        user=csr,
        contact_type_id=ctype.id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
    )
    out = []
    for i in range(n):
        log = ContactLogEntry.objects.create(contact=contact, user=csr, comment=f"call back {i}")
        out.append(
            Reminder.objects.create(
                contact=contact,
                log_entry=log,
                trigger_date=trigger,
                comment=f"call back {i}",
                send_to_user=to_user,
                send_to_role=None if to_user else ToDoRole.objects.get(code=role),
                created_by=csr,
            )
        )
    return out


@pytest.fixture
def operator(batch_operator):
    return batch_operator


def test_due_reminders_become_one_todo_each_in_chunks(csr, customer, operator):
    due = _reminders(csr, customer, 7, trigger=TODAY)
    later = _reminders(csr, customer, 2, trigger=TODAY + dt.timedelta(days=3))
    mine = _reminders(csr, customer, 1, trigger=TODAY - dt.timedelta(days=1), to_user=csr)
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator, thread_count=2, chunk_size=3)
    run = batch_run_execute(run_id=run.pk)
    assert run.status == BatchRun.Status.COMPLETE, run.message
    assert run.records_processed == 8
    entries = ToDoEntry.objects.filter(batch_run=run)
    assert entries.count() == 8
    assert {e.reminder_id for e in entries} == {r.id for r in due + mine}
    open_for_role = entries.filter(status=ToDoEntry.Status.OPEN, role_id="CSR-FOLLOWUP", assigned_to=None)
    assert open_for_role.count() == 7
    assigned = entries.get(reminder=mine[0])
    assert assigned.status == ToDoEntry.Status.BEING_WORKED_ON and assigned.assigned_to == csr
    assert assigned.contact_id == mine[0].contact_id and assigned.account_id == customer["account"].id
    assert all(len(e.id) == 10 for e in entries)
    assert set(Reminder.objects.filter(pk__in=[r.id for r in later]).values_list("state", flat=True)) == {"PENDING"}
    assert Reminder.objects.filter(state="SENT").count() == 8
    assert sum(run.threads.values_list("chunks_done", flat=True)) >= 3


def test_a_second_run_for_the_same_date_creates_nothing(csr, customer, operator):
    _reminders(csr, customer, 4, trigger=TODAY)
    first = batch_run_execute(run_id=batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator).pk)
    second = batch_run_execute(run_id=batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator).pk)
    assert (first.run_number + 1, first.records_processed, second.records_processed) == (second.run_number, 4, 0)
    assert ToDoEntry.objects.count() == 4


def test_lead_days_bring_reminders_forward(csr, customer, operator):
    _reminders(csr, customer, 2, trigger=TODAY + dt.timedelta(days=2))
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator, parameters={"LEAD-DAYS": 2})
    assert batch_run_execute(run_id=run.pk).records_processed == 2


def test_inactive_user_reminders_are_reported_not_dropped(csr, customer, operator, supervisor):
    supervisor.is_active = False
    supervisor.save()
    (bad,) = _reminders(csr, customer, 1, trigger=TODAY, to_user=supervisor)
    _reminders(csr, customer, 1, trigger=TODAY)
    run = batch_run_execute(run_id=batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator).pk)
    assert run.status == BatchRun.Status.COMPLETE and run.records_processed == 1 and run.error_count == 1
    error = BatchError.objects.get(run=run)
    assert error.record_key == str(bad.id) and "no longer active" in error.message
    bad.refresh_from_db()
    assert bad.state == "PENDING"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"control_code": "NOPE"}, "control"),
        ({"process_date": "2026-13-45"}, "process_date"),
        ({"thread_count": 0}, "thread_count"),
        ({"parameters": {"LEAD-DAYS": 100}}, "parameters.LEAD-DAYS"),
    ],
)
def test_bad_submissions_are_refused_and_start_nothing(operator, kwargs, field):
    args = {"control_code": "TD-CCCB", "process_date": TODAY, "user": operator, **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        batch_run_submit(**args)
    assert field in exc.value.fields
    assert BatchRun.objects.count() == 0


def test_a_failed_run_restarts_from_its_checkpoint(csr, customer, operator, monkeypatch):
    _reminders(csr, customer, 6, trigger=TODAY)
    from custcare.todo.batch import ToDoForCustomerContact

    original = ToDoForCustomerContact.process_chunk
    calls = {"n": 0}

    def failing(self, lo, hi):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return original(self, lo, hi)

    monkeypatch.setattr(ToDoForCustomerContact, "process_chunk", failing)
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=operator, chunk_size=2)
    run = batch_run_execute(run_id=run.pk)
    assert run.status == BatchRun.Status.ERROR and "database went away" in run.message
    assert ToDoEntry.objects.count() == 2
    thread = BatchThread.objects.get(run=run)
    batch_run_restart(run_id=run.pk, user=operator)
    run = batch_run_execute(run_id=run.pk)
    assert run.status == BatchRun.Status.COMPLETE and run.attempts == 2
    assert ToDoEntry.objects.count() == 6 and run.records_processed == 6
    thread.refresh_from_db()
    assert thread.chunks_done == 3
