"""Celery tasks: a worker runs one batch thread per task."""

from celery import shared_task

from custcare.batch.services import batch_thread_run


@shared_task(name="custcare.batch.run_thread", acks_late=True)
def run_thread(thread_id: int) -> int | None:
    thread = batch_thread_run(thread_id=thread_id)
    return None if thread is None else thread.records_processed
