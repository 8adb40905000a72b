"""`custcare records kinds|import`: bulk intake of CIS records (bills, pay plans, processes...) from a file.

Import reads CSV (a header row; the columns are the kind's fields) or JSON lines (one record per line)
in batches of up to 1,000, each batch in one transaction. A refused row (bad value, unknown account)
is not written and never undoes the other rows; the summary names each refused row by line number
with the reasons, `--rejects FILE` keeps them as JSON lines ({"line", "reason", "record"}) to correct and
import again as they are (a JSON line holding "record" and nothing but "line" and "reason" beside it is
read as that record), and the command exits non-zero when any row was refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from custcare.core.errors import DomainError, ValidationFailed
from custcare.core.files import read_rows, reject_record
from custcare.core.records import MAX_ROWS, record_kind_get, record_kinds, records_upsert


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "CIS records: list the kinds, or bulk import a CSV / JSON lines file of one kind."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("kinds", help="The record kinds and their fields.")
        imp = sub.add_parser("import", help="Add or replace the records of a file, in batches, with a progress bar.")
        imp.add_argument("kind", help="The record kind, e.g. bill, pay-plan (see `custcare records kinds`).")
        imp.add_argument("file", help="A .csv (header row) or .jsonl file.")
        imp.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file's extension.")
        imp.add_argument("--batch-size", type=int, default=MAX_ROWS)
        imp.add_argument("--user", required=True, help="The Integrator or Administrator the writes are audited to.")
        imp.add_argument("--rejects", help="Write refused rows, with their reasons, to this JSON lines file.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "kinds":
            for kind in record_kinds():
                self.stdout.write(f"{kind.code:<28} {kind.description}")
                self.stdout.write(f"{'':<28} fields: {', '.join(kind.payload.model_fields)}")
            return
        self.import_file(options)

    def import_file(self, options: dict[str, Any]) -> None:
        try:
            kind = record_kind_get(options["kind"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path} does not exist. Nothing was imported.")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user '{options['user']}'. Nothing was imported.")
        fmt = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
        size = min(MAX_ROWS, max(1, options["batch_size"]))
        total = sum(1 for _ in path.open(encoding="utf-8")) - (1 if fmt == "csv" else 0)
        added = changed = 0
        refused: list[tuple[int, dict[str, Any] | str, str]] = []
        batch: list[tuple[int, dict[str, Any]]] = []

        def flush() -> None:
            nonlocal added, changed
            try:
                result, errors = records_upsert(kind=kind.code, rows=[r for _, r in batch], user=user, partial=True)
            except ValidationFailed as exc:  # the batch as a whole conflicts with stored records
                refused.extend((number, row, exc.message) for number, row in batch)
                return
            except DomainError as exc:  # the whole file is refused: no permission
                raise CommandError(exc.message) from exc
            added += len(result.added)
            changed += len(result.changed)
            for index, fields in errors.rows.items():
                reason = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
                refused.append((batch[index][0], batch[index][1], reason))

        with tqdm(total=max(total, 0), unit="record", disable=None, file=sys.stderr) as bar:
            for number, row in read_rows(path, fmt):
                if fmt == "jsonl" and isinstance(row, dict):
                    row = reject_record(row, fmt)  # a corrected line of a rejects file: the record it holds
                if isinstance(row, str):
                    refused.append((number, "", row))
                    bar.update(1)
                    continue
                batch.append((number, row))
                if len(batch) >= size:
                    flush()
                    bar.update(len(batch))
                    batch = []
            if batch:
                flush()
                bar.update(len(batch))
        self.stdout.write(f"{kind.code}: {added} added, {changed} replaced, {len(refused)} refused.")
        refused.sort(key=lambda r: r[0])
        for number, _, reason in refused:
            self.stdout.write(f"  line {number}: {reason}")
        if options["rejects"] and refused:
            with open(options["rejects"], "w", encoding="utf-8") as out:
                for number, row, reason in refused:
                    out.write(json.dumps({"line": number, "reason": reason, "record": row}, default=str) + "\n")
        if refused:
            raise CommandError(f"{len(refused)} rows were refused (the others were imported).")
