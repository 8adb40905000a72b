"""Writing many rows given as plain values (no model instance, no per-value field preparation) for
bulk event intake: one COPY or one INSERT per table on PostgreSQL, bulk_create elsewhere.

Rows are dicts of field attnames to Python values; a field a row leaves out takes its default. Values
of JSON fields are encoded with the field's encoder; date-times must be aware; every other value is
passed to the driver as it is (strings, numbers, booleans, dates, None), which is what the fields'
own preparation would give for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection, models

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


def rows_upsert(model: type[models.Model], rows: list[dict[str, Any]], *, unique: list[str], update: list[str]) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE SET update, in one statement: on PostgreSQL each column
    is sent as one array and the rows unnested from them; elsewhere bulk_create(update_conflicts=True).
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
    columns = [quote(str(f.column)) for f in fields]
    arrays: list[list[Any]] = []
    for f in fields:
        c = _converter(f)
        arrays.append([c(row[f.attname] if f.attname in row else defaults[f.attname]) for row in rows])
    column_of = {f.name: str(f.column) for f in fields}
    casts = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)})"
        f" SELECT * FROM unnest({casts})"
        f" ON CONFLICT ({', '.join(quote(column_of[n]) for n in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(column_of[n])} = EXCLUDED.{quote(column_of[n])}" for n in update)
    )
    with connection.cursor() as cur:
        cur.execute(sql, arrays)


def sql_in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL and its parameters: on PostgreSQL `= ANY(%s)` with one array
    parameter (the statement text stays short however many values there are: the driver does not
    rewrite thousands of placeholders), elsewhere `IN (%s, ...)`."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
