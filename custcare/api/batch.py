"""/batch: submit, list, read, restart and cancel batch runs; list batch controls.

Submitting or restarting returns 202 at once: an in-process run executes in a background thread of the
server, a Celery run is queued for the workers. Follow it with GET /batch/runs/{id}.
"""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from custcare.api.errors import ERRORS
from custcare.batch.launch import batch_run_launch_background, batch_run_restart_on
from custcare.batch.models import BatchRun
from custcare.batch.selectors import RunTree, batch_control_list, batch_run_list, batch_run_tree
from custcare.batch.services import batch_run_cancel, batch_run_submit

router = Router()


class ControlOut(Schema):
    code: str
    description: str
    program: str
    next_run_number: int
    default_thread_count: int
    chunk_size: int
    max_errors: int
    parameters: dict[str, Any]


class RunIn(Schema):
    control: str = Field(..., description="The batch control's code, e.g. TD-CCCB.")
    process_date: str = Field(..., description="The business date the run is for (YYYY-MM-DD).")
    thread_count: int | None = Field(None, description="Threads (1-64); default: the control's.")
    parameters: dict[str, Any] = Field({}, description="Run parameters; override the control's defaults.")
    executor: str = Field("inprocess", description="inprocess (in the server) or celery (the workers).")
    chunk_size: int | None = Field(None, description="Records per commit; default: the control's.")


class RestartIn(Schema):
    executor: str | None = Field(None, description="Move the run to this executor; default: as before.")


class RunOut(Schema):
    id: int
    control: str = Field(..., alias="control_id")
    run_number: int
    process_date: dt.date
    status: str
    executor: str
    thread_count: int
    chunk_size: int
    max_errors: int
    parameters: dict[str, Any]
    attempts: int
    records_processed: int = Field(..., description="Set when the run ends; see the run's detail while it runs.")
    error_count: int
    message: str
    submitted_by: str | None = Field(None, alias="submitted_by.username")
    submitted_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


class ThreadOut(Schema):
    thread_number: int
    key_lo: int
    key_hi: int
    checkpoint: int
    percent: int
    status: str
    records_processed: int
    error_count: int
    chunks_done: int
    worker: str
    started_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    ended_at: dt.datetime | None
    message: str


class RunErrorOut(Schema):
    thread_number: int
    record_key: str
    message: str
    at: dt.datetime


class RunDetailOut(RunOut):
    live_records: int = Field(..., description="Records processed so far, summed over the threads.")
    live_errors: int = Field(..., description="Errors so far.")
    chunks_done: int
    percent: int = Field(..., description="Progress through the threads' key ranges.")
    threads: list[ThreadOut]
    errors: list[RunErrorOut] = Field(..., description="The latest errors, newest first.")


class RunQuery(Schema):
    control: str | None = None
    status: str | None = None


class _RunDetail:
    """The run's fields plus the tree's live numbers, threads and errors, as RunDetailOut reads them."""

    def __init__(self, tree: RunTree) -> None:
        self.tree = tree
        self.live_records = tree.records
        self.live_errors = tree.error_total
        self.chunks_done = tree.chunks
        self.percent = tree.percent
        self.threads = tree.threads
        self.errors = tree.errors

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tree.run, name)


@router.get("/controls", response={200: list[ControlOut], **ERRORS}, summary="Batch controls")
def control_list(request):  # type: ignore[no-untyped-def]
    return list(batch_control_list(user=request.user))


@router.post("/runs", response={202: RunOut, **ERRORS}, summary="Submit a batch run")
def run_submit(request, payload: RunIn):  # type: ignore[no-untyped-def]
    """Creates the run with the control's next run number and launches it; 422 with per-field messages
    (and nothing created) for an unknown control, a bad date, thread count or parameter."""
    run = batch_run_submit(
        control_code=payload.control,
        process_date=payload.process_date,
        user=request.user,
        thread_count=payload.thread_count,
        parameters=payload.parameters,
        executor=payload.executor,
        chunk_size=payload.chunk_size,
    )
    batch_run_launch_background(run_id=run.pk)
    return Status(202, run)


@router.get("/runs", response={200: list[RunOut], **ERRORS}, summary="Batch runs, newest first")
@paginate(LimitOffsetPagination)
def run_list(request, filters: Query[RunQuery]):  # type: ignore[no-untyped-def]
    return batch_run_list(user=request.user, control=filters.control, status=filters.status)


@router.get("/runs/{run_id}", response={200: RunDetailOut, **ERRORS}, summary="A run with its threads and errors")
def run_read(request, run_id: int):  # type: ignore[no-untyped-def]
    return _RunDetail(batch_run_tree(run_id=run_id, user=request.user))


@router.post("/runs/{run_id}/restart", response={202: RunOut, **ERRORS}, summary="Restart a run")
def run_restart(request, run_id: int, payload: RestartIn | None = None):  # type: ignore[no-untyped-def]
    """Unfinished threads continue from their checkpoints under the same run number; 409 for a complete
    or canceled run. Restart a run only when the process that ran it is gone."""
    run = batch_run_restart_on(run_id=run_id, user=request.user, executor=payload.executor if payload else None)
    batch_run_launch_background(run_id=run.pk)
    return Status(202, run)


@router.post("/runs/{run_id}/cancel", response={200: RunOut, **ERRORS}, summary="Cancel a run")
def run_cancel(request, run_id: int):  # type: ignore[no-untyped-def]
    """Threads stop after their current chunk; committed work is kept."""
    run: BatchRun = batch_run_cancel(run_id=run_id, user=request.user)
    return run
