"""Rows written as plain values (custcare.core.rows): defaults as a saved instance gets them, and each
shape of rows (which columns are the same on every row) written by its own statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.core.models import AuditEntry
from custcare.core.rows import audit_rows_insert, rows_copy, rows_upsert, rows_written_together, write_transaction
from custcare.core.sql import fetch_prepared
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


UPSERT = {"unique": ["id"], "update": ["status", "crew"]}


def _token_row(user, pk: int) -> dict[str, object]:
    now = timezone.now()
    return {"id": pk, "digest": f"a{pk}", "user_id": user.pk, "created_at": now, "expires_at": now, "revoked": False}


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


def _crews() -> dict[str, str]:
    return dict(FieldActivity.objects.values_list("id", "crew"))


def test_writes_together_are_one_statement_and_every_read_sees_them(csr, customer):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with rows_written_together():
            # when rows are written, then read (through the ORM and a prepared read) in the same block
            rows_upsert(FieldActivity, [_activity(customer, "FA-1", status="C", crew="North")], **UPSERT)
            rows_copy(ApiToken, _tokens(csr, 2, "t"))
            seen_by_orm = _crews()
            rows_upsert(FieldActivity, [_activity(customer, "FA-2", status="C", crew="South")], **UPSERT)
            rows_copy(AuditEntry, audit_rows_insert(ApiToken, [_token_row(csr, 900)], action="add", user=csr))
            rows_upsert(FieldActivity, [_activity(customer, "FA-2", status="X", crew="West")], **UPSERT)
            seen_prepared = fetch_prepared(
                "SELECT count(*) FROM security_apitoken WHERE digest IN ('t0000', 't0001', 'a900')", []
            )
            rows_copy(ApiToken, _tokens(csr, 1, "u"))
        # then each read saw what was written before it, and everything was written by the block's end
        assert seen_by_orm == {"FA-1": "North"}
        assert seen_prepared == [(3,)]
        assert _crews() == {"FA-1": "North", "FA-2": "West"}
        assert ApiToken.objects.filter(digest__regex=r"^[tu]").count() == 3
        assert AuditEntry.objects.filter(entity_type="security.apitoken", entity_id="900", action="add").exists()
    if connection.vendor == "postgresql":
        # the writes between two reads went as one statement, but a table upserted twice starts a new one
        writes = [q["sql"][:40] for q in queries.captured_queries if "INSERT" in q["sql"]]
        assert writes == [
            'WITH q0_m AS (INSERT INTO "fieldwork_fie',
            'WITH q0_m AS (INSERT INTO "fieldwork_fie',
            'INSERT INTO "fieldwork_fieldactivity" ("',
            'INSERT INTO "security_apitoken" ("digest',
        ], writes


def test_an_error_in_a_write_is_raised_by_the_block_and_nothing_is_kept(csr, customer):
    rows_copy(ApiToken, _tokens(csr, 1, "dup"))
    with pytest.raises(IntegrityError), transaction.atomic(), rows_written_together():
        rows_upsert(FieldActivity, [_activity(customer, "FA-9", status="C", crew="North")], **UPSERT)
        rows_copy(ApiToken, _tokens(csr, 1, "dup"))  # the same digest again
    assert "FA-9" not in _crews()


def test_writes_made_before_an_exception_are_written(csr, customer):
    with transaction.atomic():
        with pytest.raises(ValueError), rows_written_together():
            rows_upsert(FieldActivity, [_activity(customer, "FA-7", status="C", crew="North")], **UPSERT)
            raise ValueError("stop")
        assert _crews() == {"FA-7": "North"}


@pytest.mark.django_db(transaction=True)
def test_the_block_is_for_use_in_a_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere the block changes nothing")
    with pytest.raises(RuntimeError), rows_written_together():
        pass


# write_transaction: outside a transaction (the tests below commit for real: transaction=True)


def _sent(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"].split(" ")[0] + ("" if q["sql"] in ("BEGIN", "COMMIT") else " ...") for q in queries.captured_queries
    ]


@pytest.mark.django_db(transaction=True)
def test_writes_that_make_one_statement_are_their_own_transaction(csr, customer):
    # when a block reads, then writes rows of three tables
    with CaptureQueriesContext(connection) as queries, write_transaction():
        seen = _crews()
        rows_upsert(FieldActivity, [_activity(customer, "FA-1", status="C", crew="North")], **UPSERT)
        rows_copy(ApiToken, _tokens(csr, 2, "w"))
        rows_copy(AuditEntry, audit_rows_insert(ApiToken, [_token_row(csr, 901)], action="add", user=csr))
    # then everything is written and committed (no transaction is left open)
    assert seen == {} and not connection.in_atomic_block
    assert _crews() == {"FA-1": "North"} and ApiToken.objects.filter(digest__regex=r"^(w|a901)").count() == 3
    if connection.vendor == "postgresql":
        # by the read and one statement, without BEGIN and COMMIT
        assert _sent(queries) == ["SELECT ...", "WITH ..."], _sent(queries)
    else:
        assert _sent(queries)[0].startswith("BEGIN")  # an atomic block


@pytest.mark.django_db(transaction=True)
def test_an_error_before_anything_is_sent_leaves_nothing(csr, customer):
    with pytest.raises(ValueError), write_transaction():
        rows_upsert(FieldActivity, [_activity(customer, "FA-2", status="C", crew="North")], **UPSERT)
        rows_copy(ApiToken, _tokens(csr, 1, "x"))
        raise ValueError("stop")
    assert _crews() == {} and not ApiToken.objects.filter(digest__startswith="x").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_leaves_nothing_and_the_connection_usable(csr, customer):
    rows_copy(ApiToken, _tokens(csr, 1, "dup"))
    with pytest.raises(IntegrityError), write_transaction():
        rows_upsert(FieldActivity, [_activity(customer, "FA-3", status="C", crew="North")], **UPSERT)
        rows_copy(ApiToken, _tokens(csr, 1, "dup"))  # the same digest again: the one statement fails
    assert _crews() == {} and ApiToken.objects.filter(digest__startswith="dup").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("early", ["orm write", "upsert twice", "copy"])
def test_a_write_that_goes_ahead_begins_the_transaction_and_an_error_undoes_it_all(csr, customer, early):
    # given a block that writes something ahead of its end: an ORM write, or a table upserted twice
    # (the second upsert must see the first, which is then sent first)
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValueError), write_transaction():
        rows_upsert(FieldActivity, [_activity(customer, "FA-4", status="C", crew="North")], **UPSERT)
        if early == "orm write":
            FieldActivity.objects.create(**_activity(customer, "FA-5", status="C", crew="South"))
        elif early == "copy":  # 20 rows or more: a COPY, which no execute wrapper sees
            rows_copy(ApiToken, _tokens(csr, 25, "c"))
        else:
            rows_upsert(FieldActivity, [_activity(customer, "FA-4", status="P", crew="West")], **UPSERT)
        rows_copy(ApiToken, _tokens(csr, 1, "y"))
        # when the block then fails
        raise ValueError("stop")
    # then nothing it wrote is kept
    assert _crews() == {} and not ApiToken.objects.filter(digest__regex=r"^[yc]").exists()
    if connection.vendor == "postgresql":
        assert _sent(queries)[0] == "BEGIN" and "COMMIT" not in _sent(queries), _sent(queries)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_goes_ahead_keeps_the_block_in_one_transaction(csr, customer):
    with CaptureQueriesContext(connection) as queries, write_transaction():
        rows_upsert(FieldActivity, [_activity(customer, "FA-6", status="C", crew="North")], **UPSERT)
        FieldActivity.objects.create(**_activity(customer, "FA-8", status="C", crew="South"))
        rows_copy(ApiToken, _tokens(csr, 1, "z"))
    assert _crews() == {"FA-6": "North", "FA-8": "South"} and ApiToken.objects.filter(digest="z0000").exists()
    if connection.vendor == "postgresql":
        assert _sent(queries) == ["BEGIN", "INSERT ...", "INSERT ...", "INSERT ...", "COMMIT"], _sent(queries)


@pytest.mark.django_db(transaction=True)
def test_an_atomic_block_begun_inside_is_refused_before_it_writes(csr, customer):
    if connection.vendor != "postgresql":
        pytest.skip("elsewhere the block is an atomic block: one inside it is a savepoint")
    with pytest.raises(RuntimeError, match="atomic block began inside"), write_transaction():
        rows_upsert(FieldActivity, [_activity(customer, "FA-9", status="C", crew="North")], **UPSERT)
        with transaction.atomic():
            FieldActivity.objects.create(**_activity(customer, "FA-10", status="C", crew="South"))
    assert _crews() == {}


def test_inside_a_transaction_it_is_a_savepoint(csr, customer):
    with transaction.atomic():
        with pytest.raises(ValueError), write_transaction():
            rows_upsert(FieldActivity, [_activity(customer, "FA-11", status="C", crew="North")], **UPSERT)
            raise ValueError("stop")
        rows_upsert(FieldActivity, [_activity(customer, "FA-12", status="C", crew="South")], **UPSERT)
    assert _crews() == {"FA-12": "South"}


@pytest.mark.django_db(transaction=True)
def test_a_copy_first_thing_in_the_block_begins_the_transaction(csr, customer):
    # given a block whose first write is a COPY (20 rows or more), with nothing waiting before it
    with pytest.raises(ValueError), write_transaction():
        rows_copy(ApiToken, _tokens(csr, 25, "k"))
        rows_upsert(FieldActivity, [_activity(customer, "FA-13", status="C", crew="North")], **UPSERT)
        raise ValueError("stop")
    # then the COPY is undone with the rest
    assert not ApiToken.objects.filter(digest__startswith="k").exists() and _crews() == {}
