"""TD-CCCB, To Do for Customer Contact (step 1.8): due reminders become To Do entries.

For every pending reminder whose trigger date minus LEAD-DAYS is on or before the process date, one
To Do entry of the type named in Installation Options: assigned and Being Worked On when the reminder
names a user, Open for the role when it names a role. The reminder is marked sent in the same
statement (PostgreSQL) or transaction (SQLite). Reminders addressed to an inactive user are reported as
run errors and stay pending until someone redirects them.

Each chunk is a fixed number of statements whatever its size. PostgreSQL: one statement that reads the
due reminders once, returns the refused ones, inserts the To Do entries (ids computed in SQL from a
block of counter values) and marks their reminders sent. SQLite (no data-modifying WITH): read the
refused rows, insert, mark sent. The unique reminder link on To Do entries makes a second To Do for the
same reminder impossible.

The chunk commits with the server's synchronous_commit: measured on 20,000-row chunks the commit's WAL
flush took 1-9 ms of 1.5-2.5 s, so an asynchronous commit would save nothing worth its durability trade.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.services import installation_options
from custcare.batch.registry import BatchProgram, ChunkResult, register_batch_program
from custcare.core.errors import ValidationFailed
from custcare.core.ids import BLOCK, counter_blocks, scramble_sql
from custcare.todo.models import ToDoType

DUE = """
    FROM contacts_reminder r
    LEFT JOIN auth_user u ON u.id = r.send_to_user_id
    WHERE r.state = 'PENDING' AND r.id > %(lo)s AND r.id <= %(hi)s AND r.trigger_date <= %(limit)s
"""
REFUSED = "r.send_to_user_id IS NOT NULL AND NOT u.is_active"
DUE_ROWS = (
    "SELECT r.id AS rid, r.contact_id, r.send_to_user_id, r.send_to_role_id, r.comment,"
    f" COALESCE({REFUSED}, false) AS refused " + DUE
)


def _insert_sql(counter: str, due: str) -> str:
    """The To Do entries for the due rows `due` (a table expression) that are not refused, numbered in
    reminder order; `counter` turns the row number `d.rn` into a counter value. The rows go in in id
    order: the ids are scrambled, and sorted inserts walk the primary key (and its pattern copy) from
    left to right instead of jumping between its pages."""
    return (
        "INSERT INTO todo_todoentry (id, todo_type_id, role_id, assigned_to_id, status, priority, message,"
        " reminder_id, contact_id, person_id, account_id, created_at, batch_run_id, assigned_at,"
        " completion_comment)"
        f" SELECT {scramble_sql(counter)} AS id, %(type)s, COALESCE(d.send_to_role_id, %(role)s),"
        " d.send_to_user_id, CASE WHEN d.send_to_user_id IS NULL THEN 'O' ELSE 'W' END, %(priority)s,"
        " substr(d.comment, 1, 250), d.rid, d.contact_id, c.person_id, c.account_id, %(now)s, %(run)s,"
        " CASE WHEN d.send_to_user_id IS NULL THEN NULL ELSE %(now)s END, ''"
        " FROM (SELECT due.*, row_number() OVER (ORDER BY due.rid) AS rn FROM " + due + " due"
        " WHERE NOT due.refused) d"
        " JOIN contacts_customercontact c ON c.id = d.contact_id"
        " ORDER BY 1"
    )


def _chunk_sql_postgresql() -> str:
    """One statement per chunk: the due rows are read once; the refused ones come back as rows, the
    others become To Do entries and mark their reminders sent; the last row carries the count.

    The due reminders are locked as they are read (FOR UPDATE OF r): a CSR changing or canceling one of
    them at that moment either finishes first — and the locked re-read no longer finds it pending — or
    waits for the chunk to commit and is then told the To Do exists. Without the lock the batch could
    create a To Do from the old values and overwrite the cancel."""
    counter = "(%(blocks)s::bigint[])[((d.rn - 1) / " + str(BLOCK) + ") + 1] + ((d.rn - 1) %% " + str(BLOCK) + ")"
    return (
        "WITH due AS MATERIALIZED (" + DUE_ROWS + " FOR UPDATE OF r),"
        " ins AS (" + _insert_sql(counter, "due") + " RETURNING reminder_id),"
        " sent AS (UPDATE contacts_reminder SET state = 'SENT' WHERE id IN (SELECT reminder_id FROM ins) RETURNING 1)"
        " SELECT rid, send_to_user_id, NULL FROM due WHERE refused"
        " UNION ALL SELECT NULL, NULL, count(*) FROM sent"
    )


@register_batch_program("TD-CCCB", description="To Do for Customer Contact: due reminders become To Do entries")
class ToDoForCustomerContact(BatchProgram):
    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        lead_days: int = Field(0, ge=0, le=99, alias="LEAD-DAYS")
        max_errors: int | None = Field(None, ge=0, alias="MAX-ERRORS")

    def __init__(self, run):  # type: ignore[no-untyped-def]
        super().__init__(run)
        assert isinstance(self.params, self.Params)
        self.limit = run.process_date + dt.timedelta(days=self.params.lead_days)
        if self.params.max_errors is not None:
            run.max_errors = self.params.max_errors
        code = installation_options().todo_type_for_reminders
        self.todo_type = ToDoType.objects.filter(code=code).first()
        if self.todo_type is None:
            raise ValidationFailed(
                f"Installation Options name To Do type '{code}' for reminders, and it does not exist. "
                "Create it (admin: To Do types) or correct Installation Options, then restart the run."
            )

    def key_bounds(self) -> tuple[int, int] | None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT MIN(id), MAX(id) FROM contacts_reminder WHERE state = 'PENDING' AND trigger_date <= %s",
                [self.limit],
            )
            lo, hi = cur.fetchone()
        return None if lo is None else (lo - 1, hi)

    def chunk_end(self, after: int, upto: int, size: int) -> int | None:
        sql = (
            "SELECT id FROM contacts_reminder WHERE state = 'PENDING' AND id > %s AND id <= %s AND trigger_date <= %s"
            " ORDER BY id LIMIT 1 OFFSET %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [after, upto, self.limit, size - 1])
            row = cur.fetchone()
            if row:
                return int(row[0])
            cur.execute(
                "SELECT MAX(id) FROM contacts_reminder WHERE state = 'PENDING' AND id > %s AND id <= %s"
                " AND trigger_date <= %s",
                [after, upto, self.limit],
            )
            last = cur.fetchone()[0]
        return None if last is None else int(last)

    def process_chunk(self, lo: int, hi: int) -> ChunkResult:
        assert self.todo_type is not None
        args: dict[str, Any] = {
            "lo": lo,
            "hi": hi,
            "limit": self.limit,
            "type": self.todo_type.code,
            "role": self.todo_type.default_role_id,
            "priority": self.todo_type.default_priority,
            "now": timezone.now(),
            "run": self.run.pk,
        }
        blocks = counter_blocks(self.run.chunk_size)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                args["blocks"] = blocks
                cur.execute(_chunk_sql_postgresql(), args)
                rows = cur.fetchall()
                created = next(n for rid, _, n in rows if rid is None)
                refused = [(rid, uid) for rid, uid, _ in rows if rid is not None]
            else:
                args["start"] = blocks[0]
                cur.execute("SELECT r.id, r.send_to_user_id " + DUE + " AND " + REFUSED, args)
                refused = cur.fetchall()
                cur.execute(_insert_sql("%(start)s + d.rn - 1", "(" + DUE_ROWS + ")"), args)
                cur.execute(
                    "UPDATE contacts_reminder SET state = 'SENT' WHERE state = 'PENDING' AND id IN"
                    " (SELECT reminder_id FROM todo_todoentry WHERE batch_run_id = %(run)s"
                    " AND reminder_id > %(lo)s AND reminder_id <= %(hi)s)",
                    args,
                )
                created = cur.rowcount
        errors = [
            (
                rid,
                f"Reminder {rid} is addressed to user {uid}, who is no longer active; "
                "send it to an active user or a role.",
            )
            for rid, uid in sorted(refused)
        ]
        return ChunkResult(records=created, errors=errors)
