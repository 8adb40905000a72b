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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
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
        shape = columns.shape()

        def insert(p: str) -> list[tuple[str, str]]:
            return [
                (
                    f"{p}m",
                    f"INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
                    f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM ({columns.sql()}) x",
                )
            ]

        _send(_Write(("insert", model, shape), insert, columns.params(), {table.name: False}))
        return
    _flush_pending()  # a COPY is a statement of its own, which Django's execute wrappers do not see
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
    column_of = table.column_of

    def upsert(p: str) -> list[tuple[str, str]]:
        return [
            (
                f"{p}m",
                f"INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
                f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM ({columns.sql()}) x"
                f" ON CONFLICT ({', '.join(column_of[n] for n in unique)}) DO UPDATE SET "
                + ", ".join(f"{column_of[n]} = EXCLUDED.{column_of[n]}" for n in update),
            )
        ]

    key = ("upsert", model, columns.shape(), tuple(unique), tuple(update))
    _send(_Write(key, upsert, columns.params(), {table.name: True}))


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
    audit = _table(AuditEntry).name

    def insert_audited(p: str) -> list[tuple[str, str]]:
        snapshot = [f"'{f.attname}', {p}x.{'j' if n in dated else 'c'}{n}" for n, f in enumerate(fields)]
        after = f"jsonb_build_object({', '.join(snapshot)})" + (f" || {p}x.extra" if extra else "")
        pk_column = next(f"c{n}" for n, f in enumerate(fields) if f.primary_key)
        return [
            (f"{p}x", columns.sql()),
            (
                f"{p}w",
                f"INSERT INTO {table.name} ({', '.join(table.columns[f.attname] for f in fields)})"
                f" SELECT {', '.join(f'c{n}' for n in range(len(fields)))} FROM {p}x",
            ),
            (
                f"{p}a",
                f"INSERT INTO {audit} (at, user_id, username, action, entity_type, entity_id, summary, before, after)"
                f" SELECT %s, %s, %s, %s, %s, {p}x.{pk_column}::text, {p}x.summary, NULL, {after} FROM {p}x",
            ),
        ]

    params = [*columns.params(), now, user_id, username, action, entity_type]
    _send(
        _Write(
            ("audit", model, columns.shape(), bool(extra)), insert_audited, params, {table.name: False, audit: False}
        )
    )
    return []


class _Write:
    """One write statement, as the common table expressions it is made of (name, body; the last body
    is the statement itself when it is sent alone, one more CTE when it goes with others); `build`
    gives them for a name prefix, `tables` says which tables it writes and whether it upserts them."""

    def __init__(
        self,
        key: tuple[Any, ...],
        build: Callable[[str], list[tuple[str, str]]],
        params: list[Any],
        tables: dict[str, bool],
    ) -> None:
        self.key, self.build, self.params, self.tables = key, build, params, tables


def _execute(writes: list[_Write]) -> None:
    """Send the writes as one statement: alone, a write is its own statement; together, each one's
    CTEs get a prefix of their own and the last one's last body is the statement. The text, built once
    per process for each sequence of shapes, is the same every time, so the driver prepares it."""
    key = tuple(w.key for w in writes)
    sql = _statements.get(key)
    if sql is None:
        ctes = [c for i, w in enumerate(writes) for c in w.build(f"q{i}_" if len(writes) > 1 else "")]
        *before, (_, last) = ctes
        sql = _statements[key] = (f"WITH {', '.join(f'{n} AS ({b})' for n, b in before)} " if before else "") + last
    with array_cursor() as cur:
        cur.execute(sql, [p for w in writes for p in w.params])


class _Pending:
    """The writes of a rows_written_together block not sent yet. `before_send`, when given, is called
    before writes are sent ahead of the block's end (see write_transaction)."""

    def __init__(self, before_send: Callable[[], None] | None = None) -> None:
        self.writes: list[_Write] = []
        self.tables: dict[str, bool] = {}
        self.before_send = before_send
        self.sending = False  # its own statement is being sent

    def add(self, write: _Write) -> None:
        # a table written twice in one statement is fine for inserts, not for an upsert (the second
        # write would not see the first one's rows): such a write starts a new statement
        if any(t in self.tables and (upsert or self.tables[t]) for t, upsert in write.tables.items()):
            self.flush()
        self.writes.append(write)
        for t, upsert in write.tables.items():
            self.tables[t] = self.tables.get(t, False) or upsert

    def flush(self, *, last: bool = False) -> None:
        writes, self.writes, self.tables = self.writes, [], {}
        if writes:
            if not last and self.before_send is not None:
                self.before_send()
            self.sending = True
            try:
                _execute(writes)
            finally:
                self.sending = False


def _send(write: _Write) -> None:
    pending: _Pending | None = getattr(connections[DEFAULT_DB_ALIAS], "_custcare_pending", None)
    if pending is not None:
        pending.add(write)
    else:
        _execute([write])


def _flush_pending() -> None:
    """A write of its own follows: what is waiting goes first, and in write_transaction the transaction
    begins."""
    pending: _Pending | None = getattr(connections[DEFAULT_DB_ALIAS], "_custcare_pending", None)
    if pending is not None:
        if pending.before_send is not None:
            pending.before_send()
        pending.flush()


@contextmanager
def rows_written_together() -> Iterator[None]:
    """On PostgreSQL, the writes of rows_copy (fewer than 20 rows), rows_upsert and audit_rows_insert in
    the block are sent together, as one statement (one round trip and one execution instead of one per
    write), right before the next other statement the connection runs (a read, a savepoint, an ORM
    write, a COPY) or at the end of the block, whichever comes first: every statement sees what was
    written before it, as when each write is sent at once. An error in a write is raised there. Use it
    inside a transaction (refused outside one: a commit would not wait for the writes). Elsewhere, and
    inside another such block, it changes nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or getattr(db, "_custcare_pending", None) is not None:
        yield
        return
    if not db.in_atomic_block:
        raise RuntimeError("rows_written_together() is for use inside a transaction.")
    pending = _Pending()

    def flush_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        pending.flush()
        return execute(sql, params, many, context)

    db._custcare_pending = pending  # type: ignore[attr-defined]
    try:
        with db.execute_wrapper(flush_first):
            try:
                yield
            except DatabaseError:
                raise  # the transaction is broken: what waits goes nowhere
            except BaseException:
                pending.flush()  # written before the error, as it would have been
                raise
            pending.flush()
    finally:
        db._custcare_pending = None  # type: ignore[attr-defined]


def write_transaction_begin() -> None:
    """In a write_transaction block, begin its transaction now, with what waits sent first: call it
    before code that opens atomic blocks of its own (a service decorated with transaction.atomic) or
    locks rows. Elsewhere it sends what waits, as any other statement would."""
    _flush_pending()


@contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction (as transaction.atomic()) whose writes are sent together (as in
    rows_written_together), begun only if it takes more than one statement to write them. On
    PostgreSQL, outside a transaction, the block's reads run on their own (each sees what is committed
    when it runs, as every statement of a READ COMMITTED transaction does) and the writes wait; when
    they make one statement, sent at the end of the block, that statement is the transaction: it is
    written whole or not at all, and the BEGIN and COMMIT round trips are saved (one event received
    over HTTP: 2 of its 9). Before anything else is written — a write that must go ahead of the others,
    any statement that is not a SELECT, a nested atomic block — the transaction begins and holds the
    rest of the block, as transaction.atomic() would. An error leaves nothing written. Inside a
    transaction, and elsewhere than on PostgreSQL, it is transaction.atomic() and rows_written_together().

    Code in the block that opens an atomic block of its own, or locks rows, calls
    write_transaction_begin() first (an atomic block begun inside before the transaction is refused
    with a RuntimeError before it writes anything). No on_commit callbacks: outside a transaction
    Django runs them at once."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql" or db.in_atomic_block or getattr(db, "_custcare_pending", None) is not None:
        with transaction.atomic(), rows_written_together():
            yield
        return
    with ExitStack() as stack:
        begun = False

        def refuse_inner_atomic() -> None:
            if db.in_atomic_block and not begun:  # transaction.atomic() entered within the block
                raise RuntimeError("write_transaction(): an atomic block began inside it; begin it first.")

        def begin() -> None:
            nonlocal begun
            if not begun:
                refuse_inner_atomic()
                stack.enter_context(transaction.atomic())
                begun = True

        pending = _Pending(before_send=begin)

        def flush_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if pending.sending:
                return execute(sql, params, many, context)
            refuse_inner_atomic()
            if pending.writes or sql.lstrip()[:6].upper() != "SELECT":
                begin()
            pending.flush()
            return execute(sql, params, many, context)

        db._custcare_pending = pending  # type: ignore[attr-defined]
        try:
            with db.execute_wrapper(flush_first):
                yield  # an error: what waits is never sent; a transaction begun rolls back
                refuse_inner_atomic()
                pending.flush(last=True)
        finally:
            db._custcare_pending = None  # type: ignore[attr-defined]


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
    ms of the database's time for one account, against 0.05). One value is `= %s` (see sql_in). Run it
    through array_cursor."""
    if connection.vendor == "postgresql":
        if len(values) == 1:
            return f"{column} = %s", list(values)
        if len(values) <= SMALL_SET:
            return f"{column} = ANY(%s::text[])", [list(values)]
        return f"{column} IN (SELECT unnest(%s::text[]))", [list(values)]
    return sql_in(column, values)


def sql_in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, as SQL and its parameters: on PostgreSQL `= ANY(%s)` with one array
    parameter (the statement text stays short however many values there are: the driver does not
    rewrite thousands of placeholders), elsewhere `IN (%s, ...)`. One value is `= %s` on PostgreSQL:
    the statements of one event are prepared, and a generic plan estimates ten values for an array
    parameter, so on a table of a thousand rows it prefers a sequential scan to looking ten keys up
    in an index, and keeps that plan while the table grows until the next ANALYZE (measured: the
    existing-contacts read of every intake request scanned the whole contacts table after a first
    import into a new database); for one value it estimates one row and uses the index."""
    if connection.vendor == "postgresql":
        if len(values) == 1:
            return f"{column} = %s", list(values)
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
