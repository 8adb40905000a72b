"""`custcare scheduler [--once]`: submit and launch the runs of batch schedules when they are due."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from custcare.batch.executors import batch_run_dispatch, batch_run_execute
from custcare.batch.launch import SYSTEM_USER, batch_system_user_ensure
from custcare.batch.scheduler import batch_schedules_submit_due


class Command(BaseCommand):
    help = (
        "Submit the runs of batch schedules that are due (time of day passed today in TIME_ZONE, weekday "
        "allowed, not yet submitted today) for today's process date, and launch them: celery runs are "
        "dispatched to the workers, in-process runs execute here one after another. Runs are submitted as "
        f"the '{SYSTEM_USER}' user (created on first use with the Batch Operator role). Safe to run on "
        "several machines: each schedule is submitted once per day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once, launch what is due, and exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between checks (default 30).")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            self.submit_due()
            if opts["once"]:
                return
            time.sleep(opts["interval"])

    def submit_due(self) -> None:
        result = batch_schedules_submit_due(user=batch_system_user_ensure())
        for schedule, reason in result.refused:
            self.stderr.write(f"Schedule {schedule} was not submitted: {reason}")
        for run in result.submitted:
            self.stdout.write(f"Submitted {run.control_id} run {run.run_number} (id {run.pk}) for {run.process_date}.")
            if run.executor == "celery":
                batch_run_dispatch(run_id=run.pk)
                self.stdout.write("  dispatched to the Celery workers.")
            else:
                done = batch_run_execute(run_id=run.pk)
                self.stdout.write(f"  {done.get_status_display()}: {done.message}")
