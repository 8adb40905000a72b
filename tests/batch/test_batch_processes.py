"""Batch runs across real processes on PostgreSQL: a run killed with SIGKILL in the middle and restarted
creates each To Do once, and two `custcare worker` processes on the Redis broker share one run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchRun, BatchThread
from custcare.batch.services import batch_run_restart
from custcare.contacts.models import Reminder
from custcare.todo.models import ToDoEntry
from tests.batch.conftest import ROOT, custcare_process, on_postgres_only, process_env, reminders_bulk

pytestmark = [on_postgres_only, pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _chunks_done() -> int:
    return BatchThread.objects.aggregate(n=Sum("chunks_done"))["n"] or 0


def test_a_run_killed_in_the_middle_restarts_and_creates_each_todo_once(
    csr: Any, customer: dict[str, Any], batch_operator: Any, tmp_path: Path
) -> None:
    ids = reminders_bulk(csr, customer, 1500)
    log = tmp_path / "run.log"
    args = ["batch", "run", "TD-CCCB", "--process-date", "2026-11-23", "--threads", "2", "--chunk-size", "4"]
    proc = custcare_process(args, process_env(), log)
    try:
        deadline = time.monotonic() + 60
        while _chunks_done() == 0:
            assert proc.poll() is None, f"the run ended before it could be killed:\n{log.read_text()}"
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    run = BatchRun.objects.get()
    assert run.status == BatchRun.Status.RUNNING  # killed: nobody closed it
    sent_before = Reminder.objects.filter(state="SENT").count()
    assert 0 < sent_before < len(ids), "the kill must land in the middle of the run"
    assert ToDoEntry.objects.count() == sent_before  # the killed chunk left nothing half-done

    batch_run_restart(run_id=run.pk, user=batch_operator)
    run = batch_run_execute(run_id=run.pk)

    assert run.status == BatchRun.Status.COMPLETE, run.message
    assert run.attempts == 2 and run.records_processed == len(ids)
    assert ToDoEntry.objects.count() == len(ids)
    assert sorted(ToDoEntry.objects.values_list("reminder_id", flat=True)) == sorted(ids)
    assert Reminder.objects.exclude(state="SENT").count() == 0


def _wait_ready(workers: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + 60
    while not all("ready." in p.read_text(errors="replace") for p in logs):
        for w, p in zip(workers, logs, strict=True):
            assert w.poll() is None, f"a worker stopped:\n{p.read_text(errors='replace')}"
        assert time.monotonic() < deadline, "\n".join(p.read_text(errors="replace") for p in logs)
        time.sleep(0.1)


def test_two_celery_workers_share_one_run(csr: Any, customer: dict[str, Any], tmp_path: Path) -> None:
    ids = reminders_bulk(csr, customer, 1000)
    queue = f"custcare-test-{uuid.uuid4().hex[:10]}"  # no other test run takes these tasks
    env = process_env(CUSTCARE_BATCH_QUEUE=queue)
    logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
    workers = [
        custcare_process(
            ["worker", "--concurrency", "1", "--pool", "solo", "--hostname", f"w{i}-{queue}@%h"], env, logs[i - 1]
        )
        for i in (1, 2)
    ]
    try:
        _wait_ready(workers, logs)
        submit = subprocess.run(
            [sys.executable, "-m", "custcare.manage", "batch", "run", "TD-CCCB", "--process-date", "2026-11-23",
             "--threads", "4", "--chunk-size", "25", "--executor", "celery"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert submit.returncode == 0, submit.stdout + submit.stderr
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=15)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
    run = BatchRun.objects.get()
    assert run.status == BatchRun.Status.COMPLETE and run.executor == "celery", run.message
    assert "Complete · 1000 records" in submit.stdout
    assert ToDoEntry.objects.count() == len(ids) and run.records_processed == len(ids)
    assert Reminder.objects.exclude(state="SENT").count() == 0
    threads = list(BatchThread.objects.filter(run=run))
    assert len(threads) == 4 and {t.status for t in threads} == {BatchThread.Status.COMPLETE}
    pids = {t.worker.rsplit(":", 1)[1] for t in threads}
    assert pids == {str(w.pid) for w in workers}, "both workers take threads of the run"
