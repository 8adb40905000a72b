"""Seed Control Central's records at scale, set-based in SQL, on PostgreSQL (for bench.central_bench).

    CUSTCARE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/custcare_ccbench \\
        .venv/bin/python -m bench.central_seed [--events 50000000] [--chunk 25000] [--keep-indexes]

Run it on a database that `custcare seed` filled (persons, accounts, premises, contacts). It adds, over
the accounts there, timeline events until the database holds `--events` in all (the customer contacts
already there count): bills and payments (the bulk), customer contacts, completed field activities,
cases and To Do entries, spread over up to ten years. Most accounts get 20 to 80 events; about one in a
thousand ("heavy") gets 1,000 to 6,000. A share of the accounts also gets the records the Control
Central alerts read (pay plans in every status, overdue, collection and severance processes, agency
referrals, workflow processes with characteristics, declarations, match events, rebate claims, off-cycle
bill generators, sync requests, credit rating history, outgoing field activity messages, life support
and cash-only flags), every heavy account among them, so alerts really fire in the bench.

How: one plan row per account (its event counts, date span, main person and mailing premise), then per
chunk of `--chunk` accounts one INSERT ... SELECT over generate_series per table, committed per chunk.
The first chunk runs with every index in place and is timed; then (unless --keep-indexes) the six
tables' secondary indexes are dropped, the other chunks load, and the indexes are recreated from their
definitions with a large maintenance_work_mem, so the log shows which way is faster. Foreign key
triggers are off during the load (session_replication_role = replica): every referenced row is read
from the tables the rows point to, so they hold by construction. VACUUM (ANALYZE) at the end.

CustCare's own ids (customer contacts, To Do entries) come from the shared id counter: the seed reserves
a contiguous run of counter values (nothing else may write to the database meanwhile) and scrambles them
in SQL (custcare.core.ids.scramble_sql). The other records are copies of other systems' records; their
ids are text like "CCB-B12-7". Re-running adds another set of events (the ids carry a run tag).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

TIMELINE_TABLES = [
    "billing_bill",
    "billing_payment",
    "contacts_customercontact",
    "fieldwork_fieldactivity",
    "cases_case",
    "todo_todoentry",
]
# Shares of an account's events per source (the rest of 1.0 are cases).
SHARES = {"bill": 0.42, "pay": 0.40, "cc": 0.08, "fa": 0.04, "todo": 0.04}
HEAVY_SHARE = 0.001
HEAVY_MIN, HEAVY_MAX = 1000, 6000
NORMAL_MIN = 20


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def q(cur: Any, sql: str, params: Any = None) -> Any:
    cur.execute(sql, params or [])
    return cur


def one(cur: Any, sql: str, params: Any = None) -> Any:
    return q(cur, sql, params).fetchone()[0]


DROPPED = "bench_central_dropped"  # what a load dropped and has not recreated yet (survives a killed run)


def indexes_drop(cur: Any, tables: list[str]) -> int:
    """Drop the tables' secondary indexes and unique constraints (the primary keys stay), noting their
    definitions in DROPPED first so `indexes_restore` can recreate them even after an interrupted run."""
    q(cur, f"CREATE TABLE IF NOT EXISTS {DROPPED} (name text PRIMARY KEY, tbl text, kind text, def text)")
    q(
        cur,
        f"""INSERT INTO {DROPPED} (name, tbl, kind, def)
        SELECT c.conname, c.conrelid::regclass::text, 'constraint', pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)
        UNION ALL
        SELECT i.indexname, i.tablename, 'index', i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ON CONFLICT (name) DO NOTHING""",
        [tables, tables],
    )
    rows = q(cur, f"SELECT name, tbl, kind FROM {DROPPED} WHERE tbl = ANY(%s)", [tables]).fetchall()
    for name, table, kind in rows:
        if kind == "constraint":
            q(cur, f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        else:
            q(cur, f'DROP INDEX IF EXISTS "{name}"')
    return len(rows)


def indexes_restore(cur: Any) -> int:
    """Recreate what DROPPED lists (indexes first, with a large maintenance_work_mem), one at a time."""
    if one(cur, "SELECT to_regclass(%s) IS NULL", [DROPPED]):
        return 0
    q(cur, "SET maintenance_work_mem = '1GB'")
    rows = q(cur, f"SELECT name, tbl, kind, def FROM {DROPPED} ORDER BY kind DESC, tbl, name").fetchall()
    for name, table, kind, definition in rows:
        i0 = time.perf_counter()
        if kind == "constraint":
            q(cur, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        else:
            q(cur, definition)
        q(cur, f"DELETE FROM {DROPPED} WHERE name = %s", [name])
        say(f"  recreated {name} ({time.perf_counter() - i0:.1f} s)")
    return len(rows)


def plan_build(cur: Any, events: int, seed: float) -> dict[str, int]:
    """One row per account: how many events of each source it gets, over how many days."""
    existing = one(cur, "SELECT count(*) FROM contacts_customercontact")
    accounts = one(cur, "SELECT count(*) FROM customers_account")
    wanted = max(events - existing, 0)
    heavy_total = accounts * HEAVY_SHARE * (HEAVY_MIN + HEAVY_MAX) / 2
    normal_mean = (wanted - heavy_total) / max(accounts * (1 - HEAVY_SHARE), 1)
    normal_max = max(round(2 * normal_mean - NORMAL_MIN), NORMAL_MIN)
    say(
        f"{accounts:,} accounts, {existing:,} contacts already; adding ~{wanted:,} events: "
        f"normal accounts {NORMAL_MIN}-{normal_max}, heavy ({HEAVY_SHARE:.1%}) {HEAVY_MIN}-{HEAVY_MAX}"
    )
    q(cur, "SELECT setseed(%s)", [seed])
    q(cur, "DROP TABLE IF EXISTS bench_central_plan")
    q(
        cur,
        f"""CREATE UNLOGGED TABLE bench_central_plan AS
        WITH a AS (
            SELECT a.id AS account_id, a.mailing_premise_id AS premise_id,
                   (SELECT ap.person_id FROM customers_accountperson ap WHERE ap.account_id = a.id
                    ORDER BY ap.main_customer DESC, ap.id LIMIT 1) AS person_id,
                   random() AS r_heavy, random() AS r_total, random() AS r_span, random() AS r_alert
            FROM customers_account a
        ), t AS (
            SELECT a.*, r_heavy < {HEAVY_SHARE} AS heavy,
                   CASE WHEN r_heavy < {HEAVY_SHARE}
                        THEN {HEAVY_MIN} + floor(r_total * {HEAVY_MAX - HEAVY_MIN + 1})
                        ELSE {NORMAL_MIN} + floor(r_total * {normal_max - NORMAL_MIN + 1}) END::int AS total,
                   CASE WHEN r_heavy < {HEAVY_SHARE} THEN 3650 ELSE 365 + floor(r_span * 3286) END::int AS span
            FROM a
        )
        SELECT row_number() OVER (ORDER BY account_id)::int AS k, account_id, person_id, premise_id, heavy,
               span, r_alert,
               floor(total * {SHARES["bill"]} + random())::int AS n_bill,
               floor(total * {SHARES["pay"]} + random())::int AS n_pay,
               floor(total * {SHARES["cc"]} + random())::int AS n_cc,
               CASE WHEN premise_id IS NULL THEN 0 ELSE floor(total * {SHARES["fa"]} + random()) END::int AS n_fa,
               floor(total * {SHARES["todo"]} + random())::int AS n_todo,
               floor(total * {1 - sum(SHARES.values()):.4f} + random())::int AS n_case
        FROM t""",
    )
    # Where each account's contacts and To Do entries start in the reserved run of counter values.
    q(
        cur,
        """ALTER TABLE bench_central_plan ADD COLUMN cc_off bigint, ADD COLUMN todo_off bigint;
        UPDATE bench_central_plan p SET cc_off = s.cc_off, todo_off = s.todo_off FROM (
            SELECT k, sum(n_cc) OVER w - n_cc AS cc_off,
                   sum(n_cc) OVER () + sum(n_todo) OVER w - n_todo AS todo_off
            FROM bench_central_plan WINDOW w AS (ORDER BY k)) s
        WHERE s.k = p.k;
        CREATE UNIQUE INDEX ON bench_central_plan (k);
        ANALYZE bench_central_plan""",
    )
    row = q(
        cur,
        """SELECT count(*), sum(n_bill), sum(n_pay), sum(n_cc), sum(n_fa), sum(n_todo), sum(n_case),
                  count(*) FILTER (WHERE heavy) FROM bench_central_plan""",
    ).fetchone()
    sums = dict(zip(["accounts", "bill", "pay", "cc", "fa", "todo", "case", "heavy"], map(int, row), strict=True))
    say(f"plan: {sums}")
    return sums


def reserve_counter(cur: Any, count: int) -> int:
    """Reserve `count` consecutive id counter values; returns the first."""
    from custcare.core.ids import BLOCK, SEQUENCE

    blocks = max(-(-count // BLOCK), 1)
    start = one(cur, "SELECT nextval(%s)", [SEQUENCE])
    if blocks > 1:
        q(cur, "SELECT setval(%s, %s)", [SEQUENCE, start + (blocks - 1) * BLOCK])
    return int(start)


def chunk_sql(tag: str, cc_start: int, contact_types: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """The INSERT ... SELECT per table for plan rows k in [%(lo)s, %(hi)s)."""
    from custcare.core.ids import scramble_sql

    classes = "ARRAY[" + ",".join(f"'{c}'" for c, _ in contact_types) + "]"
    type_ids = "ARRAY[" + ",".join(str(t) for _, t in contact_types) + "]"
    n_types = len(contact_types)
    day = "(current_date - floor(random() * p.span)::int)"
    moment = "(now() - random() * p.span * interval '1 day')"
    cc_id = scramble_sql(f"{cc_start} + p.cc_off + g - 1")
    todo_id = scramble_sql(f"{cc_start} + p.todo_off + g - 1")
    src = (
        "FROM bench_central_plan p CROSS JOIN LATERAL generate_series(1, p.{n}) g WHERE p.k >= %(lo)s AND p.k < %(hi)s"
    )
    return [
        (
            "billing_bill",
            f"""INSERT INTO billing_bill (id, account_id, bill_date, due_date, amount, status, written_off_amount,
                                          written_off_on)
            SELECT b.id, b.account_id, b.d, b.d + 21, round((20 + random() * 400)::numeric, 2),
                   CASE WHEN random() < 0.02 THEN 'canceled' ELSE 'complete' END, 0, NULL
            FROM (SELECT 'CCB{tag}-B' || p.k || '-' || g AS id, p.account_id, {day} AS d {src.format(n="n_bill")}) b
            ORDER BY b.d""",
        ),
        (
            "billing_payment",
            f"""INSERT INTO billing_payment (id, account_id, payment_date, amount, tender_type, status)
            SELECT 'CCB{tag}-P' || p.k || '-' || g, p.account_id, {day}, round((20 + random() * 400)::numeric, 2),
                   (ARRAY['Check','Card','Bank transfer','Cash'])[1 + floor(random() * 4)::int],
                   CASE WHEN random() < 0.01 THEN 'canceled' ELSE 'frozen' END
            {src.format(n="n_pay")}
            ORDER BY 3""",
        ),
        (
            "contacts_customercontact",
            f"""INSERT INTO contacts_customercontact (id, contact_datetime, method, contact_detail, direction,
                is_open, description, origin, origin_reference, print_letter, letter_template, letter_suppressed,
                letter_reprint, created_at, account_id, contact_class_id, contact_type_id, person_id, premise_id)
            SELECT c.id, c.at, (ARRAY['PHONE','PHONE','PHONE','EMAIL','POSTAL','SMS'])[1 + floor(random() * 6)::int],
                   '', CASE WHEN random() < 0.8 THEN 'IN' ELSE 'OUT' END, random() < 0.03,
                   'Bench contact', CASE WHEN c.ev THEN 'EVENT' ELSE 'USER' END,
                   CASE WHEN c.ev THEN 'CCB{tag}-' || c.id ELSE '' END, false, '', false, false, c.at,
                   c.account_id, ({classes})[c.t], ({type_ids})[c.t], c.person_id, NULL
            FROM (SELECT {cc_id} AS id, {moment} AS at, random() < 0.2 AS ev,
                         1 + floor(random() * {n_types})::int AS t, p.account_id, p.person_id
                  {src.format(n="n_cc")}) c
            ORDER BY c.at""",
        ),
        (
            "fieldwork_fieldactivity",
            f"""INSERT INTO fieldwork_fieldactivity (id, status, scheduled_date, completed_at, crew, account_id,
                                                     premise_id, fa_type_id)
            SELECT 'CCB{tag}-F' || p.k || '-' || g, 'C', NULL, {moment}, 'Crew ' || (1 + floor(random() * 40)::int),
                   p.account_id, p.premise_id, (ARRAY['MTRCHK','CONNECT','DISCON'])[1 + floor(random() * 3)::int]
            {src.format(n="n_fa")}
            ORDER BY 4""",
        ),
        (
            "cases_case",
            f"""INSERT INTO cases_case (id, description, opened_on, closed_on, updated_at, account_id, person_id,
                                        premise_id, case_type_id, status_id)
            SELECT c.id, 'Bench case', c.d, CASE WHEN c.st IN (3, 4, 7) THEN c.d + 14 END, now(), c.account_id,
                   c.person_id, c.premise_id, CASE WHEN c.st <= 4 THEN 'HIBILL' ELSE 'DISPUTE' END, c.st
            FROM (SELECT 'CCB{tag}-C' || p.k || '-' || g AS id, {day} AS d, p.account_id, p.person_id, p.premise_id,
                         CASE WHEN random() < 0.1 THEN (ARRAY[1,2,5,6])[1 + floor(random() * 4)::int]
                              ELSE (ARRAY[3,4,7])[1 + floor(random() * 3)::int] END AS st
                  {src.format(n="n_case")}) c
            ORDER BY c.d""",
        ),
        (
            "todo_todoentry",
            f"""INSERT INTO todo_todoentry (id, status, priority, message, created_at, assigned_at, completed_at,
                                            completion_comment, account_id, person_id, role_id, todo_type_id)
            SELECT t.id, t.st, 50, 'Bench follow-up', t.at, NULL,
                   CASE WHEN t.st = 'C' THEN t.at + interval '2 days' END, '', t.account_id, t.person_id,
                   'CSR-FOLLOWUP', 'TD-MANUAL'
            FROM (SELECT {todo_id} AS id, {moment} AS at, p.account_id, p.person_id,
                         CASE WHEN random() < 0.05 THEN 'O' WHEN random() < 0.02 THEN 'W' ELSE 'C' END AS st
                  {src.format(n="n_todo")}) t
            ORDER BY t.at""",
        ),
    ]


def alert_records(cur: Any, tag: str, start: str = "") -> dict[str, int]:
    """The records the alerts read, for a share of the accounts (r_alert below a per-kind threshold) and
    for every heavy account. Statuses mix active and past ones, so some alerts fire and some do not."""
    salts = iter(range(101, 10_000, 97))

    def pick(share: float, extra: str = "") -> str:
        # A different slice of the accounts per kind (k times a salt modulo a prime), plus every heavy one.
        salt = next(salts)
        return (
            f"FROM (SELECT p.*{extra} FROM bench_central_plan p "
            f"WHERE (p.k::bigint * {salt}) %% 10007 < {share * 10007:.0f} OR p.heavy) p"
        )

    status4 = "(ARRAY['active','broken','kept','canceled'])[1 + floor(random() * 4)::int]"
    proc3 = "(ARRAY['active','active','completed','canceled'])[1 + floor(random() * 4)::int]"
    statements = {
        "billing_payplan": f"""INSERT INTO billing_payplan (id, account_id, pay_plan_type_id, status, start_date,
                total_amount, status_date)
            SELECT 'CCB{tag}-PP' || p.k || '-' || g, p.account_id,
                   (ARRAY['STANDARD','HARDSHIP','MEDICAL','BUDGET'])[1 + floor(random() * 4)::int], {status4},
                   current_date - 400 + g * 30, round((100 + random() * 900)::numeric, 2),
                   current_date - 400 + g * 30 + floor(random() * 300)::int
            {pick(0.06)} CROSS JOIN generate_series(1, 1 + floor(p.r_alert * 1000)::int %% 2) g""",
        "billing_payplanscheduledpayment": f"""INSERT INTO billing_payplanscheduledpayment (id, pay_plan_id,
                due_date, amount, status)
            SELECT pp.id || '-S' || g, pp.id, pp.start_date + g * 30, round(pp.total_amount / 6, 2),
                   CASE WHEN pp.start_date + g * 30 > current_date THEN 'pending'
                        WHEN random() < 0.15 THEN 'missed' ELSE 'paid' END
            FROM billing_payplan pp CROSS JOIN generate_series(1, 6) g WHERE pp.id LIKE 'CCB{tag}-PP%%'""",
        "billing_matchevent": f"""INSERT INTO billing_matchevent (id, account_id, status, created_on, amount)
            SELECT 'CCB{tag}-ME' || p.k, p.account_id,
                   (ARRAY['open','disputed','balanced','canceled'])[1 + floor(random() * 4)::int],
                   current_date - floor(random() * 700)::int, round((10 + random() * 300)::numeric, 2)
            {pick(0.03)}""",
        "billing_offcyclebillgenerator": f"""INSERT INTO billing_offcyclebillgenerator (id, account_id, status,
                created_on)
            SELECT 'CCB{tag}-OC' || p.k, p.account_id,
                   (ARRAY['pending','generated','canceled'])[1 + floor(random() * 3)::int],
                   current_date - floor(random() * 90)::int
            {pick(0.01)}""",
        "billing_rebateclaim": f"""INSERT INTO billing_rebateclaim (id, account_id, premise_id, status, claim_date,
                amount)
            SELECT 'CCB{tag}-RC' || p.k, p.account_id, p.premise_id,
                   (ARRAY['open','approved','denied','paid','canceled'])[1 + floor(random() * 5)::int],
                   current_date - floor(random() * 500)::int, round((50 + random() * 500)::numeric, 2)
            {pick(0.03)}""",
        "billing_declaration": f"""INSERT INTO billing_declaration (id, account_id, premise_id, declaration_type_id,
                start_date, end_date)
            SELECT 'CCB{tag}-DE' || p.k, p.account_id, CASE WHEN random() < 0.3 THEN p.premise_id END,
                   (ARRAY['MEDICAL','TAXEXEMPT','HARDSHIP','LANDLORD'])[1 + floor(random() * 4)::int],
                   current_date - 800 + floor(random() * 700)::int,
                   CASE WHEN random() < 0.5 THEN NULL ELSE current_date - 200 + floor(random() * 600)::int END
            {pick(0.03)}""",
        "billing_creditratinghistory": f"""INSERT INTO billing_creditratinghistory (id, account_id, points,
                start_date, end_date, reason)
            SELECT 'CCB{tag}-CR' || p.k || '-' || g, p.account_id, -100 - floor(random() * 400)::int,
                   current_date - 700 + g * 200, CASE WHEN g < 3 THEN current_date - 500 + g * 200 END,
                   'Bench: late payment'
            {pick(0.05)} CROSS JOIN generate_series(1, 3) g""",
        "credit_overdueprocess": f"""INSERT INTO credit_overdueprocess (id, account_id, status, started_on, ended_on,
                template)
            SELECT 'CCB{tag}-OD' || p.k, p.account_id, p.st, current_date - 120,
                   CASE WHEN p.st <> 'active' THEN current_date - 30 END, 'OD-RES'
            {pick(0.04, f", {proc3} AS st")}""",
        "credit_collectionprocess": f"""INSERT INTO credit_collectionprocess (id, account_id, status, started_on,
                ended_on, template)
            SELECT 'CCB{tag}-CO' || p.k, p.account_id, p.st, current_date - 90,
                   CASE WHEN p.st <> 'active' THEN current_date - 10 END, 'COLL-STD'
            {pick(0.02, f", {proc3} AS st")}""",
        "credit_severanceprocess": f"""INSERT INTO credit_severanceprocess (id, account_id, premise_id, status,
                started_on, ended_on)
            SELECT 'CCB{tag}-SV' || p.k, p.account_id, p.premise_id, p.st, current_date - 60,
                   CASE WHEN p.st <> 'active' THEN current_date - 5 END
            {pick(0.007, f", {proc3} AS st")}""",
        "credit_collectionagencyreferral": f"""INSERT INTO credit_collectionagencyreferral (id, account_id, agency,
                status, referred_on, ended_on, amount)
            SELECT 'CCB{tag}-AR' || p.k, p.account_id, 'Bench Recovery Ltd',
                   (ARRAY['active','active','ended','canceled'])[1 + floor(random() * 4)::int],
                   current_date - 200, NULL, round((100 + random() * 2000)::numeric, 2)
            {pick(0.01)}""",
        "workflow_workflowprocess": f"""INSERT INTO workflow_workflowprocess (id, account_id, premise_id,
                process_type_id, status, created_on)
            SELECT 'CCB{tag}-WF' || p.k || '-' || g, p.account_id, CASE WHEN g = 2 THEN p.premise_id END,
                   (ARRAY['MOVE-IN','MOVE-OUT','TRANSFER','BILL-DISP','METER-INV','PAY-ARR'])[
                       1 + floor(random() * 6)::int], {proc3}, current_date - floor(random() * 200)::int
            {pick(0.03)} CROSS JOIN generate_series(1, 2) g""",
        # Each process names another account (ACCT-ID) and, for half, the plan's premise (PREM-ID).
        "workflow_workflowprocesscharacteristic": f"""INSERT INTO workflow_workflowprocesscharacteristic (id,
                process_id, char_type, value)
            SELECT w.id || '-A', w.id, 'ACCT-ID', o.account_id
            FROM workflow_workflowprocess w
            JOIN bench_central_plan p ON w.id = 'CCB{tag}-WF' || p.k || '-1'
            JOIN bench_central_plan o ON o.k = (p.k::bigint * 7919) %% (SELECT max(k) FROM bench_central_plan) + 1
            UNION ALL
            SELECT w.id || '-P', w.id, 'PREM-ID', w.premise_id FROM workflow_workflowprocess w
            WHERE w.id LIKE 'CCB{tag}-WF%%' AND w.premise_id IS NOT NULL""",
        "workflow_syncrequest": f"""INSERT INTO workflow_syncrequest (id, object_kind, object_id, account_id,
                status, created_at, message)
            SELECT 'CCB{tag}-SR' || p.k, p.kind,
                   CASE p.kind WHEN 'account' THEN p.account_id WHEN 'person' THEN p.person_id
                               ELSE p.premise_id END,
                   p.account_id, (ARRAY['pending','sent','error','complete'])[1 + floor(random() * 4)::int],
                   now() - random() * interval '30 days', ''
            {pick(0.01, ", (ARRAY['account','person','premise'])[1 + floor(random() * 3)::int] AS kind")}
            WHERE p.person_id IS NOT NULL AND p.premise_id IS NOT NULL""",
        "fieldwork_fieldactivityoutgoingmessage": f"""INSERT INTO fieldwork_fieldactivityoutgoingmessage (id,
                field_activity_id, message_type, status, created_at, message)
            SELECT 'CCB{tag}-FM' || p.k, f.id, 'DISPATCH',
                   (ARRAY['pending','sent','error','complete'])[1 + floor(random() * 4)::int], now(), ''
            {pick(0.01)}
            CROSS JOIN LATERAL (SELECT id FROM fieldwork_fieldactivity f WHERE f.id = 'CCB{tag}-F' || p.k || '-1') f""",
    }
    counts: dict[str, int] = {}
    skipping = bool(start)
    for table, sql in statements.items():
        skipping = skipping and table != start
        if skipping:
            continue
        started = time.perf_counter()
        counts[table] = q(cur, sql).rowcount
        say(f"  {table}: {counts[table]:,} rows ({time.perf_counter() - started:.1f} s)")
    flags = {
        "customers_account (cash_only)": "UPDATE customers_account a SET cash_only = true FROM bench_central_plan p "
        "WHERE p.account_id = a.id AND (p.r_alert BETWEEN 0.5 AND 0.51 OR p.heavy)",
        "customers_person (life_support)": "UPDATE customers_person x SET life_support = true, "
        "life_support_description = 'Oxygen concentrator' FROM bench_central_plan p "
        "WHERE p.person_id = x.id AND (p.r_alert BETWEEN 0.6 AND 0.61 OR p.heavy)",
        "customers_premise (life_support)": "UPDATE customers_premise x SET life_support = true, "
        "life_support_description = 'Dialysis machine' FROM bench_central_plan p "
        "WHERE p.premise_id = x.id AND (p.r_alert BETWEEN 0.7 AND 0.705 OR p.heavy)",
    }
    for name, sql in flags.items():
        counts[name] = q(cur, sql).rowcount
        say(f"  {name}: {counts[name]:,} rows")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000_000, help="Timeline events in all (default 50M).")
    parser.add_argument("--chunk", type=int, default=25_000, help="Accounts per chunk (default 25,000).")
    parser.add_argument("--keep-indexes", action="store_true", help="Keep every index during the whole load.")
    parser.add_argument("--seed", type=float, default=0.42, help="setseed() value (default 0.42).")
    parser.add_argument(
        "--restore-indexes", action="store_true", help=f"Only recreate what an interrupted run dropped ({DROPPED})."
    )
    parser.add_argument(
        "--alerts-only",
        metavar="TABLE",
        nargs="?",
        const="billing_payplan",
        help="Only load the alert records (from this table on, in the load's order; default all), then ANALYZE.",
    )
    parser.add_argument("--tag", default="", help="Text in the ids of this run's records (for a second run).")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench.central_seed needs PostgreSQL (set CUSTCARE_DATABASE_URL).", file=sys.stderr)
        return 2
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with connection.cursor() as cur:
        q(cur, "SET session_replication_role = replica")
        q(cur, "SET work_mem = '256MB'")
        if args.restore_indexes:
            say(f"recreated {indexes_restore(cur)} indexes and constraints")
            return 0
        if args.alerts_only:
            alert_records(cur, args.tag, args.alerts_only)
            q(cur, "SET session_replication_role = DEFAULT")
            q(cur, "ANALYZE")
            say("analyzed")
            return 0
        if not one(cur, "SELECT to_regclass(%s) IS NULL", [DROPPED]) and one(cur, f"SELECT count(*) FROM {DROPPED}"):
            print(f"An earlier run left indexes dropped: run with --restore-indexes first ({DROPPED}).")
            return 2
        t0 = time.perf_counter()
        plan = plan_build(cur, args.events, args.seed)
        timings["plan"] = time.perf_counter() - t0
        contact_types = [
            (c, t)
            for c, t in q(
                cur,
                "SELECT contact_class_id, id FROM contacts_contacttype WHERE (contact_class_id, type_code) IN "
                "(('INQ','BILLQ'),('BILL','PAYMT'),('SVC','OUTAGE'),('BILL','HIBILL'),('INQ','PAYARR'),"
                "('CMPL','GEN'),('INQ','MOVEIN'),('SVC','METER'),('GEN','ADDRCHG'),('BILL','PPDENY')) ORDER BY id",
            ).fetchall()
        ]
        cc_start = reserve_counter(cur, plan["cc"] + plan["todo"])
        statements = chunk_sql(args.tag, cc_start, contact_types)
        total_accounts = plan["accounts"]
        bounds = list(range(1, total_accounts + 1, args.chunk))
        dropped = 0
        done_events = first_rows = 0
        load_started = time.perf_counter()
        for i, lo in enumerate(bounds):
            hi = lo + args.chunk
            c0 = time.perf_counter()
            rows = 0
            per: list[str] = []
            for table, sql in statements:
                s0 = time.perf_counter()
                n = q(cur, sql, {"lo": lo, "hi": hi}).rowcount
                rows += n
                per.append(f"{table.split('_', 1)[1]} {n:,}/{time.perf_counter() - s0:.1f}s")
            done_events += rows
            secs = time.perf_counter() - c0
            say(
                f"chunk {i + 1}/{len(bounds)} accounts {lo:,}-{min(hi, total_accounts + 1) - 1:,}: {rows:,} events "
                f"in {secs:.1f} s ({rows / secs:,.0f}/s, {'indexes dropped' if dropped else 'indexes kept'}); "
                f"{done_events:,} so far; {'; '.join(per)}"
            )
            if i == 0:
                first_rows = rows
                timings["first chunk, indexes kept (s)"] = secs
                timings["first chunk rows/s"] = rows / secs
                if not args.keep_indexes and len(bounds) > 1:
                    d0 = time.perf_counter()
                    dropped = indexes_drop(cur, TIMELINE_TABLES)
                    say(f"dropped {dropped} secondary indexes and unique constraints (noted in {DROPPED})")
                    timings["drop (s)"] = time.perf_counter() - d0
                    load_started = time.perf_counter()
        rest = time.perf_counter() - load_started
        timings["other chunks (s)"] = rest
        timings["other chunks rows/s"] = (done_events - first_rows) / max(rest, 1e-9)
        r0 = time.perf_counter()
        rebuilt = indexes_restore(cur)
        if rebuilt:
            timings["index rebuild (s)"] = time.perf_counter() - r0
            say(f"recreated {rebuilt} indexes and constraints in {timings['index rebuild (s)']:.0f} s")
        a0 = time.perf_counter()
        say("alert records:")
        alert_records(cur, args.tag)
        timings["alert records (s)"] = time.perf_counter() - a0
        q(cur, "SET session_replication_role = DEFAULT")
        z0 = time.perf_counter()
        # VACUUM as autovacuum would after such a load: the visibility map lets the alerts' index-only
        # scans skip the heap, as they do in a database that has been running.
        q(cur, "VACUUM (ANALYZE)")
        timings["vacuum analyze (s)"] = time.perf_counter() - z0
    timings["total (s)"] = time.perf_counter() - started
    say("timings: " + ", ".join(f"{k} {v:,.1f}" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
