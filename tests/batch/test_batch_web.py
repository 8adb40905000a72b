"""The batch pages: runs list and submit form, run tree with HTMX polling, restart and cancel, and 403
for users who may not run batches."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchRun
from custcare.batch.services import batch_run_submit
from tests.batch.conftest import TODAY, reminders_bulk


@pytest.fixture
def operator_client(batch_operator: Any) -> Client:
    client = Client()
    client.force_login(batch_operator)
    return client


def test_runs_page_lists_runs_and_offers_the_form(operator_client: Client, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    html = operator_client.get("/batch/").content.decode()
    assert f'href="/batch/runs/{run.pk}/"' in html and "TD-CCCB run 1" in html and "Pending" in html
    assert 'name="process_date"' in html and 'name="parameters"' in html and 'value="TD-CCCB"' in html
    assert operator_client.get("/batch/", {"status": "COMPLETE"}).content.decode().count("TD-CCCB run 1") == 0


def test_submit_from_the_page_redirects_to_the_run(operator_client: Client) -> None:
    response = operator_client.post(
        "/batch/",
        {"control": "TD-CCCB", "process_date": "2026-11-23", "thread_count": "2", "executor": "inprocess",
         "parameters": "LEAD-DAYS=3\n"},
    )  # fmt: skip
    run = BatchRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/batch/runs/{run.pk}/"
    assert run.thread_count == 2 and run.parameters == {"LEAD-DAYS": 3}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"parameters": "LEAD-DAYS=100"}, "less than or equal to 99"),
        ({"parameters": "LEAD-DAYS"}, "write KEY=VALUE"),
        ({"thread_count": "0"}, "greater than or equal to 1"),
        ({"process_date": "2026-13-45"}, "Enter a valid date"),
    ],
)
def test_bad_submissions_show_the_error_and_create_nothing(operator_client: Client, fields: dict, message: str) -> None:
    data = {"control": "TD-CCCB", "process_date": "2026-11-23", "executor": "inprocess", **fields}
    response = operator_client.post("/batch/", data)
    assert response.status_code == 422 and message in response.content.decode()
    assert BatchRun.objects.count() == 0


def test_run_page_shows_the_tree_and_polls_while_active(
    operator_client: Client, csr: Any, customer: dict[str, Any], batch_operator: Any
) -> None:
    reminders_bulk(csr, customer, 6)
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator, thread_count=2)
    page = operator_client.get(f"/batch/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and f'hx-get="/batch/runs/{run.pk}/tree/"' in page
    assert "No threads yet" in page and "Restart" in page and "Cancel run" in page
    batch_run_execute(run_id=run.pk)
    partial = operator_client.get(f"/batch/runs/{run.pk}/tree/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="run-tree"' in partial
    assert "every 1s" not in partial  # complete: the page stops polling
    assert "Complete" in partial and "6 records" in partial and "100%" in partial
    assert partial.count("<tr>") >= 3 and "Restart" not in partial


def test_cancel_and_restart_buttons(operator_client: Client, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    response = operator_client.post(f"/batch/runs/{run.pk}/cancel/", follow=True)
    assert "Canceled TD-CCCB run 1" in response.content.decode()
    assert BatchRun.objects.get().status == BatchRun.Status.CANCELED
    response = operator_client.post(f"/batch/runs/{run.pk}/restart/", follow=True)
    assert "only unfinished runs can be restarted" in response.content.decode()
    assert BatchRun.objects.get().status == BatchRun.Status.CANCELED
    assert operator_client.get(f"/batch/runs/{run.pk}/restart/").status_code == 405


def test_a_csr_gets_403_everywhere(csr: Any, batch_operator: Any) -> None:
    run = batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator)
    client = Client()
    client.force_login(csr)
    for url in ("/batch/", f"/batch/runs/{run.pk}/", f"/batch/runs/{run.pk}/tree/"):
        assert client.get(url).status_code == 403
    assert client.post("/batch/", {"control": "TD-CCCB", "process_date": "2026-11-23"}).status_code == 403
    assert client.post(f"/batch/runs/{run.pk}/cancel/").status_code == 403
    assert BatchRun.objects.get().status == BatchRun.Status.PENDING and BatchRun.objects.count() == 1
    assert Client().get("/batch/").status_code == 302  # signed out: to the login page


def test_pages_read_in_a_fixed_number_of_queries(
    operator_client: Client, batch_operator: Any, django_assert_max_num_queries: Any
) -> None:
    runs = [batch_run_submit(control_code="TD-CCCB", process_date=TODAY, user=batch_operator) for _ in range(4)]
    batch_run_execute(run_id=runs[0].pk)
    with django_assert_max_num_queries(7):
        assert operator_client.get("/batch/").status_code == 200
    with django_assert_max_num_queries(8):
        assert operator_client.get(f"/batch/runs/{runs[0].pk}/tree/").status_code == 200
