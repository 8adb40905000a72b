"""Where a run's threads execute: in this process (the default), or on Celery workers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from custcare.batch.models import BatchRun, BatchThread
from custcare.batch.services import (
    Progress,
    batch_run_finish,
    batch_run_start,
    batch_thread_run,
    close_connection_after,
)


def batch_run_execute(*, run_id: int, progress: Progress | None = None) -> BatchRun:
    """Run every unfinished thread here and wait for them. Threads run in parallel, each on its own
    database connection, except on SQLite (one writer at a time) and inside a caller's transaction
    (other connections could not see its data), where they run one after another."""
    run = batch_run_start(run_id=run_id)
    thread_ids = list(run.threads.exclude(status=BatchThread.Status.COMPLETE).values_list("id", flat=True))
    parallel = len(thread_ids) > 1 and connection.vendor != "sqlite" and not connection.in_atomic_block
    if parallel:
        work = close_connection_after(batch_thread_run)
        with ThreadPoolExecutor(max_workers=len(thread_ids), thread_name_prefix=f"batch-{run.pk}") as pool:
            futures = [pool.submit(work, thread_id=t, progress=progress) for t in thread_ids]
            for f in futures:
                f.exception()  # a failed thread is recorded on the run; the others go on
    else:
        for t in thread_ids:
            try:
                batch_thread_run(thread_id=t, progress=progress)
            except Exception:  # recorded on the thread and the run; the other threads go on
                continue
    return batch_run_finish(run_id=run.pk)


def batch_run_dispatch(*, run_id: int) -> BatchRun:
    """Start the run and queue one Celery task per unfinished thread; workers on any machine take
    them. The last thread to finish closes the run."""
    from custcare.batch.tasks import run_thread

    run = batch_run_start(run_id=run_id)
    for thread_id in run.threads.exclude(status=BatchThread.Status.COMPLETE).values_list("id", flat=True):
        run_thread.delay(thread_id)
    return run


def batch_run_launch(*, run_id: int, progress: Progress | None = None) -> BatchRun:
    """Execute the run with the executor it was submitted for."""
    executor = BatchRun.objects.values_list("executor", flat=True).get(pk=run_id)
    if executor == "celery":
        return batch_run_dispatch(run_id=run_id)
    return batch_run_execute(run_id=run_id, progress=progress)
