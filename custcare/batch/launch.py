"""Starting runs from places that must not wait for them (the API, the web page, the scheduler), the
user the CLI and scheduler act as, and restarting a run on another executor.

A run is launched only after the transaction that submitted or restarted it commits: the thread or
Celery worker that executes it reads it over its own database connection and must see it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connection, transaction

from custcare.batch.executors import batch_run_dispatch, batch_run_execute
from custcare.batch.models import BatchRun
from custcare.batch.services import EXECUTORS, batch_run_restart
from custcare.core.audit import audit_record
from custcare.core.errors import ValidationFailed
from custcare.security import roles
from custcare.security.services import system_user_ensure

log = logging.getLogger(__name__)

SYSTEM_USER = "batch-system"


def batch_system_user_ensure() -> Any:
    """The user that scheduled and command-line runs are submitted and audited as when no one is named:
    created on first use, holding only the Batch Operator role, and unable to sign in."""
    return system_user_ensure(username=SYSTEM_USER, first_name="Batch", last_name="System", role=roles.BATCH_OPERATOR)


@transaction.atomic
def batch_run_restart_on(*, run_id: int, user: Any, executor: str | None = None) -> BatchRun:
    """Restart a run, optionally moving it to another executor (e.g. to Celery workers after the
    machine that ran it in-process went down). The executor is checked first: a refusal changes nothing."""
    if executor is not None and executor not in EXECUTORS:
        raise ValidationFailed(
            "The run was not restarted; correct the fields shown.",
            {"executor": [f"Choose one of: {', '.join(EXECUTORS)}."]},
        )
    run = batch_run_restart(run_id=run_id, user=user)
    if executor is not None and executor != run.executor:
        run.executor = executor
        run.save(update_fields=["executor"])
        audit_record(entity=run, action="change", user=user, summary=f"executor {executor}")
    return run


def _execute_here(run_id: int) -> None:
    try:
        batch_run_execute(run_id=run_id)
    except Exception:  # recorded on the run's threads; nothing else to tell from a background thread
        log.exception("Batch run %s failed", run_id)
    finally:
        connection.close()


def batch_run_launch_background(*, run_id: int) -> None:
    """After the current transaction commits: dispatch a Celery run to the workers, or execute an
    in-process run in a background thread of this process so the caller returns at once. If this
    process stops, the run stays running with its checkpoints; the operator restarts it."""

    def launch() -> None:
        executor = BatchRun.objects.values_list("executor", flat=True).get(pk=run_id)
        if executor == "celery":
            batch_run_dispatch(run_id=run_id)
            return
        threading.Thread(target=_execute_here, args=(run_id,), name=f"batch-run-{run_id}", daemon=True).start()

    transaction.on_commit(launch)
