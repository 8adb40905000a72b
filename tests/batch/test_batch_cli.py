"""`custcare batch`: submit and run with a progress bar, refuse bad input having created nothing, and
operate runs (list, show, cancel, restart)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from custcare.batch.launch import SYSTEM_USER
from custcare.batch.models import BatchRun, BatchThread
from custcare.batch.services import batch_run_submit
from custcare.contacts.models import Reminder
from custcare.todo.models import ToDoEntry
from tests.batch.conftest import TODAY, reminders_bulk


def batch(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("batch", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_run_shows_progress_and_the_summary(csr: Any, customer: dict[str, Any]) -> None:
    reminders_bulk(csr, customer, 25)
    out, err = batch(
        "run",
        "TD-CCCB",
        "--process-date",
        "2026-11-23",
        "--threads",
        "2",
        "--chunk-size",
        "4",
        "--param",
        "LEAD-DAYS=1",
    )
    run = BatchRun.objects.get()
    assert run.status == BatchRun.Status.COMPLETE and run.records_processed == 25
    assert run.submitted_by.username == SYSTEM_USER and run.parameters["LEAD-DAYS"] == 1
    assert f"Submitted TD-CCCB run {run.run_number} (id {run.pk}) for 2026-11-23: 2 thread(s), chunk size 4" in out
    assert "Complete · 25 records · 0 errors" in out
    assert out.count("thread ") >= 2 and "keys (" in out
    # the progress bar: the count, the rate and the errors so far
    assert "25 records" in err and "records/s" in err and "errors=0" in err
    assert ToDoEntry.objects.filter(batch_run=run).count() == 25


def test_run_as_a_named_user(csr: Any, customer: dict[str, Any], batch_operator: Any) -> None:
    batch("run", "TD-CCCB", "--process-date", "2026-11-23", "--user", batch_operator.username)
    assert BatchRun.objects.get().submitted_by == batch_operator
    assert not get_user_model().objects.filter(username=SYSTEM_USER).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "--process-date", "2026-11-23"], "Unknown batch control 'NOPE'"),
        (["TD-CCCB", "--process-date", "2026-13-45"], "process_date: '2026-13-45' is not a date"),
        (["TD-CCCB", "--process-date", "2026-11-23", "--threads", "0"], "thread_count: The thread count must be"),
        (["TD-CCCB", "--process-date", "2026-11-23", "--param", "LEAD-DAYS=100"], "parameters.LEAD-DAYS"),
        (["TD-CCCB", "--process-date", "2026-11-23", "--param", "LEAD-DAYS"], "--param expects KEY=VALUE"),
        (["TD-CCCB", "--process-date", "2026-11-23", "--user", "ghost"], "No user 'ghost'"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(
    csr: Any, customer: dict[str, Any], args: list[str], message: str
) -> None:
    reminders_bulk(csr, customer, 3)
    with pytest.raises(CommandError) as exc:
        batch("run", *args)
    assert message in str(exc.value)
    assert BatchRun.objects.count() == 0 and BatchThread.objects.count() == 0
    assert not get_user_model().objects.filter(username=SYSTEM_USER).exists()
    assert Reminder.objects.filter(state="PENDING").count() == 3


def test_list_show_cancel_and_restart(csr: Any, customer: dict[str, Any], batch_operator: Any) -> None:
    reminders_bulk(csr, customer, 5)
    pending = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator, thread_count=2)
    out, _ = batch("list", "--control", "TD-CCCB")
    assert f"{pending.pk:>6}  TD-CCCB" in out and "PENDING" in out
    out, _ = batch("show", str(pending.pk))
    assert "TD-CCCB run 1" in out and "Pending" in out
    with pytest.raises(CommandError, match="No batch run 999999"):
        batch("cancel", "999999")
    out, _ = batch("cancel", str(pending.pk))
    assert "Canceled TD-CCCB run 1" in out
    assert BatchRun.objects.get(pk=pending.pk).status == BatchRun.Status.CANCELED
    with pytest.raises(CommandError, match="only unfinished runs can be restarted"):
        batch("restart", str(pending.pk))
    other = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    out, _ = batch("restart", str(other.pk))
    assert "Restarted TD-CCCB run 2" in out and "Complete · 5 records" in out
    assert ToDoEntry.objects.count() == 5
