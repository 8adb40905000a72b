"""One HTTP request end to end, in process: CPU time, SQL statements and a cProfile of the request path.

    .venv/bin/python -m bench.http_profile [--db custcare_bench_ev] [--requests 300] [--profile 40]
        [--path event|get|direct] [--sort tottime] [--callers NAME_REGEX]

Calls the WSGI application gunicorn serves (custcare.wsgi.application, every middleware, the
request_started/finished signals) with a bearer token, as a client of the intake API would, in a
database prepared by `bench.events_bench` (run it without --drop first). `event` posts
field-activity-completed events (one contact each, as the events bench); `get` a trivial authenticated
GET (/api/v1/events/<id>: one event the bench user sent, one statement) as the floor of the request path;
`direct` calls event_receive itself with the same events and user, without HTTP: event minus direct is
what the request path around the event processing costs. Prints CPU ms per request
(process time: the server's share of the machine, unlike wall time on a shared machine), statements
per request, and with --profile the top functions by cumulative CPU time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from typing import Any


def _environ(method: str, path: str, body: bytes, token: str) -> dict[str, Any]:
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="custcare_bench_ev")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions by cumulative CPU time")
    parser.add_argument("--sort", default="cumulative", help="with --profile: pstats order (cumulative, tottime)")
    parser.add_argument("--callers", default="", help="with --profile: also print the callers of these functions")
    parser.add_argument("--path", choices=["event", "get", "direct"], default="event")
    args = parser.parse_args()
    os.environ["CUSTCARE_DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    os.environ.setdefault("CUSTCARE_LOG_LEVEL", "ERROR")
    import django

    django.setup()

    from bench.events_bench import KIND, _events, _rows
    from custcare.events.services import event_receive
    from custcare.security.services import api_token_issue, api_token_user
    from custcare.wsgi import application

    token, _ = api_token_issue(username="bench-integrator", password="bench-pass-2026")
    direct_user = api_token_user(token)
    pairs = _rows(
        "SELECT sa.premise_id, sa.account_id FROM customers_serviceagreement sa"
        " JOIN customers_accountperson m ON m.account_id = sa.account_id AND m.main_customer"
        " WHERE sa.status = 'AC' ORDER BY sa.id"
    )
    statuses: dict[str, int] = {}

    def request(i: int, events: list[dict[str, Any]]) -> None:
        if args.path == "direct":
            body = dict(events[i])
            event_id = body.pop("event_id")
            _, new = event_receive(kind=KIND, event_id=event_id, payload=body, user=direct_user)
            statuses["new" if new else "repeat"] = statuses.get("new" if new else "repeat", 0) + 1
            return
        if args.path == "event":
            environ = _environ("POST", f"/api/v1/events/{KIND}", json.dumps(events[i]).encode(), token)
        else:
            environ = _environ("GET", f"/api/v1/events/{first_event}", b"", token)
        seen: list[str] = []
        result = application(environ, lambda status, headers, exc_info=None: seen.append(status))
        b"".join(result)
        result.close()  # type: ignore[attr-defined]
        statuses[seen[0]] = statuses.get(seen[0], 0) + 1

    tag = f"P{int(time.time())}"
    warm = _events(f"{tag}w", 20, pairs)
    path = args.path
    args.path = "event"
    for i in range(len(warm)):
        request(i, warm)
    args.path = path
    first_event = _rows("SELECT id FROM events_systemevent WHERE event_id = %s", [warm[0]["event_id"]])[0][0]
    events = _events(tag, args.requests + 1, pairs)
    # the statements one request sends, counted where psycopg sends them: Django's cursors, prepared
    # statements (custcare.core.sql) and COPY alike; BEGIN and COMMIT are not counted
    import psycopg

    captured: list[str] = []
    originals = {name: getattr(psycopg.Cursor, name) for name in ("execute", "executemany", "copy")}

    def counting(name: str) -> Any:
        def method(cur: Any, query: Any, *a: Any, **k: Any) -> Any:
            captured.append(query if isinstance(query, str) else repr(query))
            return originals[name](cur, query, *a, **k)

        return method

    for name in originals:
        setattr(psycopg.Cursor, name, counting(name))
    try:
        request(args.requests, events)
    finally:
        for name, original in originals.items():
            setattr(psycopg.Cursor, name, original)
    statements = len(captured)
    # CPU time, not wall time: on a shared machine the waits for PostgreSQL say little about our cost
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for i in range(args.requests):
        request(i, events)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{args.path}: {args.requests} requests, {cpu / args.requests * 1000:.2f} ms CPU and"
        f" {wall / args.requests * 1000:.2f} ms wall per request; {statements} statements per request;"
        f" statuses {statuses}; load average {os.getloadavg()[0]:.1f}"
    )
    for sql in captured:
        print("   ", sql[:200])
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(args.profile)
        if args.callers:
            stats.print_callers(args.callers)
        print(out.getvalue())


if __name__ == "__main__":
    main()
