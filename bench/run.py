"""The benchmarks under bench/: `make bench` lists them with how each is run; name one to run it.

    .venv/bin/python -m bench.run                 # the list, with each benchmark's usage
    .venv/bin/python -m bench.run events [ARGS]   # bench.events_bench with ARGS
    make bench BENCH="events --drop"              # the same through make (wrk installed first)

Each benchmark works on PostgreSQL (most create a database of their own) and prints its figures with
the machine, the date and the load average; bench/RESULTS.md records them with their ratios to the raw
database on the same machine.
"""

from __future__ import annotations

import ast
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _benchmarks() -> dict[str, Path]:
    return {p.stem.removesuffix("_bench"): p for p in sorted(HERE.glob("*_bench.py"))}


def main() -> None:
    found = _benchmarks()
    if len(sys.argv) < 2 or sys.argv[1] not in found:
        if len(sys.argv) >= 2:
            print(f"No benchmark '{sys.argv[1]}'. Choose one of: {', '.join(found)}.\n")
        for name, path in found.items():
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            title, _, rest = doc.partition("\n")
            usage = rest.strip().split("\n\n")[0]
            print(f"{name}: {title}\n    {usage}\n")
        if len(sys.argv) >= 2:
            sys.exit(2)
        return
    name = sys.argv[1]
    sys.argv = [str(found[name]), *sys.argv[2:]]
    runpy.run_module(f"bench.{found[name].stem}", run_name="__main__")


if __name__ == "__main__":
    main()
