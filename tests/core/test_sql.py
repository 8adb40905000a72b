"""fetch_prepared: hot read statements prepared once per connection on PostgreSQL, run as usual on SQLite."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from custcare.core.rows import array_cursor
from custcare.core.sql import analyze_grown_tables, fetch_prepared, server_cursor
from custcare.customers.models import AccessGroup, Person
from tests.factories import person_make

SQL = "SELECT id, primary_name FROM customers_person WHERE id = ANY(%s) ORDER BY id"
SQLITE_SQL = "SELECT id, primary_name FROM customers_person WHERE id IN (%s, %s) ORDER BY id"


def _sql() -> str:
    return SQL if connection.vendor == "postgresql" else SQLITE_SQL


def _params(ids: list[str]) -> list[object]:
    return [ids] if connection.vendor == "postgresql" else list(ids)


@pytest.mark.django_db
def test_gives_the_rows_a_plain_cursor_gives(csr, customer):
    # given two persons
    other = person_make(csr, name="Okafor, Ada", phone=None)
    ids = sorted([customer["person"].pk, other.pk])
    # when read through fetch_prepared, twice (the second time from the prepared statement)
    first = fetch_prepared(_sql(), _params(ids))
    second = fetch_prepared(_sql(), _params(ids))
    # then both are the rows the table holds
    expected = [(p.pk, p.primary_name) for p in Person.objects.filter(pk__in=ids).order_by("pk")]
    assert first == second == expected


@pytest.mark.django_db
def test_statements_are_logged_with_their_values(customer):
    ids = [customer["person"].pk, customer["person"].pk]
    with CaptureQueriesContext(connection) as ctx:
        fetch_prepared(_sql(), _params(ids))
    assert len(ctx.captured_queries) == 1
    assert customer["person"].pk in ctx.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_a_bad_statement_raises_a_django_database_error():
    with pytest.raises(DatabaseError):
        fetch_prepared("SELECT no_such_column FROM customers_person WHERE id = %s", ["x"])


@pytest.mark.django_db
def test_postgresql_plans_the_statement_once_per_connection(customer):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite runs the statement as usual")
    # when the same statement runs six times with different values
    for _ in range(6):
        fetch_prepared(SQL, [[customer["person"].pk]])
    # then the connection holds it prepared, executed from a generic plan every time
    with connection.cursor() as cur:
        cur.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT id, primary_name FROM customers_person WHERE id = ANY($1)%"],
        )
        (generic, custom), *_ = cur.fetchall()
    assert generic >= 6 and custom == 0


@pytest.mark.django_db
def test_a_cursor_still_being_read_is_not_lent_again(csr, customer):
    if connection.vendor != "postgresql":
        pytest.skip("server-binding cursors are PostgreSQL's")
    other = person_make(csr, name="Okafor, Ada", phone=None)
    ids = sorted([customer["person"].pk, other.pk])
    # given a cursor whose results are still being read
    with array_cursor() as outer:
        outer.execute("SELECT id FROM customers_person WHERE id = ANY(%s) ORDER BY id", [ids])
        first = outer.fetchone()
        # when statements run in between, through a prepared read and another cursor
        between = fetch_prepared(SQL, [[other.pk]])
        with array_cursor() as inner:
            inner.execute("SELECT %s::text", ["x"])
            assert inner.fetchall() == [("x",)]
        # then the first cursor's results are intact
        rest = outer.fetchall()
    assert [first, *rest] == [(ids[0],), (ids[1],)]
    assert between == [(other.pk, other.primary_name)]


@pytest.mark.django_db(transaction=True)
def test_a_closed_cursor_is_lent_again_and_a_new_connection_gets_new_ones():
    if connection.vendor != "postgresql":
        pytest.skip("server-binding cursors are PostgreSQL's")
    first = server_cursor(binary_lists=True)
    first.close()
    again = server_cursor(binary_lists=True)
    again.close()
    assert again is first
    # when the connection is replaced (Django reconnects after a close)
    connection.close()
    rows = fetch_prepared("SELECT %s::int + 1", [41])
    fresh = server_cursor(binary_lists=True)
    fresh.close()
    # then the statements run on the new connection, with cursors of its own
    assert rows == [(42,)]
    assert fresh is not first and fresh.connection is connection.connection


@pytest.mark.django_db
def test_a_long_statement_with_many_parameters_runs_again_and_again():
    if connection.vendor != "postgresql":
        pytest.skip("server-binding cursors are PostgreSQL's")
    # a statement longer and with more parameters than psycopg converts once and keeps (its
    # conversion is kept here), run with different values each time
    columns = ", ".join(f"%s::int AS c{n}" for n in range(70))
    sql = f"SELECT {columns}, '{'x' * 5000}' AS pad"
    for run in range(3):
        with array_cursor() as cur:
            cur.execute(sql, list(range(run, run + 70)))
            row = cur.fetchone()
        assert list(row[:70]) == list(range(run, run + 70)) and len(row[70]) == 5000


def _analyze_count(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cur.fetchone()[0]


def _stats_flushed() -> None:
    """This session's table statistics in shared memory now (PostgreSQL 15: after the next transaction)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute("SELECT 1")


@pytest.mark.django_db(transaction=True)
def test_tables_that_grew_past_their_statistics_are_analysed():
    if connection.vendor != "postgresql":
        assert analyze_grown_tables(min_rows=1) == []  # SQLite: nothing to do
        return
    table, name = "customers_accessgroup", "public.customers_accessgroup"
    # given a table analysed while it was empty, then given 30 rows (committed)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table}")
        cur.execute(f"ANALYZE {table}")
    _stats_flushed()
    AccessGroup.objects.bulk_create([AccessGroup(code=f"G{n:02d}", description=f"Group {n}") for n in range(30)])
    _stats_flushed()
    before = _analyze_count(table)
    # when asked for tables that changed by at least 20 rows more than they held
    analysed = analyze_grown_tables(min_rows=20)
    _stats_flushed()
    # then this one is analysed, and its statistics now hold its rows
    assert name in analysed
    assert _analyze_count(table) == before + 1
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        assert cur.fetchone()[0] == 30
    # and not again until it grows past that by another 20
    assert name not in analyze_grown_tables(min_rows=20)
    AccessGroup.objects.bulk_create([AccessGroup(code=f"H{n:02d}", description=f"Group {n}") for n in range(10)])
    _stats_flushed()
    assert name not in analyze_grown_tables(min_rows=20)  # 10 changes: below 30 + 20


@pytest.mark.django_db
def test_the_tables_generated_contacts_write_keep_no_pattern_or_covered_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes (SQLite has no pattern-ops indexes)")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('contacts_customercontact',"
            " 'contacts_contactcharacteristic', 'fieldwork_fieldactivity', 'fieldwork_fieldactivityremark')"
        )
        indexes = cur.fetchall()
    assert not [d for _, d in indexes if "pattern_ops" in d]
    single = {(t, d.split("(")[-1].rstrip(")")) for t, d in indexes if "," not in d.split("(")[-1]}
    assert ("contacts_contactcharacteristic", "contact_id") not in single  # the unique (contact_id, ...) serves
    assert ("fieldwork_fieldactivityremark", "field_activity_id") not in single
    assert any("UNIQUE" in d and "(contact_id, char_type_id)" in d for _, d in indexes)
    assert any("UNIQUE" in d and "(field_activity_id, remark_type_id)" in d for _, d in indexes)
    assert ("contacts_customercontact", "contact_class_id") in single  # the foreign key's own index stays
