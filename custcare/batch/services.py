"""Submitting, running, restarting and canceling batch runs.

The protocol that makes runs restartable: a thread's progress is its `checkpoint` key, and each chunk
commits its work and the new checkpoint in one transaction, guarded by the old checkpoint value (so two
processes that somehow run the same thread cannot both commit the same chunk). A killed process loses
only its uncommitted chunk; `batch_run_restart` puts unfinished threads back to pending and they resume
from their checkpoints under the same run number.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from custcare.batch.models import BatchControl, BatchError, BatchRun, BatchThread
from custcare.batch.registry import BatchProgram, batch_program_get, split_range
from custcare.core.audit import audit_record
from custcare.core.errors import Conflict, NotFound, ValidationFailed
from custcare.security.roles import require

MAX_THREADS = 64
EXECUTORS = ("inprocess", "celery")
Progress = Callable[[BatchThread, int], None]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@transaction.atomic
def batch_run_submit(
    *,
    control_code: str,
    process_date: Any,
    user: Any,
    thread_count: int | None = None,
    parameters: dict[str, Any] | None = None,
    executor: str = "inprocess",
    chunk_size: int | None = None,
) -> BatchRun:
    """Create a pending run with the next run number. Everything is checked first: a refused
    submission creates nothing and does not use up a run number."""
    require(user, "batch.run")
    errors: dict[str, list[str]] = {}
    control = BatchControl.objects.select_for_update().filter(code=control_code).first()
    if control is None:
        codes = ", ".join(BatchControl.objects.values_list("code", flat=True)) or "none configured"
        raise ValidationFailed(f"Unknown batch control '{control_code}'.", {"control": [f"Choose one of: {codes}."]})
    date = _parse_date(process_date)
    if date is None:
        errors["process_date"] = [f"'{process_date}' is not a date (YYYY-MM-DD)."]
    threads = control.default_thread_count if thread_count is None else thread_count
    if not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        errors["thread_count"] = [f"The thread count must be between 1 and {MAX_THREADS}."]
    size = control.chunk_size if chunk_size is None else chunk_size
    if not isinstance(size, int) or size < 1:
        errors["chunk_size"] = ["The chunk size must be at least 1."]
    if executor not in EXECUTORS:
        errors["executor"] = [f"Choose one of: {', '.join(EXECUTORS)}."]
    params = {**control.parameters, **(parameters or {})}
    try:
        program = batch_program_get(control.program)
    except KeyError as exc:
        raise ValidationFailed(str(exc), {"control": ["Its program is not installed."]}) from exc
    errors.update(program.check_params(params))
    if errors:
        raise ValidationFailed("The run was not submitted; correct the fields shown.", errors)
    assert date is not None
    run = BatchRun.objects.create(
        control=control,
        run_number=control.next_run_number,
        process_date=date,
        parameters=params,
        thread_count=threads,
        chunk_size=size,
        max_errors=control.max_errors,
        executor=executor,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    BatchControl.objects.filter(pk=control.pk).update(next_run_number=F("next_run_number") + 1)
    audit_record(entity=run, action="submit", user=user)
    return run


def _program(run: BatchRun) -> BatchProgram:
    return batch_program_get(run.control.program)(run)


@transaction.atomic
def batch_run_start(*, run_id: int) -> BatchRun:
    """Mark the run running and, on its first start, split the pending work into thread ranges."""
    run = BatchRun.objects.select_for_update().select_related("control").get(pk=run_id)
    if run.status in (BatchRun.Status.COMPLETE, BatchRun.Status.CANCELED):
        raise Conflict(f"{run} is {run.get_status_display().lower()}; it cannot be started.")
    if not run.threads.exists():
        bounds = _program(run).key_bounds()
        lo, hi = bounds if bounds else (0, 0)
        BatchThread.objects.bulk_create(
            BatchThread(run=run, thread_number=i + 1, key_lo=a, key_hi=b, checkpoint=a)
            for i, (a, b) in enumerate(split_range(lo, hi, run.thread_count))
        )
    run.status = BatchRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.ended_at = None
    run.attempts += 1
    run.save(update_fields=["status", "started_at", "ended_at", "attempts"])
    return run


def _claim(thread_id: int) -> BatchThread | None:
    """Take a pending thread for this process; None when another process has it or it is done."""
    claimed = BatchThread.objects.filter(pk=thread_id, status__in=[BatchThread.Status.PENDING]).update(
        status=BatchThread.Status.RUNNING,
        worker=worker_name(),
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        message="",
    )
    if not claimed:
        return None
    return BatchThread.objects.select_related("run__control").get(pk=thread_id)


def batch_thread_run(*, thread_id: int, progress: Progress | None = None) -> BatchThread | None:
    """Run one thread from its checkpoint to the end of its range, chunk by chunk."""
    thread = _claim(thread_id)
    if thread is None:
        return None
    run = thread.run
    program = _program(run)
    try:
        while True:
            status = BatchRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
            if status != BatchRun.Status.RUNNING:
                BatchThread.objects.filter(pk=thread.pk).update(
                    status=BatchThread.Status.CANCELED
                    if status == BatchRun.Status.CANCELED
                    else BatchThread.Status.PENDING,
                    worker="",
                    message=f"stopped: run is {status}",
                )
                return thread
            end = program.chunk_end(thread.checkpoint, thread.key_hi, run.chunk_size)
            if end is None:
                break
            with transaction.atomic():
                result = program.process_chunk(thread.checkpoint, end)
                moved = BatchThread.objects.filter(pk=thread.pk, checkpoint=thread.checkpoint).update(
                    checkpoint=end,
                    records_processed=F("records_processed") + result.records,
                    error_count=F("error_count") + len(result.errors),
                    chunks_done=F("chunks_done") + 1,
                    heartbeat_at=timezone.now(),
                )
                if not moved:
                    raise Conflict(f"Thread {thread.thread_number} of {run} moved under another process.")
                if result.errors:
                    BatchError.objects.bulk_create(
                        BatchError(run=run, thread_number=thread.thread_number, record_key=str(key), message=msg[:500])
                        for key, msg in result.errors
                    )
            thread.checkpoint = end
            thread.records_processed += result.records
            thread.error_count += len(result.errors)
            if progress:
                progress(thread, result.records)
            total_errors = BatchThread.objects.filter(run=run).aggregate(n=Sum("error_count"))["n"] or 0
            if total_errors > run.max_errors:
                _thread_end(thread, BatchThread.Status.ERROR, f"more than {run.max_errors} errors")
                BatchRun.objects.filter(pk=run.pk, status=BatchRun.Status.RUNNING).update(
                    status=BatchRun.Status.ERROR,
                    ended_at=timezone.now(),
                    message=f"Stopped: more than {run.max_errors} errors. Fix them and restart the run.",
                )
                return thread
    except Exception as exc:
        _thread_end(thread, BatchThread.Status.ERROR, f"{type(exc).__name__}: {exc}")
        batch_run_finish(run_id=run.pk)
        raise
    _thread_end(thread, BatchThread.Status.COMPLETE, "")
    batch_run_finish(run_id=run.pk)
    return thread


def _thread_end(thread: BatchThread, status: str, message: str) -> None:
    BatchThread.objects.filter(pk=thread.pk).update(
        status=status, ended_at=timezone.now(), message=message[:500], heartbeat_at=timezone.now()
    )
    thread.status = status


def batch_run_finish(*, run_id: int) -> BatchRun:
    """Close the run when no thread is left to do: complete, or error when a thread failed."""
    with transaction.atomic():
        run = BatchRun.objects.select_for_update().get(pk=run_id)
        if run.status != BatchRun.Status.RUNNING:
            return run
        statuses = set(run.threads.values_list("status", flat=True))
        if statuses & {BatchThread.Status.PENDING, BatchThread.Status.RUNNING}:
            return run
        totals = run.threads.aggregate(records=Sum("records_processed"), errors=Sum("error_count"))
        run.records_processed = totals["records"] or 0
        run.error_count = totals["errors"] or 0
        run.ended_at = timezone.now()
        if BatchThread.Status.ERROR in statuses:
            failed = run.threads.filter(status=BatchThread.Status.ERROR).values_list("message", flat=True).first()
            run.status = BatchRun.Status.ERROR
            run.message = f"A thread failed: {failed}. Restart the run to continue from its checkpoint."[:500]
        else:
            run.status = BatchRun.Status.COMPLETE
            run.message = f"{run.records_processed} records, {run.error_count} errors."
        run.save(update_fields=["records_processed", "error_count", "ended_at", "status", "message"])
        return run


@transaction.atomic
def batch_run_restart(*, run_id: int, user: Any) -> BatchRun:
    """Put a failed, stopped or abandoned run back to pending; unfinished threads resume from their
    checkpoints. The operator restarts a run only when the process that ran it is gone."""
    require(user, "batch.run")
    run = BatchRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No batch run {run_id}.")
    if run.status in (BatchRun.Status.COMPLETE, BatchRun.Status.CANCELED):
        raise Conflict(f"{run} is {run.get_status_display().lower()}; only unfinished runs can be restarted.")
    run.threads.exclude(status=BatchThread.Status.COMPLETE).update(
        status=BatchThread.Status.PENDING, worker="", message="restarted"
    )
    run.status = BatchRun.Status.PENDING
    run.message = "Restarted; unfinished threads continue from their checkpoints."
    run.save(update_fields=["status", "message"])
    audit_record(entity=run, action="restart", user=user)
    return run


@transaction.atomic
def batch_run_cancel(*, run_id: int, user: Any) -> BatchRun:
    require(user, "batch.run")
    run = BatchRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No batch run {run_id}.")
    if run.status in (BatchRun.Status.COMPLETE, BatchRun.Status.CANCELED):
        raise Conflict(f"{run} is already {run.get_status_display().lower()}.")
    run.status = BatchRun.Status.CANCELED
    run.ended_at = timezone.now()
    run.message = "Canceled; work committed before the cancel is kept."
    run.save(update_fields=["status", "ended_at", "message"])
    run.threads.filter(status=BatchThread.Status.PENDING).update(status=BatchThread.Status.CANCELED)
    audit_record(entity=run, action="cancel", user=user)
    return run


def close_connection_after(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Threads of the in-process executor each use their own database connection; close it after."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    return wrapper
