"""System events on PostgreSQL: the intake API, bulk intake, and the credit card expiry batch.

    .venv/bin/python -m bench.events_bench [--customers 3000] [--loader wrk|python] [--http-seconds 10] [--history 0]
        [--http-events 3000] [--clients 8] [--threads 1]
        [--bulk-events 20000] [--autopays 1000000] [--batch 500] [--workers 1,2,1,2]
        [--only statements,http,http-batch,bulk,expiry]
        [--db custcare_bench_ev] [--server postgres://postgres@127.0.0.1:5432] [--drop]

Works in a database of its own (created and migrated if missing; `--drop` removes it at the end).
Customers come from `custcare seed` (without contacts); FARSPTOCUS is configured on the SPOKE remark
type as the starter configuration would (class SVC, type FIELDVIS, a message, the source id stamped as
a characteristic). Every event is a field-activity-completed with one SPOKE remark, so each creates
one contact (plus its characteristic, the field activity and its remark, the stored event and the
audit entries).

- statements: SQL statements and in-process time of one event (event_receive) and of a batch of 1,000
  (events_receive_many), counted with CaptureQueriesContext.
- http: gunicorn (2 sync worker processes; with `--threads N`, N threads each) serves CustCare on
  127.0.0.1. With `--loader wrk` (the default when Debian's wrk is installed: `make bench-tools`), wrk
  keeps `--clients` connections busy for `--http-seconds`, each event posted once; events/s = 201
  responses over wrk's duration, checked against the events stored. With `--loader python`, `--clients`
  Python threads send `--http-events` events, bounded to 300 s; events/s over the wall time. With
  `--history N`, N events are received in bulk first, so that the requests run against tables that hold
  a running installation's events rather than the few the statements step left. Either way
  the load generator's CPU use is printed: it shares the 2 CPUs with the server and PostgreSQL (wrk
  ~0.1 ms per request, the Python threads ~0.27 ms).
- http-batch: the same server; 2 client threads send `--bulk-events` events `--batch` at a time to
  POST /api/v1/events/<kind>/batch (one transaction per request).
- bulk: `custcare events import` of a JSON lines file of `--bulk-events` events, in process, with the
  CPU time the import itself used per event (the rest of the wall time is the database's, or waiting
  for a CPU on a busy machine); once per value of `--workers` (e.g. 1,2,1,2: the import's --workers,
  runs alternated so that they are compared in the same conditions), each with its own events.
- raw: for each, one `INSERT INTO contacts_customercontact ... SELECT FROM unnest(...)` of the same
  number of contacts with the same column values (ids from the same counter): the floor.
- expiry: `--autopays` auto-pay records generated in SQL over the seeded accounts (one in ten a bank
  account, one in twenty inactive, expiry months spread over four years), then
  C1-ExpireCreditCardCustContact through batch_run_submit + batch_run_execute with 2 threads;
  records/s = auto-pay records in the run's key range / wall time; a raw INSERT ... SELECT of the same
  notices is measured for the ratio.
Targets: http >= 500 events/s, bulk >= 5,000 events/s, expiry >= 50,000 records/s.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROCESS_DATE = dt.date(2026, 11, 23)
KIND = "field-activity-completed"
HTTP_TARGET, BULK_TARGET, EXPIRY_TARGET = 500, 5_000, 50_000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _free_port()


def _ensure_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup(url: str, customers: int) -> dict[str, Any]:
    os.environ["CUSTCARE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from custcare.algorithms.models import Algorithm
    from custcare.demo.reference import reference_data_load, user_with_role_ensure
    from custcare.fieldwork.models import FieldActivityRemarkTypeAlgorithm
    from custcare.payments.reference import payments_reference_load
    from custcare.security import roles

    call_command("migrate", verbosity=0)
    reference_data_load()
    payments_reference_load()
    if _scalar("SELECT count(*) FROM customers_person") < customers:
        call_command("seed", persons=customers, contacts_per_person=0, no_progress=True, verbosity=0)
    Algorithm.objects.update_or_create(
        code="FA-SPOKE",
        defaults={
            "description": "Crew spoke to the customer",
            "algorithm_type": "FARSPTOCUS",
            "parameters": {
                "contact_class": "SVC",
                "contact_type": "FIELDVIS",
                "recipients": "MAIN",
                "stamp_char_type": "SOURCE-ID",
                "message": "Crew {crew} spoke to the customer: {remark_text}",
            },
        },
    )
    FieldActivityRemarkTypeAlgorithm.objects.get_or_create(remark_type_id="SPOKE", algorithm_id="FA-SPOKE")
    user_with_role_ensure(
        username="bench-integrator", role=roles.INTEGRATOR, password="bench-pass-2026", access_groups=("RES", "COM")
    )
    user_with_role_ensure(
        username="bench-batch", role=roles.BATCH_OPERATOR, password="bench-pass-2026", access_groups=("RES",)
    )
    _sql("VACUUM ANALYZE")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT sa.premise_id, sa.account_id FROM customers_serviceagreement sa"
            " JOIN customers_accountperson m ON m.account_id = sa.account_id AND m.main_customer"
            " WHERE sa.status = 'AC' ORDER BY sa.id"
        )
        pairs = cur.fetchall()
    return {"pairs": pairs}


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


def _events(tag: str, count: int, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        premise, account = pairs[i % len(pairs)]
        out.append(
            {
                "event_id": f"{tag}-{i}",
                "field_activity_id": f"{tag}-{i}",
                "fa_type": "MTRCHK",
                "premise_id": premise,
                "account_id": account,
                "crew": f"Crew {i % 17}",
                "remarks": [{"remark_type": "SPOKE", "text": "Customer asked about the new meter"}],
            }
        )
    return out


def _raw_insert(count: int, pairs: list[tuple[str, str]], tag: str) -> float:
    """Seconds to insert `count` contacts like the events' in one statement (then removed)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from custcare.contacts.models import ContactType
    from custcare.core.ids import new_ids

    ctype = ContactType.objects.get(contact_class_id="SVC", type_code="FIELDVIS")
    main = dict(
        _rows(
            "SELECT account_id, person_id FROM customers_accountperson WHERE main_customer AND account_id = ANY(%s)",
            [list({a for _, a in pairs})],
        )
    )
    ids = new_ids(count)
    persons = [main[pairs[i % len(pairs)][1]] for i in range(count)]
    accounts = [pairs[i % len(pairs)][1] for i in range(count)]
    premises = [pairs[i % len(pairs)][0] for i in range(count)]
    origins = [f"RAW-{tag}:field-activity:{tag}-{i}:SPOKE" for i in range(count)]
    texts = [f"Crew {i % 17} spoke to the customer: Customer asked about the new meter" for i in range(count)]
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts_customercontact (id, contact_datetime, user_id, contact_class_id, contact_type_id,"
            " person_id, account_id, premise_id, method, contact_detail, direction, is_open, description, origin,"
            " origin_reference, print_letter, letter_template, letter_suppressed, letter_reprint, created_at)"
            " SELECT u.id, %s, NULL, 'SVC', %s, u.person, u.account, u.premise, 'NA', '', 'OUT', FALSE, u.text,"
            " 'ALG', u.origin, FALSE, '', FALSE, FALSE, %s"
            " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
            " AS u (id, person, account, premise, origin, text)",
            [now, ctype.pk, now, ids, persons, accounts, premises, origins, texts],
        )
    elapsed = time.perf_counter() - started
    _sql("DELETE FROM contacts_customercontact WHERE origin_reference LIKE %s", [f"RAW-{tag}:%"])
    return elapsed


def _rows(statement: str, params: Any = None) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall()


def _token() -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    body = json.dumps({"username": "bench-integrator", "password": "bench-pass-2026"})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    return str(data["token"])


def _wait_for_server(server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


@contextlib.contextmanager
def _gunicorn(url: str, workers: int = 2, threads: int = 1) -> Iterator[None]:
    """CustCare under gunicorn on 127.0.0.1:PORT (`workers` processes; gthread when `threads` > 1)."""
    env = {**os.environ, "CUSTCARE_DATABASE_URL": url, "CUSTCARE_DEBUG": "0", "CUSTCARE_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "custcare.wsgi:application",
            "--workers",
            str(workers),
            *(["--threads", str(threads)] if threads > 1 else []),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_for_server(server, time.time() + 60)
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def bench_http(
    url: str, events: list[dict[str, Any]], clients: int, workers: int = 2, batch: int = 0, threads: int = 1
) -> dict[str, Any]:
    """Events/s through gunicorn with Python client threads (http.client); `batch` > 0 sends them `batch`
    at a time to POST .../batch; `threads` > 1 serves with that many threads per worker process (gthread).
    The bench's own CPU time while sending (its client threads share the machine's CPUs with the server)
    is reported as cpu_share: the fraction of one CPU the load generator used."""
    with _gunicorn(url, workers, threads):
        token = _token()
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        slices = [events[i::clients] for i in range(clients)]
        stop_at = time.time() + 300

        def send(mine: list[dict[str, Any]]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
            if batch:
                for start in range(0, len(mine), batch):
                    if time.time() > stop_at:
                        break
                    body = json.dumps({"events": mine[start : start + batch]}).encode()
                    conn.request("POST", f"/api/v1/events/{KIND}/batch", body, headers)
                    response = conn.getresponse()
                    data = response.read()
                    with lock:
                        if response.status != 200:
                            statuses[response.status] = statuses.get(response.status, 0) + len(
                                mine[start : start + batch]
                            )
                            continue
                        for item in json.loads(data):
                            statuses[item["status"]] = statuses.get(item["status"], 0) + 1
                conn.close()
                return
            for event in mine:
                if time.time() > stop_at:
                    break
                conn.request("POST", f"/api/v1/events/{KIND}", json.dumps(event).encode(), headers)
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            conn.close()

        senders = [threading.Thread(target=send, args=(s,)) for s in slices]
        started, cpu = time.perf_counter(), time.process_time()
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = sum(statuses.values())
    return {
        "events": sent,
        "seconds": elapsed,
        "rate": sent / elapsed,
        "statuses": statuses,
        "cpu_share": cpu / elapsed,
    }


def bench_http_wrk(
    url: str, events: list[dict[str, Any]], connections: int, seconds: float, workers: int = 2, threads: int = 1
) -> dict[str, Any]:
    """Events/s through gunicorn with wrk as the load generator: one wrk thread keeps `connections`
    connections busy for `seconds`, each event posted once (bench/wrk_events.lua). wrk is a C program, so
    the load generator takes a few percent of one CPU instead of the Python client threads' 13-15% on
    this 2-CPU machine, where the server and PostgreSQL share the same CPUs. Events/s = 201 responses
    over wrk's measured duration; the stored events of the run are counted to check it (they can
    exceed the 201s by the requests still in flight when wrk stopped, at most one per connection)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: run `make bench-tools` (Debian's wrk) or use --loader python")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as bodies:
        for event in events:
            bodies.write(json.dumps(event) + "\n")
    try:
        with _gunicorn(url, workers, threads):
            token = _token()
            children = _children_cpu()
            out = subprocess.run(
                [
                    wrk,
                    "-t1",
                    f"-c{connections}",
                    f"-d{seconds:g}s",
                    "--timeout",
                    "30s",
                    "-s",
                    str(ROOT / "bench/wrk_events.lua"),
                    f"http://127.0.0.1:{PORT}/api/v1/events/{KIND}",
                    "--",
                    bodies.name,
                    "1",
                    token,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            wrk_cpu = _children_cpu() - children
    finally:
        os.unlink(bodies.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    fields = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
    if fields["exhausted"]:
        raise RuntimeError(f"wrk ran out of events before {seconds:g} s: raise the number of events")
    elapsed = fields["duration_us"] / 1e6
    stored = _scalar(
        "SELECT count(*) FROM events_systemevent WHERE kind = %s AND event_id = ANY(%s)",
        [KIND, [e["event_id"] for e in events]],
    )
    if not fields["created"] <= stored <= fields["created"] + connections:
        raise RuntimeError(f"{fields['created']} events answered 201 but {stored} stored")
    return {
        "events": fields["created"],
        "seconds": elapsed,
        "rate": fields["created"] / elapsed,
        "statuses": {201: fields["created"], "other": fields["other"]},
        "stored": stored,
        "cpu_share": wrk_cpu / elapsed,
    }


def _fresh_session() -> None:
    """Start the next step as a new process would: statistics brought up to date with what the steps
    before wrote, and a new database session. A session that ran the first events while the field
    activity table was nearly empty keeps the plans PostgreSQL cached for its deferred foreign-key checks
    (a sequential scan of that then tiny table) and, a few thousand events later, spends seconds per
    COMMIT on them; `custcare events import` runs in a process of its own and never sees that."""
    from django.db import connection

    _sql("ANALYZE")
    connection.close()


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_bulk(events: list[dict[str, Any]], workers: int = 1) -> dict[str, Any]:
    from django.core.management import call_command

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for event in events:
            event_id = event["event_id"]
            payload = {k: v for k, v in event.items() if k != "event_id"}
            handle.write(json.dumps({"event_id": event_id, "payload": payload}) + "\n")
        path = handle.name
    from io import StringIO

    out = StringIO()
    started, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    call_command(
        "events", "import", path, "--kind", KIND, "--batch-size", "1000", "--workers", str(workers),
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    elapsed, cpu = time.perf_counter() - started, time.process_time() + _children_cpu() - cpu
    os.unlink(path)
    return {
        "events": len(events),
        "seconds": elapsed,
        "rate": len(events) / elapsed,
        "cpu_ms": cpu * 1000 / len(events),  # the import CPU per event, workers included (not the database's)
        "summary": out.getvalue(),
    }


def bench_statements(pairs: list[tuple[str, str]], tag: str) -> dict[str, Any]:
    """SQL statements (and in-process milliseconds) for one event through event_receive, as the API
    calls it, and for a batch of 1,000 through events_receive_many, as the bulk import calls it."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from custcare.events.services import event_receive, events_receive_many

    user = get_user_model().objects.get(username="bench-integrator")
    events = _events(tag, 1_021, pairs)
    items = [(e["event_id"], {k: v for k, v in e.items() if k != "event_id"}) for e in events]
    for event_id, payload in items[:20]:  # warm: caches, id block, plans
        event_receive(kind=KIND, event_id=event_id, payload=payload, user=user)
    with CaptureQueriesContext(connection) as one:
        started = time.perf_counter()
        event_receive(kind=KIND, event_id=items[20][0], payload=items[20][1], user=user)
        one_ms = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as many:
        started = time.perf_counter()
        events_receive_many(kind=KIND, items=items[21:], user=user)
        many_ms = (time.perf_counter() - started) * 1000
    return {"one": len(one.captured_queries), "one_ms": one_ms, "many": len(many.captured_queries), "many_ms": many_ms}


def _history(pairs: list[tuple[str, str]], tag: str, count: int) -> int:
    """Events received before the HTTP step, as a running installation has them (the same kind,
    through events_receive_many in batches of 1,000): the events, field activities and generated
    contacts the intake requests then read and index beside. Returns how many the tables hold."""
    from django.contrib.auth import get_user_model

    from custcare.events.services import events_receive_many

    user = get_user_model().objects.get(username="bench-integrator")
    events = _events(tag, count, pairs)
    for start in range(0, count, 1000):
        items = [(e["event_id"], {k: v for k, v in e.items() if k != "event_id"}) for e in events[start : start + 1000]]
        events_receive_many(kind=KIND, items=items, user=user)
    return int(_scalar("SELECT count(*) FROM events_systemevent"))


def _generate_autopays(count: int) -> None:
    have = _scalar("SELECT count(*) FROM payments_autopay")
    if have >= count:
        return
    _sql("TRUNCATE payments_autopay RESTART IDENTITY")
    _sql("DROP TABLE IF EXISTS bench_acct")
    _sql(
        "CREATE TABLE bench_acct AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM customers_account"
        " WHERE EXISTS (SELECT 1 FROM customers_accountperson m WHERE m.account_id = customers_account.id"
        " AND m.main_customer)"
    )
    accounts = _scalar("SELECT count(*) FROM bench_acct")
    _sql(
        "INSERT INTO payments_autopay (external_id, account_id, person_id, method, card_brand, card_last4,"
        " expiry_month, expiry_year, start_date, end_date, active, updated_at)"
        " SELECT 'AP-' || g, a.id, NULL, CASE WHEN g %% 10 = 0 THEN 'BANK' ELSE 'CC' END,"
        " CASE WHEN g %% 10 = 0 THEN '' ELSE (ARRAY['VISA','MC','AMEX'])[1 + g %% 3] END,"
        " CASE WHEN g %% 10 = 0 THEN '' ELSE lpad((g %% 10000)::text, 4, '0') END,"
        " CASE WHEN g %% 10 = 0 THEN NULL ELSE 1 + (g / 10) %% 12 END,"
        " CASE WHEN g %% 10 = 0 THEN NULL ELSE 2025 + (g / 120) %% 4 END,"
        " DATE '2024-01-01', NULL, g %% 20 <> 7, now()"
        " FROM generate_series(1, %s) g JOIN bench_acct a ON a.k = 1 + g %% %s",
        [count, accounts],
    )
    _sql("DROP TABLE bench_acct")
    _sql("VACUUM ANALYZE payments_autopay")


def bench_expiry(count: int) -> dict[str, Any]:
    from custcare.batch.executors import batch_run_execute
    from custcare.batch.services import batch_run_submit
    from custcare.security.roles import ADMINISTRATOR  # noqa: F401

    _generate_autopays(count)
    code = "C1-ExpireCreditCardCustContact"
    _sql("DELETE FROM contacts_customercontact WHERE origin_reference LIKE %s", [f"{code}:%"])
    _sql("VACUUM ANALYZE contacts_customercontact")
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.get(username="bench-batch")
    run = batch_run_submit(
        control_code=code, process_date=PROCESS_DATE, user=operator, thread_count=2, chunk_size=50000
    )
    started = time.perf_counter()
    run = batch_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - started
    span = _scalar("SELECT count(*) FROM payments_autopay")
    notices = _scalar("SELECT count(*) FROM contacts_customercontact WHERE origin_reference LIKE %s", [f"{code}:%"])
    # raw: the same notices in one INSERT ... SELECT without the batch (then removed)
    _sql("DELETE FROM contacts_customercontact WHERE origin_reference LIKE %s", [f"{code}:%"])
    ctype = _scalar("SELECT id FROM contacts_contacttype WHERE contact_class_id = 'BILL' AND type_code = 'CCEXPIRE'")
    raw = _sql(
        "INSERT INTO contacts_customercontact (id, contact_datetime, user_id, contact_class_id, contact_type_id,"
        " person_id, account_id, premise_id, method, contact_detail, direction, is_open, description, origin,"
        " origin_reference, print_letter, letter_template, letter_suppressed, letter_reprint, created_at)"
        " SELECT lpad((9000000000 + ap.id)::text, 10, '0'), now(), NULL, 'BILL', %s, m.person_id, ap.account_id,"
        " NULL, 'POSTAL', '', 'OUT', FALSE, 'notice', 'ALG', 'RAW:' || ap.id, FALSE, '', FALSE, FALSE, now()"
        " FROM payments_autopay ap JOIN customers_accountperson m ON m.account_id = ap.account_id AND m.main_customer"
        " WHERE ap.active AND ap.method = 'CC' AND ap.expiry_year * 12 + ap.expiry_month = 2026 * 12 + 11",
        [ctype],
    )
    _sql("DELETE FROM contacts_customercontact WHERE origin_reference LIKE 'RAW:%%'")
    return {
        "records": span,
        "seconds": elapsed,
        "rate": span / elapsed,
        "notices": notices,
        "status": run.status,
        "raw_seconds": raw,
        "raw_rate": notices / raw if raw else 0,
        "notice_rate": notices / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--http-events", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8, help="http: client threads, or wrk's connections")
    parser.add_argument(
        "--loader",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="http: the load generator (wrk when installed: `make bench-tools`)",
    )
    parser.add_argument("--http-seconds", type=float, default=10, help="http with wrk: how long to send")
    parser.add_argument(
        "--history", type=int, default=0, help="http: events received in bulk before it (a running installation's)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="http: threads per gunicorn worker process (gthread when > 1)"
    )
    parser.add_argument("--bulk-events", type=int, default=20000)
    parser.add_argument("--autopays", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=500, help="events per request for http-batch")
    parser.add_argument("--only", default="statements,http,http-batch,bulk,expiry")
    parser.add_argument(
        "--workers", default="1", help="bulk: the import's --workers, one run each in turn, e.g. 1,2,1,2"
    )
    parser.add_argument("--db", default="custcare_bench_ev")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    url = f"{args.server}/{args.db}"
    _ensure_database(args.server, args.db)
    only = set(args.only.split(","))
    machine = f"{platform.node()} {platform.processor() or platform.machine()} {os.cpu_count()} CPUs"
    print(f"{machine}, load average {os.getloadavg()[0]:.1f}, {dt.datetime.now():%Y-%m-%d %H:%M}")
    try:
        ctx = _setup(url, args.customers)
        pairs = ctx["pairs"]
        tag = f"{int(time.time())}"
        if "statements" in only:
            result = bench_statements(pairs, f"S{tag}")
            print(
                f"statements (BEGIN and COMMIT counted when sent): one event {result['one']},"
                f" {result['one_ms']:.1f} ms in-process; a batch of 1,000 events {result['many']},"
                f" {result['many_ms']:.0f} ms in process"
            )
        if "http" in only:
            history = ""
            if args.history:
                held = _history(pairs, f"Y{tag}", args.history)
                history = f", {held} events stored before"
            _fresh_session()
            if args.loader == "wrk":
                # more events than 2,500/s could use: each is sent once, the run lasts --http-seconds
                events = _events(f"H{tag}", int(args.http_seconds * 2500), pairs)
                result = bench_http_wrk(url, events, args.clients, args.http_seconds, threads=args.threads)
                loader = f"wrk, {args.clients} connections"
                stored = f"; {result['stored']} events stored"
            else:
                events = _events(f"H{tag}", args.http_events, pairs)
                result = bench_http(url, events, args.clients, threads=args.threads)
                loader = f"{args.clients} Python client threads"
                stored = ""
            raw = _raw_insert(result["events"], pairs, f"h{tag}")
            print(
                f"http (2 workers, {args.threads} thread{'s' if args.threads > 1 else ''} each; {loader}{history}):"
                f" {result['events']} events in {result['seconds']:.2f} s = {result['rate']:.0f} events/s"
                f" (target {HTTP_TARGET}); statuses {result['statuses']}{stored}; load generator CPU"
                f" {result['cpu_share']:.2f} of one CPU; raw insert of the same contacts"
                f" {result['events'] / raw:.0f} rows/s; ratio {result['rate'] / (result['events'] / raw):.4f};"
                f" load average {os.getloadavg()[0]:.1f}"
            )
        if "http-batch" in only:
            _fresh_session()
            events = _events(f"J{tag}", args.bulk_events, pairs)
            result = bench_http(url, events, 2, batch=args.batch)
            raw = _raw_insert(result["events"], pairs, f"j{tag}")
            print(
                f"http batch ({args.batch} per request, 2 clients): {result['events']} events in"
                f" {result['seconds']:.2f} s = {result['rate']:.0f} events/s; statuses {result['statuses']};"
                f" client CPU {result['cpu_share']:.2f} of one CPU; raw insert {result['events'] / raw:.0f} rows/s;"
                f" ratio {result['rate'] / (result['events'] / raw):.4f}; load average {os.getloadavg()[0]:.1f}"
            )
        for n, workers in enumerate(int(w) for w in args.workers.split(",")) if "bulk" in only else []:
            load = os.getloadavg()[0]
            _fresh_session()
            events = _events(f"B{n}{tag}", args.bulk_events, pairs)
            result = bench_bulk(events, workers)
            raw = _raw_insert(result["events"], pairs, f"b{n}{tag}")
            print(
                f"bulk --workers {workers}: {result['events']} events in {result['seconds']:.2f} s"
                f" = {result['rate']:.0f} events/s (load average at start {load:.1f})"
                f" (target {BULK_TARGET}); import CPU {result['cpu_ms']:.3f} ms per event;"
                f" raw insert {result['events'] / raw:.0f} rows/s;"
                f" ratio {result['rate'] / (result['events'] / raw):.4f}; load average {os.getloadavg()[0]:.1f};"
                f" {result['summary'].strip()}"
            )
        if "expiry" in only:
            result = bench_expiry(args.autopays)
            print(
                f"expiry: {result['records']} auto-pay records in {result['seconds']:.2f} s = {result['rate']:.0f}"
                f" records/s (target {EXPIRY_TARGET}); {result['notices']} notices ({result['notice_rate']:.0f}/s);"
                f" run {result['status']}; raw INSERT...SELECT of the notices {result['raw_rate']:.0f} rows/s;"
                f" ratio {result['notice_rate'] / result['raw_rate'] if result['raw_rate'] else 0:.3f}"
            )
    finally:
        if args.drop:
            from django.db import connections

            connections.close_all()
            _drop_database(args.server, args.db)


if __name__ == "__main__":
    sys.exit(main())
