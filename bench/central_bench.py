"""Control Central at scale on PostgreSQL: the alert zone, the first timeline page and the whole dashboard.

    CUSTCARE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/custcare_ccbench \\
        .venv/bin/python -m bench.central_bench [--accounts 300] [--heavy 20] [--explain 2]

Runs on a database filled by `custcare seed` and `bench.central_seed` (issue 5: 1,000,000 accounts,
50,000,000 timeline events), with the starter configuration (every alert plugged in). As a CSR in the
RES and COM access groups, for `--accounts` random accounts and, reported apart, the `--heavy` accounts
with the most bills, it times:

- the alert zone: `central_alerts_get` (first call, then again) and its SQL statement count; raw: the
  same UNION ALL statement (captured as executed) run directly on the cursor -> ratio (second call / raw);
- the first 50 timeline events: `central_timeline_get` (first call, then again); raw: the captured
  per-source `ORDER BY <date> DESC LIMIT 51` statements run directly -> ratio;
- the dashboard as the browser loads it: GET /central/accounts/<id>/ and then its five zones (alerts,
  finance, contacts, To Do, timeline) through django.test.Client logged in as the CSR; the sequential
  total per account is the most the browser waits (it loads the zones in parallel).

Targets (issue 5): alert zone p95 <= 150 ms, timeline p95 <= 100 ms, page p95 <= 1.5 s; checked on the
first call per account (cold cache for that account). Prints the machine, the data sizes (planner row
estimates after ANALYZE), the load average before and after each part, and with --explain N the
EXPLAIN (ANALYZE, BUFFERS) of the N slowest accounts' statements. Nothing is written but the bench user.
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

TARGETS_MS = {"alerts": 150.0, "timeline": 100.0, "page": 1500.0}
TABLES = [
    "customers_person",
    "customers_account",
    "customers_premise",
    "customers_serviceagreement",
    "contacts_customercontact",
    "billing_bill",
    "billing_payment",
    "fieldwork_fieldactivity",
    "cases_case",
    "todo_todoentry",
    "billing_payplan",
    "billing_payplanscheduledpayment",
    "billing_matchevent",
    "billing_offcyclebillgenerator",
    "billing_rebateclaim",
    "billing_declaration",
    "billing_creditratinghistory",
    "credit_overdueprocess",
    "credit_collectionprocess",
    "credit_severanceprocess",
    "credit_collectionagencyreferral",
    "workflow_workflowprocess",
    "workflow_workflowprocesscharacteristic",
    "workflow_syncrequest",
    "fieldwork_fieldactivityoutgoingmessage",
]
TIMELINE_TABLES = {
    "contacts_customercontact",
    "billing_bill",
    "billing_payment",
    "fieldwork_fieldactivity",
    "cases_case",
    "todo_todoentry",
}


def ms(seconds: float) -> float:
    return seconds * 1000


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine(cur: Any) -> str:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cur.execute("SHOW server_version")
    version = cur.fetchone()[0]
    cur.execute("SHOW shared_buffers")
    buffers = cur.fetchone()[0]
    cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    size = cur.fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs (nproc), {mem_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}, PostgreSQL {version} "
        f"(shared_buffers {buffers}), database {size}"
    )


def sizes(cur: Any) -> tuple[dict[str, int], int]:
    cur.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)", [TABLES])
    rows = dict(cur.fetchall())
    ordered = {t: int(rows.get(t, 0)) for t in TABLES}
    return ordered, sum(v for t, v in ordered.items() if t in TIMELINE_TABLES)


@dataclass
class Captured:
    statements: list[tuple[str, Any]] = field(default_factory=list)


@contextmanager
def capture(connection: Any) -> Iterator[Captured]:
    """Every statement the block runs, with its parameters, as the cursor received them."""
    seen = Captured()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def raw_run(cur: Any, statements: list[tuple[str, Any]]) -> float:
    t0 = time.perf_counter()
    for sql, params in statements:
        cur.execute(sql, params)
        cur.fetchall()
    return time.perf_counter() - t0


@dataclass
class Series:
    first: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    worst: list[tuple[float, str, list[tuple[str, Any]]]] = field(default_factory=list)  # (s, account, raw stmts)

    def line(self, name: str, target: float | None) -> str:
        f = [ms(v) for v in self.first]
        a = [ms(v) for v in self.again]
        r = [ms(v) for v in self.raw]
        out = f"{name:<9} n={len(f):>3}  first call p50 {pct(f, 50):7.1f}  p95 {pct(f, 95):7.1f}  max {max(f):7.1f} ms"
        if target is not None:
            out += f"  [{'OK' if pct(f, 95) <= target else 'OVER'} vs p95 <= {target:.0f}]"
        if a:
            out += f"\n{'':<9}        again      p50 {pct(a, 50):7.1f}  p95 {pct(a, 95):7.1f}  max {max(a):7.1f} ms"
        if r:
            ratio50 = pct(a, 50) / pct(r, 50) if pct(r, 50) else float("nan")
            ratio95 = pct(a, 95) / pct(r, 95) if pct(r, 95) else float("nan")
            out += (
                f"\n{'':<9}        raw SQL    p50 {pct(r, 50):7.1f}  p95 {pct(r, 95):7.1f}  max {max(r):7.1f} ms"
                f"  ratio (again / raw) p50 {ratio50:.2f}x  p95 {ratio95:.2f}x"
            )
        if self.statements:
            out += f"\n{'':<9}        SQL statements per call: {min(self.statements)}-{max(self.statements)}"
        return out


ZONE_RE = re.compile(r'hx-get="(/central/zones/[a-z]+/\?[^"]*)"')


def bench(accounts: list[str], user: Any, explain_n: int, label: str) -> dict[str, Series]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from custcare.controlcentral.selectors import central_alerts_get, central_timeline_get

    client = Client()
    client.force_login(user)
    out = {"alerts": Series(), "timeline": Series(), "page": Series()}
    counts: dict[str, int] = {}
    fired = 0
    events = 0

    print(f"\n## {label}: {len(accounts)} accounts")
    with connection.cursor() as cur:
        # Alert zone.
        print(f"load average before the alert zone: {load()}")
        for account_id in accounts:
            with capture(connection) as seen:
                secs, (_, alerts) = timed(partial(central_alerts_get, user=user, account_id=account_id))
            union = [(s, p) for s, p in seen.statements if s.startswith("SELECT 0 AS n")]
            out["alerts"].first.append(secs)
            out["alerts"].statements.append(len(seen.statements))
            out["alerts"].raw.append(raw_run(cur, union))
            out["alerts"].again.append(timed(partial(central_alerts_get, user=user, account_id=account_id))[0])
            out["alerts"].worst.append((secs, account_id, union))
            fired += len(alerts)
            for alert in alerts:
                counts[alert.algorithm] = counts.get(alert.algorithm, 0) + 1
        print(f"load average after the alert zone: {load()}")
        # Timeline, first page.
        for account_id in accounts:
            with capture(connection) as seen:
                secs, (_, page) = timed(partial(central_timeline_get, user=user, account_id=account_id))
            reads = [(s, p) for s, p in seen.statements if "ORDER BY" in s and s.rstrip().endswith("LIMIT 51")]
            out["timeline"].first.append(secs)
            out["timeline"].statements.append(len(seen.statements))
            out["timeline"].raw.append(raw_run(cur, reads))
            out["timeline"].again.append(timed(partial(central_timeline_get, user=user, account_id=account_id))[0])
            out["timeline"].worst.append((secs, account_id, reads))
            events += len(page.events)
        print(f"load average after the timeline: {load()}")
        # The dashboard page and its five zones, sequentially.
        for account_id in accounts:
            with capture(connection) as seen:
                t0 = time.perf_counter()
                resp = client.get(reverse("central:account", args=[account_id]))
                assert resp.status_code == 200, (account_id, resp.status_code)
                zones = list(dict.fromkeys(html.unescape(u) for u in ZONE_RE.findall(resp.content.decode())))
                assert len(zones) == 5, zones
                for url in zones:
                    z = client.get(url)
                    assert z.status_code == 200, (url, z.status_code)
                secs = time.perf_counter() - t0
            out["page"].first.append(secs)
            out["page"].statements.append(len(seen.statements))
            out["page"].worst.append((secs, account_id, []))
        print(f"load average after the page: {load()}")

    print(f"alerts raised: {fired} over {len(accounts)} accounts; by algorithm: {dict(sorted(counts.items()))}")
    print(f"timeline events on the first pages: {events} ({events / max(len(accounts), 1):.1f} per account)")
    for name, series in out.items():
        print(series.line(name, TARGETS_MS[name]))
    if explain_n:
        with connection.cursor() as cur:
            for name in ("alerts", "timeline"):
                for secs, account_id, statements in sorted(out[name].worst, key=lambda w: -w[0])[:explain_n]:
                    print(f"\n### EXPLAIN {name}, account {account_id} (first call {ms(secs):.1f} ms)")
                    for sql, params in statements:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        print("\n".join(r[0] for r in cur.fetchall()))
                        print()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=300, help="Random accounts (default 300).")
    parser.add_argument("--heavy", type=int, default=20, help="Accounts with the most bills, apart (default 20).")
    parser.add_argument(
        "--heavy-offset", type=int, default=0, help="Skip the N heaviest first (fresh, uncached accounts for a rerun)."
    )
    parser.add_argument("--warmup", type=int, default=10, help="Accounts run once first, not counted (default 10).")
    parser.add_argument("--seed", type=float, default=0.5, help="setseed() for picking the accounts.")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN the N slowest accounts' statements.")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()
    from django.db import connection

    from custcare.demo.reference import user_with_role_ensure
    from custcare.security import roles

    if connection.vendor != "postgresql":
        print("bench.central_bench runs on PostgreSQL (set CUSTCARE_DATABASE_URL).", file=sys.stderr)
        return 2
    user = user_with_role_ensure(
        username="bench-central", role=roles.CSR, password="bench-central-2026", access_groups=("RES", "COM")
    )
    with connection.cursor() as cur:
        print(f"# Control Central bench, {time.strftime('%Y-%m-%d %H:%M')}")
        print(machine(cur))
        print(f"load average at start: {load()}")
        rows, events = sizes(cur)
        print("rows (planner estimates after ANALYZE): " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
        print(f"timeline events in all: {events:,}")
        cur.execute("SELECT setseed(%s)", [args.seed])
        cur.execute(
            "SELECT id FROM customers_account WHERE access_group_id IN ('RES', 'COM') ORDER BY random() LIMIT %s",
            [args.accounts + args.warmup],
        )
        picked = [r[0] for r in cur.fetchall()]
        t0 = time.perf_counter()
        cur.execute(
            """SELECT b.account_id, count(*) FROM billing_bill b JOIN customers_account a ON a.id = b.account_id
               WHERE a.access_group_id IN ('RES', 'COM') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s OFFSET %s""",
            [args.heavy, args.heavy_offset],
        )
        heavy = cur.fetchall()
        print(
            f"heaviest accounts ({time.perf_counter() - t0:.1f} s to find): bills "
            f"{heavy[-1][1] if heavy else 0}-{heavy[0][1] if heavy else 0}"
        )
    warm, sample = picked[: args.warmup], picked[args.warmup :]
    if warm:
        bench(warm, user, 0, "warm-up (not counted)")
    if sample:
        bench(sample, user, args.explain, "random accounts")
    if heavy:
        bench([a for a, _ in heavy], user, args.explain, "heaviest accounts")
    print(f"\nload average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
