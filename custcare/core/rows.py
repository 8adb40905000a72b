"""Writing many rows given as plain values (no model instance, no per-value field preparation), as bulk
event intake and generated contacts do: one COPY or one INSERT per table on PostgreSQL, bulk_create
elsewhere.
audit_rows_insert also writes each row's audit entry, in the same statement on PostgreSQL; statements
that send whole columns as arrays use array_cursor (server-side binding, arrays in binary).

Rows are dicts of field attnames to Python values; a field a row leaves out takes its default. Values
of JSON fields are encoded with the field's encoder; date-times must be aware; every other value is
passed to the driver as it is (strings, numbers, booleans, dates, None), which is what the fields'
own preparation would give for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from custcare.core.sql import server_cursor

_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _fields(model: type[models.Model], given: dict[str, Any]) -> list[models.Field[Any, Any]]:
    """The concrete fields to write: all but a primary key the rows do not give."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in given)]


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def dump(value: Any) -> Any:
            return None if value is None else json.dumps(value, cls=encoder)

        return dump
    if field.get_internal_type() in _PLAIN:
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _defaults(fields: list[models.Field[Any, Any]]) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in fields}


def rows_copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert the rows: on PostgreSQL with one COPY (20 rows or more), else with bulk_create."""
    if not rows:
        return
    fields = _fields(model, rows[0])
    defaults = _defaults(fields)
    if connection.vendor != "postgresql" or len(rows) < 20:
        model._default_manager.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return
    convert = [(f.attname, _converter(f)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with (
        connection.cursor() as cur,
        cur.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([c(row[name] if name in row else defaults[name]) for name, c in convert])


def array_cursor() -> Any:
    """A cursor for statements that send whole columns as array parameters. On PostgreSQL it binds
    the parameters on the server and sends lists in binary (see custcare.core.sql.server_cursor): the
    driver's usual client-side binding quotes every element of every array into the statement text,
    which costs ~40 ms of CPU per thousand rows of a dozen columns, against ~2 ms in binary. Elsewhere
    Django's usual cursor. Either way a Django cursor (queries logged and wrapped as usual), to use in a
    `with`."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(server_cursor(binary_lists=True))  # type: ignore[attr-defined]


def rows_upsert(model: type[models.Model], rows: list[dict[str, Any]], *, unique: list[str], update: list[str]) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE SET update, in one statement: on PostgreSQL each column
    is sent as one array (or one value, when it is the same on every row) and the rows unnested from
    them; elsewhere bulk_create(update_conflicts=True).
    `unique` and `update` are field names; the rows must not repeat a unique key."""
    if not rows:
        return
    fields = _fields(model, rows[0])
    defaults = _defaults(fields)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**{**defaults, **row}) for row in rows],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=update,
        )
        return
    quote = connection.ops.quote_name
    columns = _Columns()
    for n, f in enumerate(fields):
        c = _converter(f)
        values = [c(row[f.attname] if f.attname in row else defaults[f.attname]) for row in rows]
        columns.add(f"c{n}", str(f.cast_db_type(connection)), values)
    column_of = {f.name: str(f.column) for f in fields}
    rows_sql, params = columns.sql()
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
        f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM ({rows_sql}) x"
        f" ON CONFLICT ({', '.join(quote(column_of[n]) for n in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(column_of[n])} = EXCLUDED.{quote(column_of[n])}" for n in update)
    )
    with array_cursor() as cur:
        cur.execute(sql, params)


_ENCODER = DjangoJSONEncoder()


def audit_rows_insert(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    action: str,
    user: Any,
    summaries: list[str] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Insert the rows with one audit entry each, as audit_record(entity=<the row's instance>,
    action=action, user=user, summary=summaries[i], after=audit_snapshot(...) | extra[i]) would give
    them. Every row gives every concrete field, its primary key included. On PostgreSQL the rows and
    their audit entries are one statement: the columns are sent as arrays, unnested once, inserted, and
    each entry's snapshot is built from the same values with jsonb_build_object (date-times sent as the
    text DjangoJSONEncoder gives them, so the entry is the one audit_snapshot makes). Elsewhere the rows
    are written with bulk_create and their audit entries returned as rows for the caller to write with
    its own; on PostgreSQL nothing is returned."""
    from custcare.core.models import AuditEntry

    if not rows:
        return []
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    user_id = user.pk if authenticated else None
    username = user.get_username() if authenticated else "system"
    now = timezone.now()
    entity_type = model._meta.label_lower
    pk_name = model._meta.pk.attname
    fields = list(model._meta.concrete_fields)
    for f in fields:  # jsonb_build_object renders these as audit_snapshot does; decimals, times... it would not
        if f.get_internal_type() not in _PLAIN and not isinstance(f, models.JSONField):
            raise TypeError(f"audit_rows_insert cannot snapshot {model._meta.label}.{f.name} ({type(f).__name__}).")
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=500)
        saved = [f.attname for f in fields]  # as saved: auto_now_add fields were set by the save
        return [
            {
                "at": now,
                "user_id": user_id,
                "username": username,
                "action": action,
                "entity_type": entity_type,
                "entity_id": str(row[pk_name]),
                "summary": summaries[i][:300] if summaries else "",
                "before": None,
                "after": {**{name: getattr(obj, name) for name in saved}, **(extra[i] if extra else {})},
            }
            for i, (row, obj) in enumerate(zip(rows, objs, strict=True))
        ]
    quote = connection.ops.quote_name
    columns = _Columns()
    snapshot: list[str] = []
    stamps: dict[Any, str] = {}

    def stamp(value: Any) -> str | None:
        if value is None:
            return None
        if value not in stamps:
            stamps[value] = _ENCODER.default(value)
        return stamps[value]

    for n, f in enumerate(fields):
        convert = _converter(f)
        columns.add(f"c{n}", str(f.cast_db_type(connection)), [convert(row[f.attname]) for row in rows], f.primary_key)
        if isinstance(f, models.DateTimeField | models.DateField):
            columns.add(f"j{n}", "text", [stamp(row[f.attname]) for row in rows])
            snapshot.append(f"'{f.attname}', x.j{n}")
        else:
            snapshot.append(f"'{f.attname}', x.c{n}")
    after = f"jsonb_build_object({', '.join(snapshot)})"
    if extra:
        columns.add("extra", "jsonb", [json.dumps(e, cls=DjangoJSONEncoder) for e in extra])
        after += " || x.extra"
    columns.add("summary", "text", [s[:300] for s in summaries] if summaries else [""] * len(rows))
    pk_column = next(f"c{n}" for n, f in enumerate(fields) if f.primary_key)
    audit = AuditEntry._meta.db_table
    rows_sql, params = columns.sql()
    sql = (
        f"WITH x AS ({rows_sql}),"
        f" w AS (INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
        f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM x)"
        f" INSERT INTO {quote(audit)} (at, user_id, username, action, entity_type, entity_id, summary, before, after)"
        f" SELECT %s, %s, %s, %s, %s, x.{pk_column}::text, x.summary, NULL, {after} FROM x"
    )
    with array_cursor() as cur:
        cur.execute(sql, [*params, now, user_id, username, action, entity_type])
    return []


class _Columns:
    """The columns of many rows as the SELECT that gives them back as rows: a column whose value is the
    same on every row is one parameter, the others one array each, unnested together (sending and
    unnesting an array of the same value a thousand times costs more than the rest of the column)."""

    def __init__(self) -> None:
        self.same: list[tuple[str, str, Any]] = []
        self.varying: list[tuple[str, str, list[Any]]] = []

    def add(self, name: str, db_type: str, values: list[Any], varies: bool = False) -> None:
        if not varies and values.count(values[0]) == len(values):
            self.same.append((name, db_type, values[0]))
        else:
            self.varying.append((name, db_type, values))

    def sql(self) -> tuple[str, list[Any]]:
        """The SELECT (the columns by the names given) and its parameters."""
        same = [f"%s::{db_type} AS {name}" for name, db_type, _ in self.same]
        params = [value for _, _, value in self.same]
        if not self.varying:  # one row
            return f"SELECT {', '.join(same)}", params
        arrays = ", ".join(f"%s::{db_type}[]" for _, db_type, _ in self.varying)
        names = ", ".join(name for name, _, _ in self.varying)
        params.extend(values for _, _, values in self.varying)
        return f"SELECT {', '.join(['u.*', *same])} FROM unnest({arrays}) AS u ({names})", params


def sql_in_set(column: str, values: list[str]) -> tuple[str, list[Any]]:
    """`column` (of text values) is one of `values`, as SQL and its parameters, for sets of hundreds or
    thousands of values: on PostgreSQL `IN (SELECT unnest(<one array>))`, which the planner treats as
    one set to join, where `= ANY(<array>)` has each value's selectivity estimated on its own (10-50 ms
    of planning for a thousand values on a table with detailed statistics); elsewhere as sql_in. Run it
    through array_cursor."""
    if connection.vendor == "postgresql":
        return f"{column} IN (SELECT unnest(%s::text[]))", [list(values)]
    return sql_in(column, values)


def sql_in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL and its parameters: on PostgreSQL `= ANY(%s)` with one array
    parameter (the statement text stays short however many values there are: the driver does not
    rewrite thousands of placeholders), elsewhere `IN (%s, ...)`."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
