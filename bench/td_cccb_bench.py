"""TD-CCCB throughput on PostgreSQL: due reminders turned into To Do entries per second.

    .venv/bin/python -m bench.td_cccb_bench --contacts 10000000 --due 1000000 [--chunks 5000,20000]
        [--threads 1,2] [--db custcare_bench_td] [--server postgres://postgres@127.0.0.1:5432] [--drop]

Works in a database of its own (created and migrated if missing; `--drop` removes it at the end). The
data is generated set-based in SQL: a few thousand persons and accounts from `custcare seed` (without
contacts), then `--contacts` customer contacts with ids lpad(n, 10, '0') spread over those customers,
and `--due` reminders due on the process date (plus one in eleven not yet due) on every k-th contact,
each with its contact log entry; 10% are addressed to a user, the rest to the CSR-FOLLOWUP role. Then
VACUUM ANALYZE.

Measured in the same run, on the same rows:
- raw: one `INSERT INTO todo_todoentry (...) SELECT ...` of every due reminder, the same columns and
  the same id expression as TD-CCCB, without the reminder update or any batch bookkeeping;
- TD-CCCB through `batch_run_submit` + `batch_run_execute` for each chunk size and thread count.
Between measurements the To Do entries are truncated, the reminders set back to PENDING and both
tables vacuumed and analysed. Targets: TD-CCCB >= 50,000 To Do/s, >= 0.15 of raw, 2 threads >= 1.7x 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from typing import Any

PROCESS_DATE = dt.date(2026, 11, 23)
PERSONS = 3000
RATE_TARGET = 50_000
RATIO_TARGET = 0.15
SPEEDUP_TARGET = 1.7


def _ensure_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup(url: str) -> None:
    os.environ["CUSTCARE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _sql(statement: str, params: Any = None) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(statement, params)
    return time.perf_counter() - started


def _scalar(statement: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchone()[0]


def _users() -> tuple[Any, Any]:
    from custcare.demo.reference import reference_data_load, user_with_role_ensure
    from custcare.security import roles
    from custcare.todo.models import ToDoRoleUser

    reference_data_load()
    operator = user_with_role_ensure(
        username="bench-batch", role=roles.BATCH_OPERATOR, password="bench-pass-2026", access_groups=("RES",)
    )
    worker = user_with_role_ensure(
        username="bench-worker", role=roles.CSR, password="bench-pass-2026", access_groups=("RES", "COM")
    )
    ToDoRoleUser.objects.get_or_create(role_id="CSR-FOLLOWUP", user=worker)
    return operator, worker


def _without_indexes(table: str) -> list[str]:
    """Drop the table's secondary indexes and foreign keys for a bulk load; returns the statements
    that put them back (one CREATE INDEX or ADD CONSTRAINT ... validated by a single join each)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f'",
            [table],
        )
        fks = cur.fetchall()
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cur.fetchall()
        for name, _ in fks:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
    return [d for _, d in indexes] + [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in fks]


def _restore(statements: list[str]) -> float:
    started = time.perf_counter()
    _sql("SET maintenance_work_mem = '512MB'")
    for statement in statements:
        _sql(statement)
    return time.perf_counter() - started


def _generate(contacts: int, due: int, worker_id: int) -> None:
    """Persons and accounts through the seed generator; contacts, log entries and reminders in SQL."""
    from django.core.management import call_command

    if _scalar("SELECT count(*) FROM customers_person") < PERSONS:
        call_command("seed", persons=PERSONS, contacts_per_person=0, no_progress=True, verbosity=0)
    have = _scalar("SELECT count(*) FROM contacts_customercontact")
    if have < contacts:
        ctype = _scalar("SELECT id FROM contacts_contacttype WHERE contact_class_id = 'INQ' AND type_code = 'PAYARR'")
        _sql("DROP TABLE IF EXISTS bench_pa")
        _sql(
            "CREATE UNLOGGED TABLE bench_pa AS SELECT row_number() OVER (ORDER BY account_id) - 1 AS n,"
            " person_id, account_id FROM customers_accountperson WHERE main_customer"
        )
        _sql("CREATE UNIQUE INDEX ON bench_pa (n)")
        k = _scalar("SELECT count(*) FROM bench_pa")
        print(f"generating {contacts - have:,} contacts over {k:,} customers ...", flush=True)
        restore = _without_indexes("contacts_customercontact")
        seconds = _sql(
            "INSERT INTO contacts_customercontact (id, contact_datetime, contact_class_id, contact_type_id,"
            " person_id, account_id, method, contact_detail, direction, is_open, description, origin,"
            " origin_reference, print_letter, letter_template, letter_suppressed, letter_reprint, created_at)"
            " SELECT lpad(g::text, 10, '0'), now() - make_interval(mins => g %% 500000), 'INQ', %s,"
            " pa.person_id, pa.account_id, 'PHONE', '', 'IN', g %% 7 = 0, 'Payment arrangement inquiry', 'USER',"
            " '', false, '', false, false, now()"
            " FROM generate_series(%s, %s) g JOIN bench_pa pa ON pa.n = g %% %s",
            [ctype, have + 1, contacts, k],
        )
        print(f"  {seconds:.0f} s, indexes and foreign keys {_restore(restore):.0f} s", flush=True)
        _sql("DROP TABLE bench_pa")
    total = due + due // 10
    if _scalar("SELECT count(*) FROM contacts_reminder") < total:
        step = max(1, contacts // total)
        print(f"generating {total:,} reminders ({due:,} due) with their log entries ...", flush=True)
        _sql("TRUNCATE contacts_reminder, contacts_contactlogentry RESTART IDENTITY CASCADE")
        restore = _without_indexes("contacts_contactlogentry") + _without_indexes("contacts_reminder")
        seconds = _sql(
            "INSERT INTO contacts_contactlogentry (id, contact_id, at, kind, comment, changes)"
            " SELECT g, lpad((g * %s)::text, 10, '0'), now(), 'NOTE', 'Reminder: call the customer back', '{}'"
            " FROM generate_series(1, %s) g",
            [step, total],
        )
        seconds += _sql(
            "INSERT INTO contacts_reminder (id, contact_id, log_entry_id, send_to_user_id, send_to_role_id,"
            " trigger_date, comment, state, created_at)"
            " SELECT g, lpad((g * %s)::text, 10, '0'), g, CASE WHEN g %% 10 = 3 THEN %s END,"
            " CASE WHEN g %% 10 = 3 THEN NULL ELSE 'CSR-FOLLOWUP' END,"
            " CASE WHEN g %% 11 = 0 THEN %s::date + 5 ELSE %s::date - (g %% 30) END,"
            " 'Call the customer back about the arrangement', 'PENDING', now()"
            " FROM generate_series(1, %s) g",
            [step, worker_id, PROCESS_DATE, PROCESS_DATE, total],
        )
        for table in ("contacts_contactlogentry", "contacts_reminder"):
            _sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        print(f"  {seconds:.0f} s, indexes and foreign keys {_restore(restore):.0f} s", flush=True)
    _reset(full=True)


def _reset(*, full: bool = False) -> None:
    """Back to the starting state: no To Do entries, every reminder pending; statistics fresh."""
    _sql("TRUNCATE todo_todolog, todo_todoentry")
    _sql("UPDATE contacts_reminder SET state = 'PENDING' WHERE state <> 'PENDING'")
    from django.db import connection

    tables = "" if full else " contacts_reminder, todo_todoentry"
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" + tables)
        cur.execute("CHECKPOINT")


def _due_count() -> int:
    return _scalar(
        "SELECT count(*) FROM contacts_reminder WHERE state = 'PENDING' AND trigger_date <= %s", [PROCESS_DATE]
    )


def _raw_insert() -> tuple[int, float]:
    """The same rows and columns as TD-CCCB in one statement, ids from the same SQL bijection."""
    from django.utils import timezone

    from custcare.core.ids import scramble_sql

    seconds = _sql(
        "INSERT INTO todo_todoentry (id, todo_type_id, role_id, assigned_to_id, status, priority, message,"
        " reminder_id, contact_id, person_id, account_id, created_at, batch_run_id, assigned_at,"
        " completion_comment)"
        f" SELECT {scramble_sql('5000000000 + d.rn')}, 'TD-CCCB', COALESCE(d.send_to_role_id, 'CSR-FOLLOWUP'),"
        " d.send_to_user_id, CASE WHEN d.send_to_user_id IS NULL THEN 'O' ELSE 'W' END, 50,"
        " substr(d.comment, 1, 250), d.rid, d.contact_id, d.person_id, d.account_id, %(now)s, NULL,"
        " CASE WHEN d.send_to_user_id IS NULL THEN NULL ELSE %(now)s END, ''"
        " FROM (SELECT r.id AS rid, r.contact_id, r.send_to_user_id, r.send_to_role_id, r.comment,"
        " c.person_id, c.account_id, row_number() OVER (ORDER BY r.id) AS rn"
        " FROM contacts_reminder r JOIN contacts_customercontact c ON c.id = r.contact_id"
        " LEFT JOIN auth_user u ON u.id = r.send_to_user_id"
        " WHERE r.state = 'PENDING' AND r.trigger_date <= %(limit)s AND (r.send_to_user_id IS NULL OR u.is_active)) d",
        {"now": timezone.now(), "limit": PROCESS_DATE},
    )
    return _scalar("SELECT count(*) FROM todo_todoentry"), seconds


def _td_cccb(operator: Any, threads: int, chunk: int) -> tuple[int, float, Any]:
    from custcare.batch.executors import batch_run_execute
    from custcare.batch.models import BatchRun
    from custcare.batch.services import batch_run_submit

    started = time.perf_counter()
    run = batch_run_submit(
        control_code="TD-CCCB", process_date=PROCESS_DATE, user=operator, thread_count=threads, chunk_size=chunk
    )
    run = batch_run_execute(run_id=run.pk)
    seconds = time.perf_counter() - started
    assert run.status == BatchRun.Status.COMPLETE, run.message
    made = _scalar("SELECT count(*) FROM todo_todoentry")
    assert made == run.records_processed, (made, run.records_processed)
    return made, seconds, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--due", type=int, default=1_000_000)
    parser.add_argument("--chunks", default="5000,20000", help="Chunk sizes to try (comma-separated).")
    parser.add_argument("--threads", default="1,2", help="Thread counts to try (comma-separated).")
    parser.add_argument("--repeat", type=int, default=1, help="Measurements of each configuration (best kept).")
    parser.add_argument("--db", default="custcare_bench_td")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--drop", action="store_true", help="Drop the bench database at the end.")
    args = parser.parse_args()

    _ensure_database(args.server, args.db)
    _setup(f"{args.server}/{args.db}")
    operator, worker = _users()
    _generate(args.contacts, args.due, worker.pk)
    due = _due_count()
    contacts = _scalar("SELECT count(*) FROM contacts_customercontact")
    print(f"{contacts:,} contacts, {due:,} due reminders on {PROCESS_DATE}", flush=True)

    raw_rows, raw_seconds = 0, float("inf")
    load_before = os.getloadavg()[0]
    for _ in range(args.repeat):
        rows, seconds = _raw_insert()
        raw_rows, raw_seconds = rows, min(raw_seconds, seconds)
        _reset()
    raw_rate = raw_rows / raw_seconds
    print(
        f"raw INSERT ... SELECT: {raw_rows:,} rows in {raw_seconds:.1f} s = {raw_rate:,.0f} rows/s"
        f" ({_load(load_before)})",
        flush=True,
    )

    results: dict[tuple[int, int], float] = {}
    for chunk in [int(c) for c in args.chunks.split(",")]:
        for threads in [int(t) for t in args.threads.split(",")]:
            best = float("inf")
            load_before = os.getloadavg()[0]
            for _ in range(args.repeat):
                made, seconds, _run = _td_cccb(operator, threads, chunk)
                assert made == due, (made, due)
                best = min(best, seconds)
                _reset()
            rate = due / best
            results[(chunk, threads)] = rate
            print(
                f"TD-CCCB chunk {chunk:,} threads {threads}: {due:,} To Do in {best:.1f} s = {rate:,.0f}/s,"
                f" {rate / raw_rate:.2f} of raw ({_load(load_before)})",
                flush=True,
            )
    print()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {_ram_gb():.0f} GB RAM, {dt.date.today()}")
    for chunk in sorted({c for c, _ in results}):
        one, two = results.get((chunk, 1)), results.get((chunk, 2))
        if one and two:
            print(f"chunk {chunk:,}: 2-thread speed-up {two / one:.2f}x (target {SPEEDUP_TARGET}x)")
    best_rate = max(results.values())
    print(
        f"best TD-CCCB {best_rate:,.0f}/s (target {RATE_TARGET:,}), ratio to raw {best_rate / raw_rate:.2f}"
        f" (target {RATIO_TARGET})"
    )
    if args.drop:
        from django.db import connections

        connections.close_all()
        _drop_database(args.server, args.db)
        print(f"dropped {args.db}")


def _load(before: float) -> str:
    """The 1-minute load average at the start and end of a measurement: other work on the machine
    shares its CPUs, and the figures mean little without it."""
    return f"{time.strftime('%H:%M:%S')}, load {before:.1f} -> {os.getloadavg()[0]:.1f}"


def _ram_gb() -> float:
    with open("/proc/meminfo") as f:
        kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return kb / 1024 / 1024


if __name__ == "__main__":
    main()
