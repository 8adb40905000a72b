"""TD-CCCB, To Do for Customer Contact (step 1.8): due reminders become To Do entries.

For every pending reminder whose trigger date minus LEAD-DAYS is on or before the process date, one
To Do entry of the type named in Installation Options: assigned and Being Worked On when the reminder
names a user, Open for the role when it names a role. The reminder is marked sent in the same
statement (PostgreSQL) or transaction (SQLite). Reminders addressed to an inactive user are reported as
run errors and stay pending until someone redirects them.

Each chunk is three statements whatever its size: read the error rows, insert the To Do entries with
their ids computed in SQL from a block of counter values, mark the reminders sent. The unique reminder
link on To Do entries makes a second To Do for the same reminder impossible.
"""

from __future__ import annotations

import datetime as dt

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
    JOIN contacts_customercontact c ON c.id = r.contact_id
    LEFT JOIN auth_user u ON u.id = r.send_to_user_id
    WHERE r.state = 'PENDING' AND r.id > %(lo)s AND r.id <= %(hi)s AND r.trigger_date <= %(limit)s
"""


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
        args = {
            "lo": lo,
            "hi": hi,
            "limit": self.limit,
            "type": self.todo_type.code,
            "role": self.todo_type.default_role_id,
            "priority": self.todo_type.default_priority,
            "now": timezone.now(),
            "run": self.run.pk,
        }
        with connection.cursor() as cur:
            cur.execute(
                "SELECT r.id, r.send_to_user_id " + DUE + " AND r.send_to_user_id IS NOT NULL AND NOT u.is_active", args
            )
            errors = [
                (
                    rid,
                    f"Reminder {rid} is addressed to user {uid}, who is no longer active; "
                    "send it to an active user or a role.",
                )
                for rid, uid in cur.fetchall()
            ]
            size = self.run.chunk_size
            blocks = counter_blocks(size)
            if connection.vendor == "postgresql":
                counter = (
                    "(%(blocks)s::bigint[])[((d.rn - 1) / " + str(BLOCK) + ") + 1] + ((d.rn - 1) %% " + str(BLOCK) + ")"
                )
                args["blocks"] = blocks
            else:
                counter = "%(start)s + d.rn - 1"
                args["start"] = blocks[0]
            insert = (
                "INSERT INTO todo_todoentry (id, todo_type_id, role_id, assigned_to_id, status, priority, message,"
                " reminder_id, contact_id, person_id, account_id, created_at, batch_run_id, assigned_at,"
                " completion_comment)"
                f" SELECT {scramble_sql(counter)}, %(type)s, COALESCE(d.send_to_role_id, %(role)s),"
                " d.send_to_user_id, CASE WHEN d.send_to_user_id IS NULL THEN 'O' ELSE 'W' END, %(priority)s,"
                " substr(d.comment, 1, 250), d.rid, d.contact_id, d.person_id, d.account_id, %(now)s, %(run)s,"
                " CASE WHEN d.send_to_user_id IS NULL THEN NULL ELSE %(now)s END, ''"
                " FROM (SELECT r.id AS rid, r.contact_id, r.send_to_user_id, r.send_to_role_id, r.comment,"
                " c.person_id, c.account_id, row_number() OVER (ORDER BY r.id) AS rn "
                + DUE
                + " AND (r.send_to_user_id IS NULL OR u.is_active)) d"
            )
            if connection.vendor == "postgresql":
                cur.execute(
                    "WITH ins AS (" + insert + " RETURNING reminder_id)"
                    " UPDATE contacts_reminder SET state = 'SENT' WHERE id IN (SELECT reminder_id FROM ins)",
                    args,
                )
                created = cur.rowcount
            else:
                cur.execute(insert, args)
                cur.execute(
                    "UPDATE contacts_reminder SET state = 'SENT' WHERE state = 'PENDING' AND id IN"
                    " (SELECT reminder_id FROM todo_todoentry WHERE batch_run_id = %(run)s"
                    " AND reminder_id > %(lo)s AND reminder_id <= %(hi)s)",
                    args,
                )
                created = cur.rowcount
        return ChunkResult(records=created, errors=errors)
