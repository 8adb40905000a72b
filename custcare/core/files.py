"""Reading intake files: CSV with a header row, or JSON lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


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
