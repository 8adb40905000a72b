from __future__ import annotations

from django.db import connection

from custcare.core.ids import scramble, scramble_sql


def test_sql_scramble_matches_python(db):
    values = [0, 1, 999, 123_456_789, 5_000_000_000, 9_999_999_999]
    with connection.cursor() as cur:
        for n in values:
            cur.execute(f"SELECT {scramble_sql(str(n))}", [])
            assert cur.fetchone()[0] == scramble(n)
