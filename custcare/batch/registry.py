"""Batch programs: the code a batch control runs.

A program works on integer keys (usually the primary keys of the records it processes). The framework
splits the keys of the pending work into one range per thread and hands each thread its range chunk
by chunk; the program processes one chunk set-based (a few SQL statements, never one per record) and
says how many records it processed and which it could not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

if TYPE_CHECKING:
    from custcare.batch.models import BatchRun


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class ChunkResult:
    records: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (record key, reason)


class BatchProgram:
    code: ClassVar[str]
    description: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, run: BatchRun) -> None:
        self.run = run
        self.params = self.Params.model_validate(run.parameters)

    def key_bounds(self) -> tuple[int, int] | None:
        """(lowest key - 1, highest key) of the work pending for this run, or None when there is none."""
        raise NotImplementedError

    def chunk_end(self, after: int, upto: int, size: int) -> int | None:
        """The key that ends the next chunk of at most `size` work items with keys in (after, upto],
        or None when no work is left there."""
        raise NotImplementedError

    def process_chunk(self, lo: int, hi: int) -> ChunkResult:
        """Process the work with keys in (lo, hi]. Runs inside the chunk's transaction, which also
        saves the checkpoint: it commits whole or not at all."""
        raise NotImplementedError

    @classmethod
    def check_params(cls, values: dict[str, Any]) -> dict[str, list[str]]:
        try:
            cls.Params.model_validate(values)
        except ValidationError as exc:
            errors: dict[str, list[str]] = {}
            for err in exc.errors():
                key = ".".join(str(p) for p in err["loc"]) or "parameters"
                errors.setdefault(f"parameters.{key}", []).append(err["msg"])
            return errors
        return {}


_PROGRAMS: dict[str, type[BatchProgram]] = {}


def register_batch_program(code: str, *, description: str = ""):  # type: ignore[no-untyped-def]
    def wrap(cls: type[BatchProgram]) -> type[BatchProgram]:
        cls.code = code
        cls.description = description or (cls.__doc__ or "").strip().splitlines()[0]
        _PROGRAMS[code] = cls
        return cls

    return wrap


def batch_program_get(code: str) -> type[BatchProgram]:
    try:
        return _PROGRAMS[code]
    except KeyError:
        raise KeyError(f"No batch program '{code}' is installed") from None


def batch_programs() -> list[type[BatchProgram]]:
    return sorted(_PROGRAMS.values(), key=lambda p: p.code)


def split_range(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """Split the keys (lo, hi] into `parts` contiguous ranges of nearly equal width."""
    width = hi - lo
    parts = max(1, min(parts, width)) if width > 0 else 1
    bounds = [lo + (width * i) // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]
