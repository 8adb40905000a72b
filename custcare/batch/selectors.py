"""Reads of batch controls and runs for operators (CLI, API, web): who may see them, and the run tree.

A running run's own counters are written only when it ends; while it runs, the live numbers are the
sums over its threads, which every committed chunk updates. The run tree therefore always reads the
threads, so the CLI, the API and the web page show the same progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from custcare.batch.models import BatchControl, BatchError, BatchRun, BatchThread
from custcare.core.errors import NotFound
from custcare.security.roles import require

ACTIVE = (BatchRun.Status.PENDING, BatchRun.Status.RUNNING)
RECENT_ERRORS = 50


def batch_control_list(*, user: Any) -> QuerySet[BatchControl]:
    require(user, "batch.run")
    return BatchControl.objects.all()


def batch_run_list(*, user: Any, control: str | None = None, status: str | None = None) -> QuerySet[BatchRun]:
    """Runs newest first, with their control and submitter read in the same query."""
    require(user, "batch.run")
    runs = BatchRun.objects.select_related("control", "submitted_by")
    if control:
        runs = runs.filter(control_id=control)
    if status:
        runs = runs.filter(status=status.upper())
    return runs


def batch_run_get(*, run_id: int, user: Any) -> BatchRun:
    require(user, "batch.run")
    run = BatchRun.objects.select_related("control", "submitted_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"No batch run {run_id}.")
    return run


@dataclass
class ThreadView:
    """A thread and its progress; reads through to the thread's fields."""

    thread: BatchThread

    def __getattr__(self, name: str) -> Any:
        return getattr(self.thread, name)

    @property
    def percent(self) -> int:
        """Progress through the thread's key range: keys are what a thread walks, so this is exact
        about position and approximate about records when keys are sparse."""
        t = self.thread
        if t.status == BatchThread.Status.COMPLETE:
            return 100
        width = t.key_hi - t.key_lo
        if width <= 0:
            return 100
        return max(0, min(100, int(100 * (t.checkpoint - t.key_lo) / width)))


@dataclass
class RunTree:
    run: BatchRun
    threads: list[ThreadView]
    errors: list[BatchError]
    records: int
    error_total: int
    chunks: int
    percent: int
    thread_status: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.run.status in ACTIVE


def batch_run_tree(*, run_id: int, user: Any, errors: int = RECENT_ERRORS) -> RunTree:
    """The run, its threads with their ranges and checkpoints, live totals and its latest errors, in
    four queries whatever the thread and error counts."""
    run = batch_run_get(run_id=run_id, user=user)
    threads = [ThreadView(t) for t in BatchThread.objects.filter(run=run).order_by("thread_number")]
    latest = list(BatchError.objects.filter(run=run).order_by("-at", "-id")[:errors])
    error_total = BatchError.objects.filter(run=run).aggregate(n=Count("id"))["n"] or 0
    records = sum(t.thread.records_processed for t in threads)
    if not threads:
        records = run.records_processed
    widths = [(t.thread.key_hi - t.thread.key_lo, t.percent) for t in threads]
    total_width = sum(w for w, _ in widths)
    if threads and total_width > 0:
        percent = int(sum(w * p for w, p in widths) / total_width)
    else:
        percent = 100 if run.status == BatchRun.Status.COMPLETE else 0
    statuses: dict[str, int] = {}
    for t in threads:
        statuses[t.thread.status] = statuses.get(t.thread.status, 0) + 1
    return RunTree(
        run=run,
        threads=threads,
        errors=latest,
        records=records,
        error_total=error_total,
        chunks=sum(t.thread.chunks_done for t in threads),
        percent=percent,
        thread_status=statuses,
    )


def batch_run_live_totals(*, run_id: int) -> tuple[str, int, int]:
    """(status, records, errors) of a run read from its threads: what a follower polls while workers
    elsewhere run it. No access check: callers are the CLI and services that already checked."""
    status = BatchRun.objects.filter(pk=run_id).values_list("status", flat=True).first() or ""
    totals = BatchThread.objects.filter(run_id=run_id).aggregate(r=Sum("records_processed"), e=Sum("error_count"))
    return status, int(totals["r"] or 0), int(totals["e"] or 0)
