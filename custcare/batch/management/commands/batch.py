"""`custcare batch run|restart|cancel|list|show`: operate batch runs from the command line."""

import json
import threading
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from custcare.batch.executors import batch_run_dispatch, batch_run_execute
from custcare.batch.launch import SYSTEM_USER, batch_run_restart_on, batch_system_user_ensure
from custcare.batch.models import BatchRun, BatchThread
from custcare.batch.selectors import ACTIVE, batch_run_list, batch_run_live_totals, batch_run_tree
from custcare.batch.services import EXECUTORS, batch_run_cancel, batch_run_submit
from custcare.core.errors import DomainError

USER_HELP = (
    f"The user the action is done and audited as; it needs the Batch Operator or Administrator role. Default: "
    f"'{SYSTEM_USER}', a system user created on first use holding the Batch Operator role."
)


def parse_parameters(items: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; values are read as JSON when they are (2, true, "x"), else taken as text."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--param expects KEY=VALUE, got '{item}'. Nothing was submitted.")
        try:
            params[key.strip()] = json.loads(value)
        except ValueError:
            params[key.strip()] = value
    return params


def refusal(exc: DomainError) -> CommandError:
    details = "".join(f"\n  {field}: {' '.join(msgs)}" for field, msgs in sorted(exc.fields.items()))
    return CommandError(f"{exc.message}{details}")


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # an operator's command starts at once; `custcare check` runs them
    help = (
        "Operate batch runs: submit and run one (with a progress bar), restart a failed or killed run from "
        "its checkpoints, cancel, list and show runs. Actions are done as --user (default "
        f"'{SYSTEM_USER}', created on first use with the Batch Operator role)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Submit a run of a batch control and execute or dispatch it.")
        run.add_argument("control", help="Batch control code, e.g. TD-CCCB.")
        run.add_argument("--process-date", required=True, help="The business date the run is for (YYYY-MM-DD).")
        run.add_argument("--threads", type=int, default=None, help="Thread count (default: the control's).")
        run.add_argument("--chunk-size", type=int, default=None, help="Records per commit (default: the control's).")
        run.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A run parameter, repeatable (e.g. --param LEAD-DAYS=2); overrides the control's default.",
        )
        self._launch_options(run)
        restart = sub.add_parser("restart", help="Restart an unfinished run; threads continue from checkpoints.")
        restart.add_argument("run_id", type=int)
        self._launch_options(restart, default_executor=None)
        cancel = sub.add_parser("cancel", help="Cancel a run; committed chunks are kept, nothing else starts.")
        cancel.add_argument("run_id", type=int)
        cancel.add_argument("--user", default=None, help=USER_HELP)
        lst = sub.add_parser("list", help="List runs, newest first.")
        lst.add_argument("--control", default=None, help="Only runs of this batch control.")
        lst.add_argument("--status", default=None, help="Only runs in this status (PENDING, RUNNING, ...).")
        lst.add_argument("--limit", type=int, default=20)
        lst.add_argument("--user", default=None, help=USER_HELP)
        show = sub.add_parser("show", help="Show a run's tree: threads with ranges, checkpoints, counts, errors.")
        show.add_argument("run_id", type=int)
        show.add_argument("--user", default=None, help=USER_HELP)

    def _launch_options(self, parser: CommandParser, default_executor: str | None = "inprocess") -> None:
        parser.add_argument(
            "--executor",
            choices=EXECUTORS,
            default=default_executor,
            help="inprocess: run the threads here with a progress bar; celery: queue them for `custcare worker` "
            "processes and follow the run"
            + (" (default inprocess)." if default_executor else " (default: as before)."),
        )
        parser.add_argument("--no-wait", action="store_true", help="celery: dispatch and exit without following.")
        parser.add_argument("--user", default=None, help=USER_HELP)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action']}")(opts)

    def user(self, name: str | None) -> Any:
        if name is None:
            return batch_system_user_ensure()
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"No user '{name}'. Name a Batch Operator with --user, or leave it out.")
        return user

    def do_run(self, opts: dict[str, Any]) -> None:
        params = parse_parameters(opts["param"])
        try:
            with transaction.atomic():  # a refusal leaves nothing behind, not even the system user
                user = self.user(opts["user"])
                run = batch_run_submit(
                    control_code=opts["control"],
                    process_date=opts["process_date"],
                    user=user,
                    thread_count=opts["threads"],
                    parameters=params,
                    executor=opts["executor"],
                    chunk_size=opts["chunk_size"],
                )
        except DomainError as exc:
            raise refusal(exc) from exc
        self.stdout.write(
            f"Submitted {run.control_id} run {run.run_number} (id {run.pk}) for {run.process_date}: "
            f"{run.thread_count} thread(s), chunk size {run.chunk_size}, executor {run.executor}, "
            f"parameters {json.dumps(run.parameters)}."
        )
        self.launch(run.pk, run.executor, opts["no_wait"], user)

    def do_restart(self, opts: dict[str, Any]) -> None:
        user = self.user(opts["user"])
        try:
            run = batch_run_restart_on(run_id=opts["run_id"], user=user, executor=opts["executor"])
        except DomainError as exc:
            raise refusal(exc) from exc
        self.stdout.write(f"Restarted {run.control_id} run {run.run_number} (id {run.pk}), executor {run.executor}.")
        self.launch(run.pk, run.executor, opts["no_wait"], user)

    def do_cancel(self, opts: dict[str, Any]) -> None:
        try:
            run = batch_run_cancel(run_id=opts["run_id"], user=self.user(opts["user"]))
        except DomainError as exc:
            raise refusal(exc) from exc
        self.stdout.write(f"Canceled {run.control_id} run {run.run_number} (id {run.pk}). {run.message}")

    def do_list(self, opts: dict[str, Any]) -> None:
        try:
            runs = list(
                batch_run_list(user=self.user(opts["user"]), control=opts["control"], status=opts["status"])[
                    : opts["limit"]
                ]
            )
        except DomainError as exc:
            raise refusal(exc) from exc
        self.stdout.write(
            f"{'ID':>6}  {'CONTROL':<12} {'RUN':>5}  {'DATE':<10}  {'STATUS':<8} {'RECORDS':>10} {'ERRORS':>6}  "
            f"{'THR':>3} {'EXECUTOR':<9} SUBMITTED"
        )
        for r in runs:
            self.stdout.write(
                f"{r.pk:>6}  {r.control_id:<12} {r.run_number:>5}  {r.process_date}  {r.status:<8} "
                f"{r.records_processed:>10} {r.error_count:>6}  {r.thread_count:>3} {r.executor:<9} "
                f"{r.submitted_at:%Y-%m-%d %H:%M}"
            )
        if not runs:
            self.stdout.write("No runs.")

    def do_show(self, opts: dict[str, Any]) -> None:
        try:
            self.print_tree(opts["run_id"], self.user(opts["user"]))
        except DomainError as exc:
            raise refusal(exc) from exc

    def print_tree(self, run_id: int, user: Any) -> BatchRun:
        tree = batch_run_tree(run_id=run_id, user=user, errors=20)
        run = tree.run
        self.stdout.write(
            f"{run.control_id} run {run.run_number} (id {run.pk}) for {run.process_date}: {run.get_status_display()}"
            f" · {tree.records} records · {tree.error_total} errors · {tree.chunks} chunks · {tree.percent}%"
        )
        self.stdout.write(
            f"  executor {run.executor} · attempts {run.attempts} · chunk size {run.chunk_size} · "
            f"parameters {json.dumps(run.parameters)} · submitted by "
            f"{run.submitted_by.username if run.submitted_by else 'system'}"
        )
        if run.started_at:
            end = run.ended_at
            seconds = (end - run.started_at).total_seconds() if end else None
            rate = f" · {tree.records / seconds:,.0f} records/s" if seconds else ""
            self.stdout.write(
                f"  started {run.started_at:%Y-%m-%d %H:%M:%S}"
                + (f" · ended {end:%H:%M:%S} ({seconds:.1f}s){rate}" if end and seconds is not None else "")
            )
        if run.message:
            self.stdout.write(f"  {run.message}")
        for view in tree.threads:
            t = view.thread
            self.stdout.write(
                f"  thread {t.thread_number}: keys ({t.key_lo}, {t.key_hi}] checkpoint {t.checkpoint} "
                f"({view.percent}%) · {t.get_status_display()} · {t.records_processed} records · "
                f"{t.error_count} errors · {t.chunks_done} chunks"
                + (f" · {t.worker}" if t.worker else "")
                + (f" · {t.message}" if t.message else "")
            )
        if tree.errors:
            self.stdout.write(f"  latest errors ({len(tree.errors)} of {tree.error_total}):")
            for e in tree.errors:
                self.stdout.write(f"    thread {e.thread_number} record {e.record_key}: {e.message}")
        return run

    def launch(self, run_id: int, executor: str, no_wait: bool, user: Any) -> None:
        if executor == "celery":
            batch_run_dispatch(run_id=run_id)
            if no_wait:
                self.stdout.write(f"Dispatched to the Celery workers. Follow it with `custcare batch show {run_id}`.")
                return
            self.follow(run_id)
        else:
            self.run_here(run_id)
        run = self.print_tree(run_id, user)
        if run.status != BatchRun.Status.COMPLETE:
            raise CommandError(f"The run ended {run.get_status_display().lower()}: {run.message}", returncode=3)

    def _bar(self) -> Any:
        out = getattr(self.stderr, "_out", self.stderr)
        return tqdm(unit=" records", file=out, mininterval=0.25, desc="records", dynamic_ncols=True)

    def run_here(self, run_id: int) -> None:
        lock = threading.Lock()
        errors: dict[int, int] = {}
        with self._bar() as bar:

            def progress(thread: BatchThread, records: int) -> None:
                with lock:
                    errors[thread.pk] = thread.error_count
                    bar.set_postfix(errors=sum(errors.values()), refresh=False)
                    bar.update(records)

            batch_run_execute(run_id=run_id, progress=progress)

    def follow(self, run_id: int) -> None:
        """Poll the run's thread counters until it ends; the workers are elsewhere."""
        seen = 0
        try:
            with self._bar() as bar:
                while True:
                    status, records, errors = batch_run_live_totals(run_id=run_id)
                    bar.set_postfix(errors=errors, refresh=False)
                    bar.update(records - seen)
                    seen = records
                    if status not in ACTIVE:
                        return
                    time.sleep(0.5)
        except KeyboardInterrupt:
            raise CommandError(
                f"Stopped following; the run goes on. Check it with `custcare batch show {run_id}`.", returncode=130
            ) from None
