"""`custcare events import|retry|list`: bulk intake of system events from a file, and the error queue.

Import reads CSV (a header row; columns are the payload fields plus event_id; a cell holding a JSON
list or object, e.g. remarks, is read as JSON; empty cells are left out) or JSON lines (one object per
line: {"event_id": ..., "payload": {...}} or the payload fields beside event_id). Rows are processed
in batches, each batch in one transaction; a refused (malformed) row stores nothing and never undoes
the other rows of its batch. The summary names every refused row with its line number and reason, and
the command exits non-zero when any row was refused.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from custcare.core.errors import DomainError
from custcare.core.files import read_rows
from custcare.events.models import SystemEvent
from custcare.events.services import SYSTEM_USERNAME, event_retry, events_receive_many, events_system_user


@dataclass
class Summary:
    processed: int = 0
    errors: int = 0
    repeats: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def split_row(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    event_id = str(row.get("event_id") or "")
    if isinstance(row.get("payload"), dict) and set(row) <= {"event_id", "payload"}:
        return event_id, row["payload"]
    return event_id, {k: v for k, v in row.items() if k != "event_id"}


def refusal_text(exc: DomainError) -> str:
    details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in sorted(exc.fields.items()))
    return f"{exc.message} {details}".strip()


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
        fmt = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
        user = self._user(options["user"])
        size = max(1, options["batch_size"])
        summary = Summary()
        total = sum(1 for _ in path.open(encoding="utf-8")) - (1 if fmt == "csv" else 0)
        batch: list[tuple[int, str, dict[str, Any]]] = []
        with tqdm(total=max(total, 0), unit="event", disable=None, file=sys.stderr) as bar:
            for number, row in read_rows(path, fmt):
                if isinstance(row, str):
                    summary.refused.append((number, row))
                    bar.update(1)
                    continue
                event_id, payload = split_row(row)
                batch.append((number, event_id, payload))
                if len(batch) >= size:
                    self._batch(options["kind"], batch, user, summary)
                    bar.update(len(batch))
                    batch = []
            if batch:
                self._batch(options["kind"], batch, user, summary)
                bar.update(len(batch))
        self.stdout.write(
            f"{summary.processed} new events processed, {summary.errors} new events in the error queue, "
            f"{summary.repeats} repeats (already received), {len(summary.refused)} refused."
        )
        for number, reason in sorted(summary.refused):
            self.stdout.write(f"  line {number}: {reason}")
        if summary.refused:
            raise CommandError(f"{len(summary.refused)} rows were refused (the others were received).")

    def _batch(self, kind: str, batch: list[tuple[int, str, dict[str, Any]]], user: Any, summary: Summary) -> None:
        try:
            results = events_receive_many(kind=kind, items=[(e, p) for _, e, p in batch], user=user)
        except DomainError as exc:  # the whole batch is refused: unknown kind, no permission
            raise CommandError(refusal_text(exc)) from exc
        for (number, _, _), result in zip(batch, results, strict=True):
            if isinstance(result, DomainError):
                summary.refused.append((number, refusal_text(result)))
                continue
            event, new = result
            if not new:
                summary.repeats += 1
            elif event.status == SystemEvent.Status.ERROR:
                summary.errors += 1
            else:
                summary.processed += 1

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
