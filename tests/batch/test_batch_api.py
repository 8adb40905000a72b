"""/api/v1/batch: submit, list, read, restart and cancel runs; controls; refusals."""

from __future__ import annotations

import time
from typing import Any

import pytest

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchError, BatchRun, BatchThread
from custcare.batch.services import batch_run_submit
from custcare.todo.models import ToDoEntry
from tests.batch.conftest import TODAY, reminders_bulk

RUNS = "/api/v1/batch/runs"


def test_controls_are_listed(api_as: Any, batch_operator: Any) -> None:
    response = api_as(batch_operator).get("/api/v1/batch/controls")
    assert response.status_code == 200
    control = next(c for c in response.json() if c["code"] == "TD-CCCB")
    assert control["program"] == "TD-CCCB" and control["parameters"] == {"LEAD-DAYS": 0}


def test_submit_returns_202_with_the_pending_run(api_as: Any, batch_operator: Any) -> None:
    body = {"control": "TD-CCCB", "process_date": "2026-11-23", "thread_count": 3, "parameters": {"LEAD-DAYS": 2}}
    response = api_as(batch_operator).post(RUNS, body)
    assert response.status_code == 202, response.content
    data = response.json()
    run = BatchRun.objects.get()
    assert data["id"] == run.pk and data["control"] == "TD-CCCB" and data["run_number"] == run.run_number
    assert data["status"] == "PENDING" and data["thread_count"] == 3 and data["executor"] == "inprocess"
    assert data["parameters"] == {"LEAD-DAYS": 2} and data["submitted_by"] == batch_operator.username


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"control": "NOPE", "process_date": "2026-11-23"}, "control"),
        ({"control": "TD-CCCB", "process_date": "23/11/2026"}, "process_date"),
        ({"control": "TD-CCCB", "process_date": "2026-11-23", "thread_count": 0}, "thread_count"),
        ({"control": "TD-CCCB", "process_date": "2026-11-23", "parameters": {"LEAD-DAYS": -1}}, "parameters.LEAD-DAYS"),
        ({"control": "TD-CCCB", "process_date": "2026-11-23", "executor": "cron"}, "executor"),
        ({"control": "TD-CCCB"}, "process_date"),
    ],
)
def test_bad_submissions_are_422_and_create_nothing(api_as: Any, batch_operator: Any, body: dict, field: str) -> None:
    response = api_as(batch_operator).post(RUNS, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert BatchRun.objects.count() == 0


def test_a_csr_may_not_use_batch_runs(api_as: Any, csr: Any, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    client = api_as(csr)
    assert client.post(RUNS, {"control": "TD-CCCB", "process_date": "2026-11-23"}).status_code == 403
    assert client.get(RUNS).status_code == 403
    assert client.get(f"{RUNS}/{run.pk}").status_code == 403
    assert client.post(f"{RUNS}/{run.pk}/cancel", {}).status_code == 403
    assert client.get("/api/v1/batch/controls").status_code == 403
    assert BatchRun.objects.get().status == BatchRun.Status.PENDING and BatchRun.objects.count() == 1


def test_list_filters_and_paginates(api_as: Any, batch_operator: Any) -> None:
    runs = [batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator) for _ in range(3)]
    client = api_as(batch_operator)
    page = client.get(RUNS, limit=2).json()
    assert page["count"] == 3 and [r["id"] for r in page["items"]] == [runs[2].pk, runs[1].pk]
    batch_run_execute(run_id=runs[0].pk)
    assert [r["id"] for r in client.get(RUNS, status="complete").json()["items"]] == [runs[0].pk]
    assert client.get(RUNS, control="OTHER").json()["count"] == 0


def test_read_shows_threads_counts_and_errors(
    api_as: Any, csr: Any, customer: dict[str, Any], supervisor: Any, batch_operator: Any
) -> None:
    reminders_bulk(csr, customer, 6)
    run = batch_run_submit(
        control_code="TD-CCCB", process_date=TODAY, user=batch_operator, thread_count=2, chunk_size=2
    )
    batch_run_execute(run_id=run.pk)
    BatchError.objects.create(run=run, thread_number=1, record_key="42", message="Reminder 42 is odd")
    data = api_as(batch_operator).get(f"{RUNS}/{run.pk}").json()
    assert data["status"] == "COMPLETE" and data["records_processed"] == 6 and data["live_records"] == 6
    assert data["percent"] == 100 and data["live_errors"] == 1
    assert [t["thread_number"] for t in data["threads"]] == [1, 2]
    assert sum(t["records_processed"] for t in data["threads"]) == 6
    assert all(t["status"] == "COMPLETE" and t["percent"] == 100 and t["worker"] for t in data["threads"])
    assert data["threads"][0]["key_lo"] < data["threads"][0]["checkpoint"] <= data["threads"][0]["key_hi"]
    assert data["errors"] == [
        {"thread_number": 1, "record_key": "42", "message": "Reminder 42 is odd", "at": data["errors"][0]["at"]}
    ]
    assert api_as(batch_operator).get(f"{RUNS}/999999").status_code == 404


def test_cancel_then_restart_is_refused(api_as: Any, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    client = api_as(batch_operator)
    response = client.post(f"{RUNS}/{run.pk}/cancel", {})
    assert response.status_code == 200 and response.json()["status"] == "CANCELED"
    response = client.post(f"{RUNS}/{run.pk}/restart", {})
    assert response.status_code == 409 and "only unfinished runs" in response.json()["message"]
    assert client.post(f"{RUNS}/{run.pk}/cancel", {}).status_code == 409
    assert BatchRun.objects.get().status == BatchRun.Status.CANCELED


def test_restart_puts_unfinished_threads_back_and_may_change_the_executor(api_as: Any, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.ERROR)
    BatchThread.objects.create(run=run, thread_number=1, key_lo=0, key_hi=10, checkpoint=4, status="ERROR")
    client = api_as(batch_operator)
    refused = client.post(f"{RUNS}/{run.pk}/restart", {"executor": "cron"})
    assert refused.status_code == 422 and "executor" in refused.json()["fields"]
    assert BatchRun.objects.get().status == BatchRun.Status.ERROR
    response = client.post(f"{RUNS}/{run.pk}/restart", {"executor": "celery"})
    assert response.status_code == 202 and response.json()["status"] == "PENDING"
    assert response.json()["executor"] == "celery"
    thread = BatchThread.objects.get()
    assert (thread.status, thread.checkpoint) == ("PENDING", 4)


@pytest.mark.django_db(transaction=True)
def test_a_submitted_run_executes_in_the_background(
    api_as: Any, csr: Any, customer: dict[str, Any], batch_operator: Any
) -> None:
    reminders_bulk(csr, customer, 30)
    response = api_as(batch_operator).post(
        RUNS, {"control": "TD-CCCB", "process_date": "2026-11-23", "chunk_size": 5, "thread_count": 2}
    )
    assert response.status_code == 202
    run_id = response.json()["id"]
    deadline = time.monotonic() + 30
    while BatchRun.objects.get(pk=run_id).status in ("PENDING", "RUNNING"):
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.05)
    run = BatchRun.objects.get(pk=run_id)
    assert run.status == BatchRun.Status.COMPLETE, run.message
    assert ToDoEntry.objects.filter(batch_run=run).count() == 30
