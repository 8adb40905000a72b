"""Read statements that CustCare sends very often with the same text, run as prepared statements.

Django binds parameters on the client (the whole statement text goes to PostgreSQL each time and is
planned each time). For most statements planning is cheap; for a few hot reads that join many tables it
is most of the cost: customer search's result rows, for instance, take 2-5 ms to plan and well under
1 ms to run for one person. `fetch_prepared` runs such a statement with server-side binding and
psycopg's `prepare=True`, so each database connection plans it once (PostgreSQL keeps the statement for
the connection's life). CustCare's settings open PostgreSQL sessions with `plan_cache_mode` set to
`force_generic_plan`, which only prepared statements heed (Django's own statements are never prepared):
with `auto`, PostgreSQL keeps planning a statement whose generic plan it estimates dearer, such as one
with a list parameter of unknown length. Statement text must therefore be stable: pass lists as one
array parameter (`column = ANY(%s)`), not as a variable number of placeholders, and prepare only
statements whose best plan does not depend on the values (key lookups and joins, not selective filters).

Behind PgBouncer in transaction pooling mode, use PgBouncer 1.21 or later with `max_prepared_statements`
set, and `ALTER ROLE ... SET plan_cache_mode = force_generic_plan` instead of the connection option
(see docs/operations.md). SQLite runs the statement as usual.

Also here, for the plans and indexes behind such statements: `analyze_grown_tables` (statistics that
follow a bulk intake) and `pattern_indexes_drop` (a migration helper for text-key tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def fetch_prepared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of one read statement (%s placeholders, `%%` for a literal %), prepared on PostgreSQL.
    Logged like any other statement when queries are logged (debug, CaptureQueriesContext)."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection of this thread, looked up once
    if db.vendor != "postgresql":
        with db.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    from django.db.backends.postgresql.base import CursorDebugWrapper

    db.validate_no_broken_transaction()
    pending = getattr(db, "_custcare_pending", None)  # writes waiting to be sent together (core.rows)
    if pending is not None:
        pending.flush()
    raw = server_cursor(binary_lists=False)
    if raw.connection.prepare_threshold is None:  # settings without CustCare's database OPTIONS
        raw.connection.prepare_threshold = 5
    try:
        with db.wrap_database_errors:
            if db.queries_logged:  # logged with its values, as Django logs its own statements
                logged = db.ops.compose_sql(sql, params)  # type: ignore[attr-defined]
                with CursorDebugWrapper(raw, db).debug_sql(logged):
                    raw.execute(sql, params, prepare=True)
            else:
                raw.execute(sql, params, prepare=True)
            return raw.fetchall()
    finally:
        raw.close()


def server_cursor(*, binary_lists: bool) -> Any:
    """A psycopg cursor on Django's PostgreSQL connection that binds parameters on the server (Django's
    own cursors bind on the client), optionally sending Python lists as binary arrays. The caller wraps
    it (`connection._prepare_cursor`) or logs its statements itself, and closes it.

    The cursor is kept with its connection and lent again once closed: making one costs more than
    running a small statement through it (its own adapters, the list dumper registered again, each
    parameter type's dumper looked up again: ~60 us of CPU of the ~100 a one-row write costs). Closing
    it gives it back; while it is lent (its results still being read) the next caller gets a new one."""
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    pg = db.connection
    kept: tuple[Any, dict[bool, Any]] | None = getattr(db, "_custcare_cursors", None)
    if kept is None or kept[0] is not pg:  # a new connection: new cursors
        kept = (pg, {})
        db._custcare_cursors = kept  # type: ignore[attr-defined]
    cursor = kept[1].get(binary_lists)
    if cursor is None or cursor.closed:
        cursor = kept[1][binary_lists] = _cursor_new(pg, binary_lists=binary_lists, kept=True)
    elif cursor.lent:
        cursor = _cursor_new(pg, binary_lists=binary_lists, kept=False)
    cursor.lent = True
    return cursor


_lendable: Any = None


def _cursor_new(pg: Any, *, binary_lists: bool, kept: bool) -> Any:
    """A psycopg.Cursor whose close() gives a kept cursor back, and closes one that is not kept; it
    converts its statements' placeholders once per statement text (see _kept_query_class)."""
    global _lendable
    if _lendable is None:
        import psycopg

        class LendableCursor(psycopg.Cursor[Any]):
            __slots__ = ("kept", "lent")
            kept: bool
            lent: bool

            def close(self) -> None:
                self.lent = False
                if not self.kept:
                    super().close()

        query_class = _kept_query_class()
        if query_class is not None:
            LendableCursor._query_cls = query_class
        _lendable = LendableCursor
    cursor = _lendable(pg)
    cursor.kept, cursor.lent = kept, False
    if binary_lists:
        from psycopg.types.array import ListBinaryDumper

        cursor.adapters.register_dumper(list, ListBinaryDumper)
    return cursor


def _kept_query_class() -> Any:
    """psycopg's statement conversion (placeholders to $n, a regular expression over the whole text)
    with its result kept for any statement text. psycopg keeps it only for texts of up to 4,096
    characters and 50 parameters, as ORMs generate long statements that never repeat; the statements
    sent here repeat with the same text (core.rows builds them once per shape, and the writes of an
    event sent together are longer than that): converting one of 6,000 characters again on every
    run costs ~0.4 ms of CPU. None when psycopg's internals are not the ones this was written for
    (its own conversion is used then)."""
    import functools

    try:
        from psycopg._queries import PostgresQuery, _query2pg_nocache
    except ImportError:
        return None
    if not all(hasattr(PostgresQuery, name) for name in ("convert", "dump", "_ensure_bytes")):
        return None
    convert_kept = functools.lru_cache(maxsize=512)(_query2pg_nocache)

    class KeptQuery(PostgresQuery):
        __slots__ = ()

        def convert(self, query: Any, vars: Any) -> None:
            if vars is None or not isinstance(query, str | bytes):
                super().convert(query, vars)
                return
            self.query, self._want_formats, self._order, self._parts = convert_kept(
                self._ensure_bytes(query), self._tx.encoding
            )
            self.dump(vars)

    return KeptQuery


def analyze_grown_tables(min_rows: int = 1000) -> list[str]:
    """PostgreSQL: `ANALYZE` the tables whose rows changed since their last analysis by more than they
    held then, and by at least `min_rows`; the names of the tables analysed. For bulk intake into young
    tables: the plans PostgreSQL keeps for the life of a connection (prepared statements, the
    foreign-key checks of every commit) are made from the statistics of the moment, and a table analysed
    when it was nearly empty gets sequential scans that grow slower with every batch until autovacuum,
    a minute or more later, analyses it again. Analysing invalidates those plans in every session.
    Called between batches, it analyses each growing table about log2(rows) times. SQLite: nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return []
    with db.cursor() as cur:
        cur.execute(
            "SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) FROM pg_stat_user_tables s"
            " JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.n_mod_since_analyze >= greatest(c.reltuples, 0) + %s ORDER BY 1",
            [min_rows],
        )
        names = [name for (name,) in cur.fetchall()]
        for name in names:
            cur.execute(f"ANALYZE {name}")
    return names


def pattern_indexes_drop(schema_editor: Any, columns: dict[str, list[str]]) -> None:
    """In a migration, PostgreSQL: drop the `varchar_pattern_ops` indexes Django adds beside the index
    of a text primary key or foreign key (`..._like`), for these table columns. They serve only
    `LIKE 'prefix%'` and nothing searches ids and codes that way; each costs an index entry per row
    written. Django drops such an index with `IF EXISTS` when it alters the column later. SQLite has none."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for table, names in columns.items():
            cur.execute(
                "SELECT quote_ident(i.relname) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]"
                " JOIN pg_opclass o ON o.oid = x.indclass[0]"
                " WHERE t.relname = %s AND x.indnatts = 1 AND a.attname = ANY(%s)"
                " AND o.opcname = 'varchar_pattern_ops'",
                [table, names],
            )
            for (index,) in cur.fetchall():
                schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
