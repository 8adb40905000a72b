"""fetch_prepared: hot read statements prepared once per connection on PostgreSQL, run as usual on SQLite."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from custcare.core.sql import fetch_prepared
from custcare.customers.models import Person
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
