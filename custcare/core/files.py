"""Reading intake files (CSV with a header row, or JSON lines), and writing the rows an import refused
to a rejects file in the same format, to correct and import again.

A rejects file keeps each refused line as it was read, with its line number and the reason:
- JSON lines: one object per line, {"line": N, "reason": "...", "record": <the line's object>}; a line
  that was not a JSON object keeps its text as a string in "record";
- CSV: the header and cells of the file, after two first columns "line" and "reason".
`reject_record` turns a corrected line of such a file back into the record it holds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REJECT_KEYS = ("line", "reason")  # a rejects file's own keys (JSON lines: beside "record"); CSV: columns
_WRAPPER = frozenset({*REJECT_KEYS, "record"})
NOT_AN_OBJECT = "record: not a JSON object (replace it by the corrected record)"


def _cell(value: str) -> Any:
    text = value.strip()
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return value
    return value


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, Any]]:
    """(line number, row) pairs; a row is a dict, or the reason the line could not be read."""
    with path.open(newline="", encoding="utf-8") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, {k: _cell(v) for k, v in row.items() if k and v not in ("", None)}
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                yield number, f"not JSON: {exc}"
                continue
            yield number, data if isinstance(data, dict) else "not a JSON object"


def _unwrap(data: dict[str, Any]) -> Any:
    """The record a JSON line of a rejects file holds, or `data` itself when it is not such a line."""
    return data["record"] if "record" in data and data.keys() <= _WRAPPER else data


def reject_record(row: dict[str, Any], fmt: str) -> dict[str, Any] | str:
    """The record of a row read by `read_rows`: a line of a rejects file gives the record it holds (JSON
    lines: {"line", "reason", "record"}, "line" and "reason" optional; CSV: the "line" and "reason"
    columns are left out), any other row is itself. A "record" that is not an object gives the reason."""
    if fmt == "csv":
        if "line" in row or "reason" in row:
            return {k: v for k, v in row.items() if k not in REJECT_KEYS}
        return row
    record = _unwrap(row)
    return record if isinstance(record, dict) else NOT_AN_OBJECT


def rejects_text(path: Path, fmt: str, refused: dict[int, str]) -> str:
    """The rejects file of the lines `refused` (line number: reason) of `path`, read again as they are in
    the file (CSV cells as written; a JSON line that was itself a rejects line gives its record), in line
    order."""
    out = io.StringIO()
    with path.open(newline="", encoding="utf-8") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            columns = [c for c in reader.fieldnames or [] if c and c not in REJECT_KEYS]
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([*REJECT_KEYS, *columns])
            for row in reader:
                if reader.line_num in refused:
                    cells = [row.get(c) or "" for c in columns]
                    writer.writerow([reader.line_num, refused[reader.line_num], *cells])
            return out.getvalue()
        for number, line in enumerate(handle, start=1):
            if number not in refused:
                continue
            text = line.rstrip("\r\n")
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            record = _unwrap(data) if isinstance(data, dict) else text  # not an object: the line's text
            reject = {"line": number, "reason": refused[number], "record": record}
            out.write(json.dumps(reject, ensure_ascii=False, default=str) + "\n")
    return out.getvalue()
