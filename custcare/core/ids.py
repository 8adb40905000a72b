"""Opaque 10-digit identifiers for the records users see (persons, accounts, contacts, ...).

Users read these ids aloud on the phone, so they must be short, numeric and must not reveal how many
records exist. Each id is a counter value passed through a bijection of the 10-digit space
(multiplication by a constant coprime with 10, plus an offset, modulo 10**10), so ids are unique by
construction and need no retry. On PostgreSQL the counter is a sequence that hands out blocks of
`BLOCK` values, cached per process; sequences are not transactional, so a rolled-back transaction can
never cause an id to be given twice. SQLite has no sequences; there the counter is a row updated in the
writer's own transaction (SQLite has one writer at a time), one statement per allocation.
"""

from __future__ import annotations

import threading

from django.db import connection

SPACE = 10**10
MULTIPLIER = 6_364_136_223  # odd and not a multiple of 5: invertible modulo 10**10
OFFSET = 1_442_695_040
BLOCK = 100
SEQUENCE = "custcare_id_seq"

_lock = threading.Lock()
_cache: dict[str, list[int]] = {}


def scramble(n: int) -> str:
    return f"{(n * MULTIPLIER + OFFSET) % SPACE:010d}"


def _allocate(count: int) -> range:
    """Reserve `count` consecutive counter values and return them."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if count <= BLOCK:
                cur.execute("SELECT nextval(%s)", [SEQUENCE])
                start = cur.fetchone()[0]
                return range(start, start + BLOCK)
            blocks = -(-count // BLOCK)
            cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE, blocks])
            starts = sorted(r[0] for r in cur.fetchall())
            values = [v for s in starts for v in range(s, s + BLOCK)]
            return values[:count]  # type: ignore[return-value]
        cur.execute("UPDATE core_idcounter SET value = value + %s WHERE name = 'cis' RETURNING value", [count])
        end = cur.fetchone()[0]
        return range(end - count, end)


def new_id() -> str:
    """One new id."""
    if connection.vendor != "postgresql":
        return scramble(_allocate(1)[0])
    key = connection.settings_dict["NAME"]
    with _lock:
        pool = _cache.get(key)
        if not pool:
            pool = list(_allocate(1))
            pool.reverse()
            _cache[key] = pool
        return scramble(pool.pop())


def new_ids(count: int) -> list[str]:
    """`count` new ids in one round trip, for bulk loads."""
    if count <= 0:
        return []
    return [scramble(n) for n in list(_allocate(count))[:count]]


# The same bijection written in SQL for set-based inserts. The multiplier is split in two
# (63641 * 10**5 + 36223) so every intermediate value fits in a signed 64-bit integer on both
# PostgreSQL and SQLite; `n` is a SQL expression giving the counter value.
M_HI, M_LO = divmod(MULTIPLIER, 100_000)


def scramble_sql(n: str) -> str:
    """`%` is written doubled: execute the result with parameters (an empty list will do)."""
    big = f"CAST(({n}) AS BIGINT)"
    number = f"((({big} * {M_HI}) %% {SPACE}) * 100000 + {big} * {M_LO} + {OFFSET}) %% {SPACE}"
    if connection.vendor == "postgresql":
        return f"lpad(({number})::text, 10, '0')"
    return f"printf('%%010d', {number})"


def counter_blocks(count: int) -> list[int]:
    """Counter values for `count` ids as block starts of BLOCK values each (PostgreSQL), or as one
    contiguous range's start (SQLite): row k (from 0) takes blocks[k // BLOCK] + k % BLOCK on
    PostgreSQL and blocks[0] + k on SQLite. Call it outside a long transaction on PostgreSQL: the
    sequence is not transactional, so the values are never given twice."""
    if count <= 0:
        return []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE, -(-count // BLOCK)])
            return [r[0] for r in cur.fetchall()]
        cur.execute("UPDATE core_idcounter SET value = value + %s WHERE name = 'cis' RETURNING value", [count])
        return [cur.fetchone()[0] - count]
