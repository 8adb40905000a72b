"""Celery tasks: a worker runs one batch thread per task.

The task is bound to CustCare's Celery app (not `shared_task`): a process that only imports this module
to dispatch a run, such as the web server or the CLI, must send to the configured Redis broker and
queue, not to Celery's default app.
"""

from custcare.batch.services import batch_thread_run
from custcare.celery import app


@app.task(name="custcare.batch.run_thread", acks_late=True)
def run_thread(thread_id: int) -> int | None:
    thread = batch_thread_run(thread_id=thread_id)
    return None if thread is None else thread.records_processed
