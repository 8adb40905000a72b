"""Rows written as plain values (custcare.core.rows): defaults as a saved instance gets them, and each
shape of rows (which columns are the same on every row) written by its own statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.core.rows import rows_copy, rows_upsert
from custcare.fieldwork.models import FieldActivity
from custcare.security.models import ApiToken


def _tokens(user, count: int, tag: str) -> list[dict[str, object]]:
    expires = timezone.now() + dt.timedelta(hours=1)
    return [{"digest": f"{tag}{i:04d}", "user_id": user.pk, "expires_at": expires} for i in range(count)]


@pytest.mark.parametrize("count", [1, 3, 25])
def test_fields_left_out_take_their_defaults_and_auto_now_add_is_now(csr, count):
    # given token rows that leave out created_at (auto_now_add) and revoked (default False)
    before = timezone.now()
    # when written
    with CaptureQueriesContext(connection) as queries:
        rows_copy(ApiToken, _tokens(csr, count, "d"))
    # then every row is stored with the defaults a saved instance would have
    stored = list(ApiToken.objects.filter(digest__startswith="d").order_by("digest"))
    assert [t.digest for t in stored] == [f"d{i:04d}" for i in range(count)]
    assert all(not t.revoked and before <= t.created_at <= timezone.now() for t in stored)
    if connection.vendor == "postgresql":  # one INSERT, or one COPY for 20 rows or more
        assert len(queries.captured_queries) == 1, queries.captured_queries


def _activity(customer, fa_id: str, *, status: str, crew: str) -> dict[str, object]:
    return {
        "id": fa_id,
        "fa_type_id": "MTRCHK",
        "premise_id": customer["premise"].id,
        "account_id": customer["account"].id,
        "status": status,
        "crew": crew,
        "scheduled_date": None,
        "completed_at": None,
    }


def test_each_shape_of_rows_is_written_by_its_own_statement(customer):
    # given batches whose columns are the same on every row, or not, in turn (each shape has its own
    # statement text, kept by the process)
    batches = [
        [_activity(customer, "FA-1", status="C", crew="North")],
        [_activity(customer, "FA-2", status="C", crew="South"), _activity(customer, "FA-3", status="C", crew="East")],
        [_activity(customer, "FA-1", status="P", crew="West"), _activity(customer, "FA-4", status="C", crew="West")],
        [_activity(customer, "FA-2", status="X", crew="Central")],
    ]
    # when each is upserted
    for rows in batches:
        rows_upsert(FieldActivity, rows, unique=["id"], update=["status", "crew"])
    # then every activity holds the values its last batch gave
    assert dict(FieldActivity.objects.values_list("id", "status")) == {
        "FA-1": "P",
        "FA-2": "X",
        "FA-3": "C",
        "FA-4": "C",
    }
    assert dict(FieldActivity.objects.values_list("id", "crew")) == {
        "FA-1": "West",
        "FA-2": "Central",
        "FA-3": "East",
        "FA-4": "West",
    }
