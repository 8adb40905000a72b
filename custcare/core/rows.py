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
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
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
        encode = (field.encoder or json.JSONEncoder)().encode  # what json.dumps(value, cls=encoder) gives

        def dump(value: Any) -> Any:
            return None if value is None else encode(value)

        return dump
    if field.get_internal_type() in _PLAIN:
        return _same
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value: Any) -> Any:
    return value


def _defaults(fields: list[models.Field[Any, Any]]) -> dict[str, Any]:
    """Each field's default, as saving an instance would give it (auto_now and auto_now_add: now)."""
    now = None
    out: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            now = now or timezone.now()
            out[f.attname] = now
        else:
            out[f.attname] = f.get_default()
    return out


class _Table:
    """What writing rows of a model needs that depends on the model only (a model's fields, their
    converters, columns and PostgreSQL types), worked out once per process: reading a field's database
    type goes through the connection's type mappings, which costs more than the rest of a row."""

    def __init__(self, model: type[models.Model]) -> None:
        quote = connection.ops.quote_name
        self.name = quote(model._meta.db_table)
        self.fields = list(model._meta.concrete_fields)
        self.converters = {f.attname: _converter(f) for f in self.fields}
        self.columns = {f.attname: quote(str(f.column)) for f in self.fields}
        self.column_of = {f.name: quote(str(f.column)) for f in self.fields}
        self.casts = {f.attname: str(f.cast_db_type(connection)) for f in self.fields} if _pg() else {}


_tables: dict[tuple[type[models.Model], str], _Table] = {}
# statement texts, by what they depend on (the table, the columns, which columns are sent as arrays):
# a handful per model in practice
_statements: dict[tuple[Any, ...], str] = {}


def _table(model: type[models.Model]) -> _Table:
    key = (model, connection.vendor)
    table = _tables.get(key)
    if table is None:
        table = _tables[key] = _Table(model)
    return table


def _pg() -> bool:
    return connection.vendor == "postgresql"


def rows_copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert the rows: on PostgreSQL with one COPY (20 rows or more) or one INSERT of unnested arrays
    (fewer: a COPY costs a few more round trips), else with bulk_create."""
    if not rows:
        return
    fields = _fields(model, rows[0])
    defaults = _defaults(fields)
    if not _pg():
        model._default_manager.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=500)
        return
    table = _table(model)
    if len(rows) < 20:
        columns = _Columns()
        for n, f in enumerate(fields):
            name, c = f.attname, table.converters[f.attname]
            columns.add(f"c{n}", table.casts[name], [c(row[name] if name in row else defaults[name]) for row in rows])
        key = ("insert", model, columns.shape())
        sql = _statements.get(key)
        if sql is None:
            sql = _statements[key] = (
                f"INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
                f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM ({columns.sql()}) x"
            )
        with array_cursor() as cur:
            cur.execute(sql, columns.params())
        return
    convert = [(f.attname, table.converters[f.attname]) for f in fields]
    columns_sql = ", ".join(table.columns[f.attname] for f in fields)
    with connection.cursor() as cur, cur.copy(f"COPY {table.name} ({columns_sql}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([c(row[name] if name in row else defaults[name]) for name, c in convert])


def array_cursor() -> Any:
    """A cursor for statements that send whole columns as array parameters. On PostgreSQL it binds
    the parameters on the server and sends lists in binary (see custcare.core.sql.server_cursor): the
    driver's usual client-side binding quotes every element of every array into the statement text,
    which costs ~40 ms of CPU per thousand rows of a dozen columns, against ~2 ms in binary. Elsewhere
    Django's usual cursor. Either way a Django cursor (queries logged and wrapped as usual), to use in a
    `with`."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection of this thread, looked up once
    if db.vendor != "postgresql":
        return db.cursor()
    with db.wrap_database_errors:
        return db._prepare_cursor(server_cursor(binary_lists=True))  # type: ignore[attr-defined]


def rows_upsert(model: type[models.Model], rows: list[dict[str, Any]], *, unique: list[str], update: list[str]) -> None:
    """INSERT ... ON CONFLICT (unique) DO UPDATE SET update, in one statement: on PostgreSQL each column
    is sent as one array (or one value, when it is the same on every row) and the rows unnested from
    them; elsewhere bulk_create(update_conflicts=True).
    `unique` and `update` are field names; the rows must not repeat a unique key."""
    if not rows:
        return
    fields = _fields(model, rows[0])
    defaults = _defaults(fields)
    if not _pg():
        model._default_manager.bulk_create(
            [model(**{**defaults, **row}) for row in rows],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=update,
        )
        return
    table = _table(model)
    columns = _Columns()
    for n, f in enumerate(fields):
        name, c = f.attname, table.converters[f.attname]
        columns.add(f"c{n}", table.casts[name], [c(row[name] if name in row else defaults[name]) for row in rows])
    key = ("upsert", model, columns.shape(), tuple(unique), tuple(update))
    sql = _statements.get(key)
    if sql is None:
        column_of = table.column_of
        sql = _statements[key] = (
            f"INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
            f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM ({columns.sql()}) x"
            f" ON CONFLICT ({', '.join(column_of[n] for n in unique)}) DO UPDATE SET "
            + ", ".join(f"{column_of[n]} = EXCLUDED.{column_of[n]}" for n in update)
        )
    with array_cursor() as cur:
        cur.execute(sql, columns.params())


_ENCODER = DjangoJSONEncoder()
_encode = DjangoJSONEncoder().encode  # what json.dumps(value, cls=DjangoJSONEncoder) gives
_snapshot_checked: set[type[models.Model]] = set()


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
    if model not in _snapshot_checked:
        for f in fields:  # jsonb_build_object renders these as audit_snapshot does; decimals, times... it would not
            if f.get_internal_type() not in _PLAIN and not isinstance(f, models.JSONField):
                raise TypeError(f"audit_rows_insert cannot snapshot {model._meta.label}.{f.name} ({type(f).__name__}).")
        _snapshot_checked.add(model)
    if not _pg():
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
    table = _table(model)
    columns = _Columns()
    stamps: dict[Any, str] = {}

    def stamp(value: Any) -> str | None:
        if value is None:
            return None
        if value not in stamps:
            stamps[value] = _ENCODER.default(value)
        return stamps[value]

    dated: list[int] = []
    for n, f in enumerate(fields):
        name, convert = f.attname, table.converters[f.attname]
        columns.add(f"c{n}", table.casts[name], [convert(row[name]) for row in rows], f.primary_key)
        if isinstance(f, models.DateTimeField | models.DateField):
            columns.add(f"j{n}", "text", [stamp(row[name]) for row in rows])
            dated.append(n)
    if extra:
        columns.add("extra", "jsonb", [_encode(e) for e in extra])
    columns.add("summary", "text", [s[:300] for s in summaries] if summaries else [""] * len(rows))
    key = ("audit", model, columns.shape(), bool(extra))
    sql = _statements.get(key)
    if sql is None:
        snapshot = [f"'{f.attname}', x.{'j' if n in dated else 'c'}{n}" for n, f in enumerate(fields)]
        after = f"jsonb_build_object({', '.join(snapshot)})" + (" || x.extra" if extra else "")
        pk_column = next(f"c{n}" for n, f in enumerate(fields) if f.primary_key)
        sql = _statements[key] = (
            f"WITH x AS ({columns.sql()}),"
            f" w AS (INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
            f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM x)"
            f" INSERT INTO {_table(AuditEntry).name}"
            " (at, user_id, username, action, entity_type, entity_id, summary, before, after)"
            f" SELECT %s, %s, %s, %s, %s, x.{pk_column}::text, x.summary, NULL, {after} FROM x"
        )
    with array_cursor() as cur:
        cur.execute(sql, [*columns.params(), now, user_id, username, action, entity_type])
    return []


class _Columns:
    """The columns of many rows as the SELECT that gives them back as rows: a column whose value is the
    same on every row is one parameter, the others one array each, unnested together (sending and
    unnesting an array of the same value a thousand times costs more than the rest of the column).
    `shape` says which is which: with the table and the statement's kind it keys the statement text,
    built once per process."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, str, bool, Any]] = []  # name, type, the same on every row, value(s)

    def add(self, name: str, db_type: str, values: list[Any], varies: bool = False) -> None:
        if not varies and values.count(values[0]) == len(values):
            self.columns.append((name, db_type, True, values[0]))
        else:
            self.columns.append((name, db_type, False, values))

    def shape(self) -> tuple[tuple[str, str, bool], ...]:
        return tuple((name, db_type, same) for name, db_type, same, _ in self.columns)

    def params(self) -> list[Any]:
        """The parameters of `sql`, in its order: the single values, then the arrays."""
        return [v for _, _, same, v in self.columns if same] + [v for _, _, same, v in self.columns if not same]

    def sql(self) -> str:
        """The SELECT (the columns by the names given)."""
        same = [f"%s::{db_type} AS {name}" for name, db_type, one, _ in self.columns if one]
        varying = [(name, db_type) for name, db_type, one, _ in self.columns if not one]
        if not varying:  # one row
            return f"SELECT {', '.join(same)}"
        arrays = ", ".join(f"%s::{db_type}[]" for _, db_type in varying)
        names = ", ".join(name for name, _ in varying)
        return f"SELECT {', '.join(['u.*', *same])} FROM unnest({arrays}) AS u ({names})"


# Up to this many values, sql_in_set is `= ANY(<array>)`.
SMALL_SET = 16


def sql_in_set(column: str, values: list[str]) -> tuple[str, list[Any]]:
    """`column` (of text values) is one of `values`, as SQL and its parameters, for sets of hundreds or
    thousands of values: on PostgreSQL `IN (SELECT unnest(<one array>))`, which the planner treats as
    one set to join, where `= ANY(<array>)` has each value's selectivity estimated on its own (10-50 ms
    of planning for a thousand values on a table with detailed statistics); elsewhere as sql_in. A set
    of up to SMALL_SET values (one event's) is `= ANY(<array>)`: array_cursor's statements are
    prepared after a few runs, and the generic plan of the join assumes a set of ten values, for which
    it prefers hashing a whole table of a few thousand rows to looking the values up in its index (0.5
    ms of the database's time for one account, against 0.05). Run it through array_cursor."""
    if connection.vendor == "postgresql":
        if len(values) <= SMALL_SET:
            return f"{column} = ANY(%s::text[])", [list(values)]
        return f"{column} IN (SELECT unnest(%s::text[]))", [list(values)]
    return sql_in(column, values)


def sql_in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL and its parameters: on PostgreSQL `= ANY(%s)` with one array
    parameter (the statement text stays short however many values there are: the driver does not
    rewrite thousands of placeholders), elsewhere `IN (%s, ...)`."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
