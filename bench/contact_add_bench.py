"""Adding a customer contact through HTTP: latency against a running server, and SQL statements per request.

    .venv/bin/python -m bench.contact_add_bench [--requests 2000] [--port 8765] [--url http://127.0.0.1:8765]

Uses the database named by CUSTCARE_DATABASE_URL (or the default SQLite file), which must hold seeded
data (`custcare seed --persons 100000`). The benchmark creates a CSR user `bench-csr`, starts
`custcare runserver --noreload` on 127.0.0.1 (unless --url names a server already running), takes a
bearer token from POST /api/v1/auth/token and sends POST /api/v1/customer-contacts one request at a
time over a keep-alive connection, for different persons of the seeded data. Separately, in this
process, it counts the SQL statements of the same request with django.test.Client and
CaptureQueriesContext. The contacts it adds stay in the database (they are real contacts of the
bench user). Targets: p95 <= 100 ms, <= 10 statements.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

P95_TARGET_MS = 100.0
STATEMENT_TARGET = 10
BENCH_USER = "bench-csr"
BENCH_PASSWORD = "bench-csr-pass-2026"


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()


def _targets(count: int, seed: int) -> list[dict[str, str]]:
    """Main customers with an account in RES/COM and a phone: who the contacts are recorded for."""
    from custcare.customers.models import AccountPerson, PersonPhone

    links = AccountPerson.objects.filter(main_customer=True, account__access_group_id__in=["RES", "COM"])
    total = links.count()
    if total < count:
        raise SystemExit(f"Only {total} accounts to record contacts for; seed more data (custcare seed).")
    start = random.Random(seed).randint(0, total - count)
    rows = list(
        links.order_by("account_id").values_list("person_id", "account_id", "account__mailing_premise_id")[
            start : start + count
        ]
    )
    phones: dict[str, str] = {}
    for person_id, number in PersonPhone.objects.filter(person_id__in=[r[0] for r in rows]).values_list(
        "person_id", "number"
    ):
        phones.setdefault(person_id, number)
    targets = []
    for person_id, account_id, premise_id in rows:
        payload = {
            "contact_class": "INQ",
            "contact_type": "BILLQ",
            "person_id": person_id,
            "account_id": account_id,
            "premise_id": premise_id,
            "method": "PHONE" if person_id in phones else "NA",
            "contact_detail": phones.get(person_id, ""),
            "description": "Benchmark: customer asked about the bill; explained the charges.",
        }
        targets.append(payload)
    return targets


def _bench_user() -> None:
    from custcare.demo.reference import reference_data_load, user_with_role_ensure
    from custcare.security import roles

    reference_data_load()
    user_with_role_ensure(username=BENCH_USER, role=roles.CSR, password=BENCH_PASSWORD, access_groups=("RES", "COM"))


def count_statements(payload: dict[str, str]) -> tuple[int, list[str]]:
    """The SQL statements of one steady-state POST (after a first request warmed the caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    response = client.post(
        "/api/v1/auth/token", {"username": BENCH_USER, "password": BENCH_PASSWORD}, content_type="application/json"
    )
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    client.post("/api/v1/customer-contacts", payload, content_type="application/json", headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/customer-contacts", payload, content_type="application/json", headers=headers)
    if response.status_code != 201:
        raise SystemExit(f"POST /api/v1/customer-contacts answered {response.status_code}: {response.content!r}")
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _wait_for(host: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"No server answered on {host}:{port} within {timeout:.0f} s.")


def _post(
    conn: http.client.HTTPConnection, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, bytes]:
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    return response.status, response.read()


def run_http(host: str, port: int, targets: list[dict[str, str]], requests: int, max_seconds: float) -> dict[str, Any]:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    status, body = _post(conn, "/api/v1/auth/token", {"username": BENCH_USER, "password": BENCH_PASSWORD}, {})
    if status != 200:
        raise SystemExit(f"Token request failed: {status} {body!r}")
    headers = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    for payload in targets[:20]:  # warm-up: connections, caches, the first imports
        _post(conn, "/api/v1/customer-contacts", payload, headers)
    timings: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.monotonic() + max_seconds
    for i in range(requests):
        if time.monotonic() > deadline:
            break
        payload = targets[i % len(targets)]
        t0 = time.perf_counter()
        try:
            status, body = _post(conn, "/api/v1/customer-contacts", payload, headers)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            errors[0] = errors.get(0, 0) + 1
            continue
        timings.append((time.perf_counter() - t0) * 1000)
        if status != 201:
            errors[status] = errors.get(status, 0) + 1
            if sum(errors.values()) == 1:
                print(f"first error: {status} {body[:300]!r}", file=sys.stderr)
    conn.close()
    if not timings:
        raise SystemExit("No request completed.")
    q = statistics.quantiles(timings, n=100, method="inclusive")
    return {
        "requests": len(timings),
        "errors": errors,
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "mean": statistics.fmean(timings),
        "max": max(timings),
    }


def serve(port: int) -> None:
    """Django's development WSGI server with TCP_NODELAY on each connection. Plain runserver writes the
    response headers and body in separate small packets; on a keep-alive connection Nagle's algorithm
    then holds the body until the client's delayed ACK (about 40 ms on Linux), which would be measured
    as application latency. Production WSGI servers set TCP_NODELAY."""
    _django_setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class NoDelayHandler(WSGIRequestHandler):
        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadedWSGIServer(("127.0.0.1", port), NoDelayHandler)
    httpd.set_app(get_wsgi_application())
    httpd.serve_forever()


def machine() -> str:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc), {mem_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.machine()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", help="A server already running on this machine, e.g. http://127.0.0.1:8000")
    parser.add_argument("--max-seconds", type=float, default=600, help="Stop sending after this long.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--server",
        choices=["runserver", "nodelay"],
        default="nodelay",
        help="runserver: `custcare runserver --noreload`; nodelay: the same WSGI server with TCP_NODELAY.",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0

    _django_setup()
    from django.db import connection

    from custcare.customers.models import Person

    _bench_user()
    persons = Person.objects.count()
    targets = _targets(min(args.requests, 2000), args.seed)
    statements, sqls = count_statements(targets[0])
    vendor = connection.vendor
    connection.close()

    host, port = "127.0.0.1", args.port
    server = None
    if args.url:
        hostport = args.url.split("://", 1)[-1].rstrip("/")
        host, _, p = hostport.partition(":")
        port = int(p or 80)
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("The benchmark only sends requests to this machine (127.0.0.1).")
    else:
        if args.server == "runserver":
            cmd = [str(Path(sys.executable).with_name("custcare")), "runserver", "--noreload", f"127.0.0.1:{port}"]
        else:
            cmd = [sys.executable, "-m", "bench.contact_add_bench", "--serve", str(port)]
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(host, port)
        result = run_http(host, port, targets, args.requests, args.max_seconds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)

    ok_p95 = result["p95"] <= P95_TARGET_MS
    ok_sql = statements <= STATEMENT_TARGET
    server_name = f"--url {args.url}" if args.url else args.server
    print(f"database: {vendor}, {persons:,} persons; server: {server_name}; machine: {machine()}")
    print(
        f"POST /api/v1/customer-contacts x{result['requests']}: p50 {result['p50']:.1f} ms, "
        f"p95 {result['p95']:.1f} ms (target <= {P95_TARGET_MS:.0f}: {'ok' if ok_p95 else 'MISSED'}), "
        f"p99 {result['p99']:.1f} ms, mean {result['mean']:.1f} ms, max {result['max']:.1f} ms, "
        f"errors {result['errors'] or 0}"
    )
    print(f"SQL statements per request: {statements} (target <= {STATEMENT_TARGET}: {'ok' if ok_sql else 'MISSED'})")
    if not ok_sql or os.environ.get("BENCH_SHOW_SQL"):
        for i, sql in enumerate(sqls, start=1):
            print(f"  {i:2d}. {sql[:400]}")
    return 0 if ok_p95 and ok_sql and not result["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
