"""The To Do worklist selector with 100,000 open entries in the user's role, on PostgreSQL.

    .venv/bin/python -m bench.todo_worklist_bench [--entries 100000] [--runs 300] [--keep]

Creates a database of its own (custcare_bench_todo on the local server, or --database-url), migrates
it, loads the starter configuration, and bulk-creates the entries: `--entries` Open entries in
CSR-FOLLOWUP (spread over priorities 1–100 and ages up to 60 days, linked to persons and accounts so
the access-group filter and the {person} placeholder do real work), a fifth as many in another role,
and 200 entries Being Worked On by the bench user. Then it times `custcare.todo.selectors.worklist`
for the user (first page and page 10; each call with a freshly read user, so the role and access-group
reads are included), counts its SQL statements, appends the result to bench/RESULTS.md and drops the
database (unless --keep). Target: p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

P95_TARGET_MS = 100.0
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "custcare_bench_todo"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def machine() -> str:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    ram = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} CPUs (nproc), {ram}, {platform.system()} {platform.machine()}"


def _load(entries: int, seed: int) -> Any:
    """The configuration, 40 customers, the bench user and the entries; returns the user."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from custcare.core.ids import new_ids
    from custcare.demo.reference import reference_data_load, user_with_role_ensure
    from custcare.security import roles
    from custcare.todo.models import ToDoEntry, ToDoRoleUser, ToDoTypeSkill
    from custcare.todo.services import todo_reference_load
    from tests.factories import account_make, person_make

    call_command("migrate", verbosity=0)
    reference_data_load()
    todo_reference_load()
    user = user_with_role_ensure(
        username="bench-todo", role=roles.CSR, password="bench-todo-2026", access_groups=("RES", "COM")
    )
    ToDoRoleUser.objects.get_or_create(role_id="CSR-FOLLOWUP", user=user)
    ToDoTypeSkill.objects.get_or_create(todo_type_id="TD-CCCB", skill_id="BILLING", defaults={"min_level": 1})
    links = []
    for i in range(40):
        person = person_make(user, name=f"Bench, Person {i}", phone=f"(555) 300-{i:04d}")
        account = account_make(user, person, access_group="RES" if i % 4 else "COM")
        links.append((person.id, account.id))
    rng = random.Random(seed)
    now = timezone.now()
    specs: list[tuple[str, str, Any]] = [("CSR-FOLLOWUP", "O", None)] * entries
    specs += [("BILLING", "O", None)] * (entries // 5)
    specs += [("CSR-FOLLOWUP", "W", user)] * 200
    ids = new_ids(len(specs))
    batch: list[ToDoEntry] = []
    for entry_id, (role, status, assignee) in zip(ids, specs, strict=True):
        person_id, account_id = links[rng.randrange(len(links))]
        batch.append(
            ToDoEntry(
                id=entry_id,
                todo_type_id="TD-CCCB" if rng.random() < 0.8 else "TD-MANUAL",
                role_id=role,
                status=status,
                assigned_to=assignee,
                assigned_at=now if assignee else None,
                priority=rng.randint(1, 100),
                message=f"call back about bill {rng.randint(1000, 9999)}",
                person_id=person_id,
                account_id=account_id,
                created_at=now - dt.timedelta(seconds=rng.randint(0, 60 * 86400)),
            )
        )
        if len(batch) == 5000:
            ToDoEntry.objects.bulk_create(batch)
            batch = []
    ToDoEntry.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return user


def _time(user_id: int, page: int, runs: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    from custcare.todo.selectors import worklist

    User = get_user_model()
    timings = []
    for i in range(runs + 20):
        user = User.objects.get(pk=user_id)
        t0 = time.perf_counter()
        result = worklist(user=user, page=page)
        elapsed = (time.perf_counter() - t0) * 1000
        assert len(result.rows) == 50
        if i >= 20:  # the first calls warm the connection and the caches
            timings.append(elapsed)
    q = statistics.quantiles(timings, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "max": max(timings), "runs": len(timings)}


def _statements(user_id: int) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from custcare.todo.selectors import worklist

    user = get_user_model().objects.get(pk=user_id)
    with CaptureQueriesContext(connection) as ctx:
        worklist(user=user)
    return len(ctx.captured_queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--no-record", action="store_true", help="Do not append to bench/RESULTS.md.")
    args = parser.parse_args(argv)

    _admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _admin_execute(f"CREATE DATABASE {DATABASE}")
    os.environ["CUSTCARE_DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()
    from django.db import connections

    try:
        t0 = time.perf_counter()
        user = _load(args.entries, args.seed)
        load_s = time.perf_counter() - t0
        first = _time(user.pk, 1, args.runs)
        tenth = _time(user.pk, 10, args.runs)
        statements = _statements(user.pk)
    finally:
        connections.close_all()
        if not args.keep:
            _admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    ok = first["p95"] <= P95_TARGET_MS and tenth["p95"] <= P95_TARGET_MS
    lines = [
        "",
        f"## To Do worklist ({dt.date.today():%Y-%m-%d})",
        "",
        f"`.venv/bin/python -m bench.todo_worklist_bench` on PostgreSQL; {machine()}.",
        f"{args.entries:,} Open entries in the user's role CSR-FOLLOWUP, {args.entries // 5:,} in another role, "
        f"200 Being Worked On by the user; bulk-created in {load_s:.0f} s. `worklist(user)` timed {args.runs} times "
        "per page, each call with a freshly read user (roles and access groups included), 50 rows with the "
        "information text (CI_TDT-INFO) and the account access-group filter.",
        "",
        "| Page | p50 ms | p95 ms | max ms | SQL statements |",
        "|---|---|---|---|---|",
        f"| 1 | {first['p50']:.1f} | {first['p95']:.1f} | {first['max']:.1f} | {statements} |",
        f"| 10 | {tenth['p50']:.1f} | {tenth['p95']:.1f} | {tenth['max']:.1f} | {statements} |",
        "",
        f"Target p95 ≤ {P95_TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'}. "
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} (other work on the machine counts).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        header = "" if RESULTS.exists() else "# Benchmark results\n"
        with RESULTS.open("a") as f:
            f.write(header + text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
