"""The scheduler submits each due schedule once per day, for the day's process date."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from custcare.batch.launch import batch_system_user_ensure
from custcare.batch.models import BatchRun, BatchSchedule
from custcare.batch.scheduler import batch_schedules_submit_due
from custcare.todo.models import ToDoEntry
from tests.batch.conftest import TODAY, reminders_bulk


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def nightly(reference: None) -> BatchSchedule:
    return BatchSchedule.objects.create(control_id="TD-CCCB", time_of_day=dt.time(1, 30), thread_count=2,
                                        parameters={"LEAD-DAYS": 1})  # fmt: skip


def test_a_due_schedule_is_submitted_once_a_day(nightly: BatchSchedule, batch_operator: Any) -> None:
    assert TODAY.isoweekday() == 1
    assert batch_schedules_submit_due(user=batch_operator, now=at(TODAY, 1, 0)).submitted == []  # not yet
    first = batch_schedules_submit_due(user=batch_operator, now=at(TODAY, 1, 30))
    (run,) = first.submitted
    assert (run.control_id, run.process_date, run.thread_count, run.parameters) == (
        "TD-CCCB", TODAY, 2, {"LEAD-DAYS": 1}
    )  # fmt: skip
    assert run.status == BatchRun.Status.PENDING and run.submitted_by == batch_operator
    assert batch_schedules_submit_due(user=batch_operator, now=at(TODAY, 23, 59)).submitted == []
    nightly.refresh_from_db()
    assert nightly.last_submitted_for == TODAY and BatchRun.objects.count() == 1
    tomorrow = TODAY + dt.timedelta(days=1)
    (second,) = batch_schedules_submit_due(user=batch_operator, now=at(tomorrow, 2)).submitted
    assert second.process_date == tomorrow and second.run_number == run.run_number + 1


def test_weekdays_and_disabled_schedules_are_respected(nightly: BatchSchedule, batch_operator: Any) -> None:
    nightly.weekdays = "67"
    nightly.save()
    assert batch_schedules_submit_due(user=batch_operator, now=at(TODAY, 3)).submitted == []
    saturday = TODAY + dt.timedelta(days=5)
    assert len(batch_schedules_submit_due(user=batch_operator, now=at(saturday, 3)).submitted) == 1
    BatchSchedule.objects.filter(pk=nightly.pk).update(enabled=False, last_submitted_for=None)
    assert batch_schedules_submit_due(user=batch_operator, now=at(saturday, 4)).submitted == []


def test_a_refused_schedule_is_reported_and_not_marked(nightly: BatchSchedule, batch_operator: Any) -> None:
    nightly.parameters = {"LEAD-DAYS": 100}
    nightly.save()
    result = batch_schedules_submit_due(user=batch_operator, now=at(TODAY, 3))
    assert result.submitted == [] and len(result.refused) == 1
    assert "LEAD-DAYS" in result.refused[0][1]
    nightly.refresh_from_db()
    assert nightly.last_submitted_for is None and BatchRun.objects.count() == 0


def test_scheduler_once_submits_and_runs_what_is_due(csr: Any, customer: dict[str, Any]) -> None:
    reminders_bulk(csr, customer, 4, trigger=timezone.localdate())
    BatchSchedule.objects.create(control_id="TD-CCCB", time_of_day=dt.time(0, 0))
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out, stderr=io.StringIO())
    run = BatchRun.objects.get()
    assert run.status == BatchRun.Status.COMPLETE and run.process_date == timezone.localdate()
    assert run.submitted_by.username == "batch-system" and ToDoEntry.objects.count() == 4
    assert f"Submitted TD-CCCB run {run.run_number}" in out.getvalue() and "Complete" in out.getvalue()
    call_command("scheduler", "--once", stdout=io.StringIO(), stderr=io.StringIO())
    assert BatchRun.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="four concurrent writers: SQLite's shared in-memory test database locks whole tables instead of "
    "waiting; this test runs in the PostgreSQL pass",
)
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_submit_once(nightly: BatchSchedule) -> None:
    user = batch_system_user_ensure()
    now = at(TODAY, 2)
    barrier = threading.Barrier(4)
    results: list[int] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            results.append(len(batch_schedules_submit_due(user=user, now=now).submitted))
        finally:
            connection.close()

    workers = [threading.Thread(target=scheduler) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert BatchRun.objects.count() == 1
