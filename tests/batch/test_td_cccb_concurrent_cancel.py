"""TD-CCCB and a CSR canceling a due reminder at the same moment (PostgreSQL: real concurrency)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from custcare.batch.executors import batch_run_execute
from custcare.batch.services import batch_run_submit
from custcare.contacts.models import Reminder
from custcare.todo.models import ToDoEntry
from tests.batch.conftest import TODAY, reminders_bulk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two concurrent writers; runs on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_reminder_canceled_while_the_batch_reads_it_gets_no_todo(csr, customer, batch_operator):
    ids = reminders_bulk(csr, customer, 5)
    victim = ids[2]
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    locked = threading.Event()
    release = threading.Event()

    def csr_cancels() -> None:
        try:
            with transaction.atomic():
                Reminder.objects.select_for_update().filter(pk=victim).update(state=Reminder.State.CANCELED)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    canceller = threading.Thread(target=csr_cancels)
    canceller.start()
    assert locked.wait(10)
    result: dict[str, object] = {}

    def batch() -> None:
        try:
            result["run"] = batch_run_execute(run_id=run.pk)
        finally:
            connections.close_all()

    runner = threading.Thread(target=batch)
    runner.start()
    time.sleep(1.0)  # the batch is now waiting for the CSR's row lock
    assert runner.is_alive()
    release.set()
    canceller.join(10)
    runner.join(30)
    assert result["run"].records_processed == 4
    assert Reminder.objects.get(pk=victim).state == Reminder.State.CANCELED
    assert not ToDoEntry.objects.filter(reminder_id=victim).exists()
    assert ToDoEntry.objects.filter(reminder_id__in=ids).count() == 4
