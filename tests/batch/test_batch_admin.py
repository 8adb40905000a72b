"""Admin for batch controls and schedules (audited) and runs (read-only, with threads and errors)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchError, BatchSchedule
from custcare.batch.services import batch_run_submit
from custcare.core.models import AuditEntry
from tests.batch.conftest import TODAY


def _admin(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_control_page_shows_the_run_history(admin_user: Any, batch_operator: Any) -> None:
    run = batch_run_execute(run_id=batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator).pk)
    html = _admin(admin_user).get("/admin/batch/batchcontrol/TD-CCCB/change/").content.decode()
    assert "Run history" in html and "2026-11-23" in html and f"/admin/batch/batchrun/{run.pk}/change/" in html


def test_schedule_added_in_the_admin_is_audited(admin_user: Any) -> None:
    response = _admin(admin_user).post(
        "/admin/batch/batchschedule/add/",
        {"control": "TD-CCCB", "time_of_day": "02:00", "weekdays": "12345", "parameters": "{}",
         "executor": "inprocess", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = BatchSchedule.objects.get()
    assert schedule.weekdays == "12345"
    assert AuditEntry.objects.filter(entity_type="batch.batchschedule", action="add", username="admin1").exists()


def test_runs_are_read_only_with_threads_and_errors(admin_user: Any, batch_operator: Any) -> None:
    run = batch_run_execute(run_id=batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator).pk)
    BatchError.objects.create(run=run, record_key="77", message="Reminder 77 is addressed to nobody")
    client = _admin(admin_user)
    html = client.get(f"/admin/batch/batchrun/{run.pk}/change/").content.decode()
    assert "Reminder 77 is addressed to nobody" in html and "Batch threads" in html
    assert 'name="_save"' not in html
    assert client.get("/admin/batch/batchrun/add/").status_code == 403
    assert client.post(f"/admin/batch/batchrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
