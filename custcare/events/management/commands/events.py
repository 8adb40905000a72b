"""`custcare events import|retry|list`: bulk intake of system events from a file, and the error queue.

Import reads CSV (a header row; columns are the payload fields plus event_id; a cell holding a JSON
list or object, e.g. remarks, is read as JSON; empty cells are left out) or JSON lines (one object per
line: {"event_id": ..., "payload": {...}} or the payload fields beside event_id). Rows are processed
in batches, each batch in one transaction; a refused (malformed) row stores nothing and never undoes
the other rows of its batch. The summary names every refused row with its line number and reason, and
the command exits non-zero when any row was refused. `--rejects FILE` writes the refused rows, in the
input's format, with their line numbers and reasons (custcare.core.files), to correct and import again:
the import reads a line of a rejects file as the record it holds (nothing is written when no row was
refused).

`--workers N` (PostgreSQL) receives the batches on N worker processes, each with its own connection, so
one worker's Python overlaps another's database time. The parent reads the file and hands out batches;
the events about one source record (EventKind.partition_key) and the events with one event id go to
the same worker, in file order (an event id met again under another key waits until every worker has
finished what it was given). The outcomes come back by line number, so the summary and the exit status
are those of one worker. A worker that stops is reported with the rows it did not confirm; the import is
idempotent, so the remedy is to run it again. SQLite has one writer at a time: there N falls back to 1.
"""

import multiprocessing
import os
import queue
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from custcare.core.errors import DomainError
from custcare.core.files import read_rows, reject_record, rejects_text
from custcare.core.sql import analyze_grown_tables
from custcare.events import import_worker
from custcare.events.models import SystemEvent
from custcare.events.registry import EventKind, event_kind_get
from custcare.events.services import SYSTEM_USERNAME, event_retry, events_receive_many, events_system_user

Row = tuple[int, str, dict[str, Any]]  # (line number, event id, payload)
# A row's outcome: "P" new and processed, "E" new and in the error queue, "R" a repeat, or the reason
# it was refused.
Outcome = tuple[int, str]


@dataclass
class Summary:
    processed: int = 0
    errors: int = 0
    repeats: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)

    def add(self, outcomes: list[Outcome]) -> None:
        for number, outcome in outcomes:
            if outcome == "P":
                self.processed += 1
            elif outcome == "E":
                self.errors += 1
            elif outcome == "R":
                self.repeats += 1
            else:
                self.refused.append((number, outcome))


class BatchRefused(Exception):
    """The whole batch was refused (unknown kind, no permission): the import stops."""


def receive_batch(kind: str, batch: list[Row], user: Any) -> list[Outcome]:
    """Receive one batch (one transaction) and say what became of each of its rows."""
    try:
        results = events_receive_many(kind=kind, items=[(e, p) for _, e, p in batch], user=user)
    except DomainError as exc:
        raise BatchRefused(refusal_text(exc)) from exc
    outcomes: list[Outcome] = []
    for (number, _, _), result in zip(batch, results, strict=True):
        if isinstance(result, DomainError):
            outcomes.append((number, refusal_text(result)))
            continue
        event, new = result
        outcomes.append((number, "R" if not new else "E" if event.status == SystemEvent.Status.ERROR else "P"))
    return outcomes


def split_row(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    event_id = str(row.get("event_id") or "")
    if isinstance(row.get("payload"), dict) and set(row) <= {"event_id", "payload"}:
        return event_id, row["payload"]
    return event_id, {k: v for k, v in row.items() if k != "event_id"}


def refusal_text(exc: DomainError) -> str:
    details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in sorted(exc.fields.items()))
    return f"{exc.message} {details}".strip()


class Intake:
    """Rows to batches, each received in this process as soon as it is full."""

    def __init__(self, kind: str, user: Any, size: int, summary: Summary, bar: Any) -> None:
        self.kind, self.user, self.size, self.summary, self.bar = kind, user, size, summary, bar
        self.batch: list[Row] = []

    def add(self, row: Row) -> None:
        self.batch.append(row)
        if len(self.batch) >= self.size:
            self._receive()

    def finish(self) -> None:
        if self.batch:
            self._receive()

    def close(self) -> None:
        pass

    def _receive(self) -> None:
        self.summary.add(receive_batch(self.kind, self.batch, self.user))
        self.bar.update(len(self.batch))
        self.batch = []
        analyze_grown_tables()


class WorkerStopped(Exception):
    """A worker process failed or ended while it held batches: what it did not confirm, and what to do."""


class WorkerPool:
    """Rows to batches received by `workers` workers at once, each on its own connection: this process
    and workers - 1 worker processes ('spawn': a fresh interpreter and django.setup() each, about a
    second of CPU). A row goes to the worker of its partition key (a stable hash), so the events about
    one source record are received by one worker in file order; an event id met again must go to the
    worker that has its earlier rows: when that is another worker, every worker first finishes what it
    was given (a barrier; then the earlier rows are committed and any worker will do). This process
    receives its own batches as they fill, between handing out the others'; a worker process has at most
    IN_FLIGHT batches waiting. The event ids seen since the last barrier are kept (about 100 bytes each)."""

    IN_FLIGHT = 3

    def __init__(
        self, kind: str, cls: type[EventKind], user: Any, size: int, summary: Summary, bar: Any, workers: int
    ) -> None:
        from django.conf import settings

        self.kind, self.cls, self.user, self.size, self.n = kind, cls, user, size, workers
        self.summary, self.bar = summary, bar
        ctx = multiprocessing.get_context("spawn")
        self.outbox = ctx.Queue()
        self.inboxes = {i: ctx.Queue() for i in range(1, workers)}  # worker 0 is this process
        database = connection.settings_dict["NAME"]
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
        self.procs = {
            i: ctx.Process(
                target=import_worker.work,
                args=(settings_module, database, kind, user.pk, inbox, self.outbox, i),
                name=f"custcare-events-import-{i}",
                daemon=True,
            )
            for i, inbox in self.inboxes.items()
        }
        for proc in self.procs.values():
            proc.start()
        self.filling: list[list[Row]] = [[] for _ in range(workers)]
        self.in_flight: dict[int, dict[int, list[Row]]] = {i: {} for i in self.procs}
        self.seq = 0
        self.worker_of_id: dict[str, int] = {}  # since the last barrier
        self.last_line = 0

    def add(self, row: Row) -> None:
        _, event_id, payload = row
        key = self.cls.partition_key(event_id, payload)
        worker = zlib.crc32(key.encode()) % self.n
        earlier = self.worker_of_id.get(event_id)
        if earlier is not None and earlier != worker:
            self._barrier()
        self.worker_of_id[event_id] = worker
        self.last_line = row[0]
        self.filling[worker].append(row)
        if len(self.filling[worker]) >= self.size:
            self._send(worker)

    def finish(self) -> None:
        self._barrier()
        for inbox in self.inboxes.values():
            inbox.put(None)
        for proc in self.procs.values():
            proc.join()

    def close(self) -> None:
        """Stop the workers still running (after an interruption: a batch cut short is rolled back whole)."""
        for proc in self.procs.values():
            if proc.is_alive():
                proc.terminate()
            proc.join()
        for q in [self.outbox, *self.inboxes.values()]:
            q.close()
            q.cancel_join_thread()

    def _send(self, worker: int) -> None:
        batch, self.filling[worker] = self.filling[worker], []
        if worker == 0:
            try:
                self.summary.add(receive_batch(self.kind, batch, self.user))
            except BatchRefused:
                self._drain_others(0)
                raise
            self.bar.update(len(batch))
            analyze_grown_tables()  # for every worker's connection: they write the same tables
            while self._collect(wait=False):
                pass
            return
        while len(self.in_flight[worker]) >= self.IN_FLIGHT:
            self._collect()
        self.seq += 1
        self.in_flight[worker][self.seq] = batch
        self.inboxes[worker].put((self.seq, batch))

    def _barrier(self) -> None:
        for worker in range(self.n):
            if self.filling[worker]:
                self._send(worker)
        while any(self.in_flight.values()):
            self._collect()
        self.worker_of_id.clear()

    def _collect(self, wait: bool = True) -> bool:
        """Take one answer from a worker process (waiting for it, or not) and account for it."""
        try:
            worker, seq, status, answer = self.outbox.get(timeout=1.0) if wait else self.outbox.get_nowait()
        except queue.Empty:
            for worker, proc in self.procs.items():
                if not proc.is_alive() and self.in_flight[worker]:
                    self._stop(worker, f"ended (exit code {proc.exitcode})")
            return False
        if status == "done":
            self._done(worker, seq, answer)
        elif status == "refused":
            self._drain_others(worker)
            raise BatchRefused(answer)
        else:
            self._stop(worker, f"failed: {answer.strip().splitlines()[-1] if answer.strip() else answer}")
        return True

    def _drain_others(self, failed: int) -> None:
        """Let the other worker processes finish the batches they hold, so that their outcomes count."""
        for worker, inbox in self.inboxes.items():
            if worker != failed:
                inbox.put(None)
        while True:
            waiting = any(self.in_flight[w] for w, proc in self.procs.items() if w != failed and proc.is_alive())
            try:  # once none is running, the answers sent just before a worker ended
                worker, seq, status, answer = self.outbox.get(timeout=1.0 if waiting else 0.2)
            except queue.Empty:
                if waiting:
                    continue
                return
            if status == "done":
                self._done(worker, seq, answer)
            # another worker that failed too: its rows stay unconfirmed

    def _done(self, worker: int, seq: int, outcomes: list[Outcome]) -> None:
        self.summary.add(outcomes)
        self.bar.update(len(self.in_flight[worker].pop(seq)))

    def _stop(self, worker: int, what: str) -> None:
        self._drain_others(worker)
        held = [*(b for batches in self.in_flight.values() for b in batches.values()), *self.filling]
        lost = sorted(number for batch in held for number, _, _ in batch)
        lines = ", ".join(str(n) for n in lost[:20]) + (", ..." if len(lost) > 20 else "")
        raise WorkerStopped(
            f"Worker process {worker} of {self.n - 1} {what}. {len(lost)} rows were not confirmed (lines {lines})"
            f" and the file was read up to line {self.last_line}; the counts above are the rows confirmed. Import"
            " the file again (with --workers 1 if it happens again): rows already received count as repeats."
        )


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "System events: bulk import from CSV or JSON lines, retry the error queue, list events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Receive the events of a file, in batches, with a progress bar.")
        imp.add_argument("file", help="The CSV or JSON lines file.")
        imp.add_argument("--kind", required=True, help="The event kind of every row, e.g. field-activity-completed.")
        imp.add_argument("--format", choices=["csv", "jsonl"], default=None, help="Default: from the file name.")
        imp.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        imp.add_argument("--user", default=None, help="Who the events are received as (needs contact.write).")
        imp.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Worker processes receiving batches at once, each on its own connection (default 1; "
            "PostgreSQL only: on SQLite, 1).",
        )
        imp.add_argument(
            "--rejects",
            default=None,
            help="Write the refused rows, with their line numbers and reasons, to this file, in the input's format "
            "(JSON lines: {line, reason, record}; CSV: the input's columns after line and reason), to correct and "
            "import again. Nothing is written when no row is refused.",
        )
        retry = sub.add_parser("retry", help="Process events in the error queue again.")
        retry.add_argument("--all-errors", action="store_true", required=True, help="Every event in the queue.")
        retry.add_argument("--kind", default=None, help="Only events of this kind.")
        retry.add_argument("--user", default=None, help="Who retries (needs config.write).")
        lst = sub.add_parser("list", help="List system events, newest first.")
        lst.add_argument("--status", choices=[s.value for s in SystemEvent.Status], default=None)
        lst.add_argument("--kind", default=None)
        lst.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self.import_file(options)
        elif action == "retry":
            self.retry(options)
        else:
            self.list(options)

    def _user(self, name: str | None) -> Any:
        if not name or name == SYSTEM_USERNAME:
            return events_system_user()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user '{name}'. Nothing was done.")
        return user

    def import_file(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path} does not exist. Nothing was imported.")
        if options["workers"] < 1:
            raise CommandError("--workers must be 1 or more. Nothing was imported.")
        fmt = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
        rejects = self._rejects_path(options["rejects"], fmt)
        user = self._user(options["user"])
        size = max(1, options["batch_size"])
        kind = options["kind"]
        cls = event_kind_get(kind)
        workers = options["workers"]
        if workers > 1 and connection.vendor != "postgresql":
            self.stderr.write(
                f"--workers {workers}: {connection.vendor} has one writer at a time, so the file is imported"
                " on one connection (--workers 1)."
            )
            workers = 1
        summary = Summary()
        total = sum(1 for _ in path.open(encoding="utf-8")) - (1 if fmt == "csv" else 0)
        with tqdm(total=max(total, 0), unit="event", disable=None, file=sys.stderr) as bar:
            # an unknown kind is refused by the first batch, as with one worker
            intake: Intake | WorkerPool = (
                Intake(kind, user, size, summary, bar)
                if workers == 1 or cls is None
                else WorkerPool(kind, cls, user, size, summary, bar, workers)
            )
            try:
                for number, row in read_rows(path, fmt):
                    if not isinstance(row, str):
                        row = reject_record(row, fmt)
                    if isinstance(row, str):
                        summary.refused.append((number, row))
                        bar.update(1)
                        continue
                    event_id, payload = split_row(row)
                    intake.add((number, event_id, payload))
                intake.finish()
            except BatchRefused as exc:
                raise CommandError(str(exc)) from exc
            except WorkerStopped as exc:
                self._report(summary, self._write_rejects(path, fmt, summary, rejects))
                raise CommandError(str(exc)) from exc
            finally:
                intake.close()
        note = self._write_rejects(path, fmt, summary, rejects)
        self._report(summary, note)
        if summary.refused:
            kept = f" They are in {rejects}." if note.startswith(", written to") else ""
            raise CommandError(f"{len(summary.refused)} rows were refused (the others were received).{kept}")

    @staticmethod
    def _rejects_path(name: str | None, fmt: str) -> Path | None:
        """The rejects file asked for, checked before anything is imported."""
        if not name:
            return None
        rejects = Path(name)
        if not rejects.parent.is_dir() or rejects.is_dir():
            raise CommandError(f"--rejects {rejects}: no such folder, or a folder. Nothing was imported.")
        suffix = rejects.suffix.lower()
        if (fmt == "csv" and suffix in (".jsonl", ".json")) or (fmt == "jsonl" and suffix == ".csv"):
            raise CommandError(
                f"--rejects {rejects}: the rejects are written in the input's format ({fmt}), so that the file"
                f" imports again as it is; name it .{fmt}. Nothing was imported."
            )
        return rejects

    @staticmethod
    def _write_rejects(path: Path, fmt: str, summary: Summary, rejects: Path | None) -> str:
        """Write the refused rows to `rejects` (nothing when no row was refused: a file already there is
        left as it was) and say what was done, for the summary line."""
        if rejects is None:
            return ""
        if not summary.refused:
            there = " (the file already there is left as it was)" if rejects.exists() else ""
            return f"; no rejects, so {rejects} was not written{there}"
        try:
            rejects.write_text(rejects_text(path, fmt, dict(summary.refused)), encoding="utf-8", newline="")
        except OSError as exc:
            return f"; {rejects} could not be written ({exc.strerror or exc})"
        return f", written to {rejects} to correct and import again"

    def _report(self, summary: Summary, rejects_note: str = "") -> None:
        self.stdout.write(
            f"{summary.processed} new events processed, {summary.errors} new events in the error queue, "
            f"{summary.repeats} repeats (already received), {len(summary.refused)} refused{rejects_note}."
        )
        for number, reason in sorted(summary.refused):
            self.stdout.write(f"  line {number}: {reason}")

    def retry(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        queue = SystemEvent.objects.filter(status=SystemEvent.Status.ERROR)
        if options["kind"]:
            queue = queue.filter(kind=options["kind"])
        fixed = still = 0
        for pk in tqdm(list(queue.order_by("id").values_list("pk", flat=True)), unit="event", disable=None):
            try:
                event = event_retry(event_pk=pk, user=user)
            except DomainError as exc:
                raise CommandError(refusal_text(exc)) from exc
            if event.status == SystemEvent.Status.PROCESSED:
                fixed += 1
            else:
                still += 1
        self.stdout.write(f"{fixed} events processed, {still} still in the error queue.")

    def list(self, options: dict[str, Any]) -> None:
        events = SystemEvent.objects.all()
        if options["status"]:
            events = events.filter(status=options["status"])
        if options["kind"]:
            events = events.filter(kind=options["kind"])
        for event in events[: options["limit"]]:
            reason = event.error.splitlines()[0][:100] if event.error else ""
            self.stdout.write(
                f"{event.pk:>8}  {event.received_at:%Y-%m-%d %H:%M:%S}  {event.kind:<28} {event.event_id:<24} "
                f"{event.status:<10} {reason}"
            )
