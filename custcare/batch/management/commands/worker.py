"""`custcare worker`: a Celery worker that runs batch threads dispatched by runs with executor celery."""

import os
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Start a Celery worker for CustCare batch runs. Start one or more on every machine that should take "
        "part; they share work through the Redis broker (CUSTCARE_BROKER_URL) and the database "
        "(CUSTCARE_DATABASE_URL). Each worker process runs one batch thread at a time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, default=None, help="Worker processes (default: the number of CPUs)."
        )
        parser.add_argument(
            "--queues",
            default=None,
            help=f"Comma-separated queues to take tasks from (default: {settings.CELERY_TASK_DEFAULT_QUEUE}, "
            "from CUSTCARE_BATCH_QUEUE).",
        )
        parser.add_argument(
            "--pool", default="prefork", choices=["prefork", "solo", "threads"], help="Celery pool (default prefork)."
        )
        parser.add_argument("--loglevel", default="INFO", help="Celery log level (default INFO).")
        parser.add_argument(
            "--hostname", default=None, help="Node name; unique per worker (default custcare-<pid>@<host>)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from custcare.celery import app

        argv = [
            "worker",
            f"--loglevel={opts['loglevel']}",
            f"--pool={opts['pool']}",
            f"--queues={opts['queues'] or settings.CELERY_TASK_DEFAULT_QUEUE}",
            f"--hostname={opts['hostname'] or f'custcare-{os.getpid()}@{socket.gethostname()}'}",
            "--without-gossip",
            "--without-mingle",
        ]
        if opts["concurrency"]:
            argv.append(f"--concurrency={opts['concurrency']}")
        app.worker_main(argv)
