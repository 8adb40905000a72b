"""Customer search benchmark: p50/p95 of `customer_search` by id, phone and name, against the raw trigram query.

    CUSTCARE_DATABASE_URL=postgres://.../custcare_bench .venv/bin/python -m bench.search_bench --persons 1000000

Migrates the database, loads the reference data and tops the customer base up to --persons persons (with
`custcare seed`'s generator when it is installed, else with the small bulk loader below), then times
searches as a CSR who sees the RES and COM access groups. Two raw queries are timed for the same name keys
in the same run: the bare trigram query (PostgreSQL: `%` with similarity ordering, limit 300; SQLite: the
FTS5 match of any trigram) and search's own index steps run bare; the ratios show what CustCare adds on
top of the index. The machine's load average is printed before and after: other work on the machine
moves every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "custcare.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from custcare.core.ids import new_ids  # noqa: E402
from custcare.customers import search  # noqa: E402
from custcare.customers.models import Account, AccountPerson, Person, PersonName, PersonPhone  # noqa: E402
from custcare.customers.normalize import name_key, phone_display, street_key  # noqa: E402
from custcare.demo.reference import reference_data_load, user_with_role_ensure  # noqa: E402
from custcare.security import roles  # noqa: E402

TARGETS_MS = {"id": 5.0, "phone": 20.0, "name": 50.0}
RAW_RATIO_TARGET = 5.0


def load(persons: int, seed: int) -> str:
    """Add persons until the database holds `persons`; returns how they were loaded."""
    have = Person.objects.count()
    if have >= persons:
        return f"already loaded ({have:,} persons)"
    missing = persons - have
    started = time.perf_counter()
    try:
        from custcare.demo.seed import seed_load
    except ImportError:
        _builtin_load(missing, seed)
        how = "bench's built-in loader"
    else:
        seed_load(persons=missing, seed=seed, contacts_per_person=0, progress=True)
        how = "custcare seed"
    took = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    return f"{how}: {missing:,} persons in {took:.0f} s"


FIRST = ["John", "Maria", "Anna", "José", "Wei", "Fatima", "Olga", "Liam", "Chloé", "Kwame", "Priya", "Sven"]
LAST = ["Smith", "Rivera", "Müller", "Nguyen", "Okafor", "García", "Kowalski", "Johnson", "Lindqvist", "Chen"]
STREETS = ["Elm Street", "Oak Avenue", "Main Street", "N. Pine Rd", "Maple Lane", "Cedar Court", "Lake Drive"]


def _builtin_load(count: int, seed: int) -> None:
    """A minimal bulk loader (persons, names, phones, premises, accounts, links, SAs) for when the
    seed generator is not installed."""
    from custcare.customers.models import Premise, ServiceAgreement

    rng = random.Random(seed)
    batch = 10_000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        ids = new_ids(4 * n)
        with transaction.atomic():
            persons: list[Any] = []
            names: list[Any] = []
            phones: list[Any] = []
            premises: list[Any] = []
            accounts: list[Any] = []
            links: list[Any] = []
            sas: list[Any] = []
            for i in range(n):
                pid, aid, mid, sid = ids[4 * i : 4 * i + 4]
                name = f"{rng.choice(LAST)}{rng.randint(0, 999) or ''}, {rng.choice(FIRST)}"
                house, street = str(rng.randint(1, 3000)), rng.choice(STREETS)
                persons.append(Person(id=pid, primary_name=name, house_number=house, street=street))
                names.append(PersonName(person_id=pid, name=name, is_primary=True, search_name=name_key(name)))
                phones.append(
                    PersonPhone(person_id=pid, number=f"+1{rng.randint(200, 999)}{rng.randint(0, 9999999):07d}")
                )
                premises.append(
                    Premise(
                        id=mid,
                        premise_type_id="HOUSE",
                        house_number=house,
                        street=street,
                        street_key=street_key(street),
                    )
                )
                accounts.append(
                    Account(id=aid, customer_class_id="R", access_group_id="RES", setup_date=dt.date(2024, 1, 1))
                )
                links.append(AccountPerson(account_id=aid, person_id=pid, relationship_type="MAIN", main_customer=True))
                sas.append(
                    ServiceAgreement(
                        id=sid, account_id=aid, sa_type_id="E-RES", premise_id=mid,
                        start_date=dt.date(2024, 1, 1), status="AC",
                    )
                )  # fmt: skip
            table: list[tuple[Any, list[Any]]] = [
                (Person, persons),
                (PersonName, names),
                (PersonPhone, phones),
                (Premise, premises),
                (Account, accounts),
                (AccountPerson, links),
                (ServiceAgreement, sas),
            ]
            for model, rows in table:
                model.objects.bulk_create(rows, batch_size=2000)
        print(f"  loaded {start + n:,} / {count:,}", flush=True)


def _sample_rows(sql: str, count: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """`count` rows spread over the table: each from a random 10-digit id onwards, through the primary key."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        while len(out) < count:
            cur.execute(sql, [f"{rng.randrange(10**10):010d}"])
            row = cur.fetchone()
            if row:
                out.append(row)
    return out


def typo(name: str, rng: random.Random) -> str:
    """A CSR's slip: two adjacent letters swapped in one word of four letters or more (not the first
    letter), or a letter dropped from a shorter one."""
    words = name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    if not long:
        k = rng.randrange(len(words))
        words[k] = words[k][:-1] or words[k]
        return " ".join(words)
    k = rng.choice(long)
    w = words[k]
    i = rng.randrange(1, len(w) - 1)
    words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return " ".join(words)


def spoken(name: str) -> str:
    """'Smith, John' as a caller says it: 'John Smith'."""
    last, _, first = name.partition(", ")
    return f"{first} {last}".strip()


def timed(fn: Callable[[str], Any], queries: list[str]) -> list[float]:
    for q in queries[:5]:
        fn(q)  # warm the connection and caches
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def raw_bare(key: str) -> list[Any]:
    """The bare trigram query for the whole name, as pg_trgm's documentation would write it (PostgreSQL:
    `%` ordered by similarity, limit 300; SQLite: the FTS5 match of any of the name's trigrams, best
    bm25 first, limit 300)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            search._trgm_thresholds()
            cur.execute(
                "SELECT person_id, similarity(search_name, %s) AS s FROM customers_personname"
                " WHERE search_name %% %s ORDER BY s DESC LIMIT 300",
                [key, key],
            )
        else:
            cur.execute(
                "SELECT rowid FROM customers_personname_fts WHERE customers_personname_fts MATCH %s"
                " ORDER BY rank LIMIT 300",
                [search.fts_query(key, search.NAME_STEPS[-1])],
            )
        return cur.fetchall()


def raw_steps(key: str) -> list[Any]:
    """Search's name steps as bare queries over every name (no ranking by exactness, no access check, no
    result rows): each name step in turn, until one returns rows (SQLite: the FTS5 candidate query of
    each step in turn, until one returns rows). On PostgreSQL search runs the same
    conditions on the distinct spellings and then reads the persons of the best ones (see
    `raw_spelling_steps`); this is the plain query for the same matches."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            search._trgm_thresholds()
            for step in search.NAME_STEPS:
                where, params = search._name_condition(key, step)
                cur.execute(
                    "SELECT person_id, similarity(search_name, %s) AS s FROM customers_personname"
                    f" WHERE {where} ORDER BY s DESC LIMIT 300",
                    [key, *params],
                )
                rows = cur.fetchall()
                if rows:
                    return rows
            return []
        for step in search.NAME_STEPS:
            cur.execute(
                "SELECT rowid FROM customers_personname_fts WHERE customers_personname_fts MATCH %s"
                " ORDER BY rank LIMIT 300",
                [search.fts_query(key, step)],
            )
            rows = cur.fetchall()
            if rows:
                return rows
        return []


def raw_spelling_steps(key: str) -> list[Any]:
    """PostgreSQL: the name steps as search runs them, on the distinct spellings (`customers_searchname`),
    bare: spellings only, best first, limit 300, no persons."""
    with connection.cursor() as cur:
        search._trgm_thresholds()
        for step in search.NAME_STEPS:
            where, params = search._name_condition(key, step, "k.search_name")
            cur.execute(
                "SELECT k.search_name, similarity(k.search_name, %s) AS s FROM customers_searchname k"
                f" WHERE {where} ORDER BY s DESC LIMIT 300",
                [key, *params],
            )
            rows = cur.fetchall()
            if rows:
                return rows
        return []


def _keyed(fn: Callable[[str], list[Any]]) -> Callable[[str], list[Any]]:
    """`fn` of the query's name key, as search makes it."""
    return lambda query: fn(name_key(query))


def _name_of(person_id: str) -> str:
    return spoken(Person.objects.get(pk=person_id).primary_name)


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def _load(avg: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in avg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, required=True, help="Persons the database should hold.")
    parser.add_argument("--samples", type=int, default=200, help="Queries timed per kind (default 200).")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    call_command("migrate", verbosity=0)
    reference_data_load()
    loaded = load(args.persons, args.seed)
    user = user_with_role_ensure(
        username="bench-csr", role=roles.CSR, password="bench-only", access_groups=("RES", "COM")
    )
    vendor = connection.vendor
    version = (
        connection.pg_version if vendor == "postgresql" else connection.Database.sqlite_version  # type: ignore[attr-defined]
    )
    total = Person.objects.count()

    load_before = os.getloadavg()
    n = args.samples
    person_ids = [
        r[0] for r in _sample_rows("SELECT id FROM customers_person WHERE id >= %s ORDER BY id LIMIT 1", n, rng)
    ]
    account_ids = [
        r[0] for r in _sample_rows("SELECT id FROM customers_account WHERE id >= %s ORDER BY id LIMIT 1", n, rng)
    ]
    phones = [
        phone_display(r[0])
        for r in _sample_rows(
            "SELECT number FROM customers_personphone WHERE person_id >= %s ORDER BY person_id LIMIT 1", n, rng
        )
    ]
    sampled = _sample_rows(
        "SELECT person_id, name FROM customers_personname WHERE person_id >= %s AND is_primary"
        " ORDER BY person_id LIMIT 1",
        n,
        rng,
    )
    names = [spoken(r[1]) for r in sampled]
    misspelt = [typo(name, rng) for name in names]

    def run(q: str) -> search.SearchResult:
        return search.customer_search(query=q, user=user)

    found = first = 0
    for (person_id, _), meant, q in zip(sampled, names, misspelt, strict=True):
        ids = [r.person.id for r in run(q).rows if r.person is not None]
        found += person_id in ids
        first += bool(ids) and name_key(meant) == name_key(_name_of(ids[0]))
    lines = [
        ("by person id", timed(run, person_ids), TARGETS_MS["id"]),
        ("by account id", timed(run, account_ids), TARGETS_MS["id"]),
        ("by phone", timed(run, phones), TARGETS_MS["phone"]),
        ("by name", timed(run, names), TARGETS_MS["name"]),
        ("by misspelt name", timed(run, misspelt), TARGETS_MS["name"]),
    ]
    raw = {
        (label, kind): timed(_keyed(fn), queries)
        for label, queries in (("name", names), ("misspelt name", misspelt))
        for kind, fn in (("steps", raw_steps), ("bare", raw_bare))
    }
    spellings = {
        label: timed(_keyed(raw_spelling_steps), queries)
        for label, queries in (("name", names), ("misspelt name", misspelt))
        if vendor == "postgresql"
    }
    truncated = sum(1 for q in names if run(q).truncated)

    print(f"\n## Customer search: {vendor} {version}, {total:,} persons")
    load_after = os.getloadavg()
    print(f"\n{dt.date.today().isoformat()}; {machine()}; data: {loaded}; {n} queries per line.")
    print(f"Load average (1/5/15 min) before: {_load(load_before)}; after: {_load(load_after)}.\n")
    print("| query | p50 ms | p95 ms | target p95 | met |")
    print("|---|---:|---:|---:|---|")
    for label, values, target in lines:
        p95 = pct(values, 95)
        met = "yes" if p95 <= target else "NO"
        print(f"| {label} | {statistics.median(values):.2f} | {p95:.2f} | ≤ {target:.0f} | {met} |")
    for label, values in (("name", lines[3][1]), ("misspelt name", lines[4][1])):
        for kind, what in (("steps", "search's own index steps"), ("bare", "bare `%` query")):
            base = raw[(label, kind)]
            ratio = pct(values, 95) / pct(base, 95)
            met = "yes" if ratio <= RAW_RATIO_TARGET else "NO"
            print(
                f"| raw, {label}: {what} | {statistics.median(base):.2f} | {pct(base, 95):.2f}"
                f" | search ≤ {RAW_RATIO_TARGET:.0f}x raw | {met}: {ratio:.1f}x |"
            )
    for label, base in spellings.items():
        print(
            f"| raw, {label}: search's steps on the distinct spellings (no persons) | {statistics.median(base):.2f}"
            f" | {pct(base, 95):.2f} | | |"
        )
    print(
        f"\nMisspelt names: the person meant was among the results {found}/{n} times"
        f" (a person of that exact name ranked first: {first}/{n}). Name searches truncated at "
        f"{search.settings.CUSTCARE_SEARCH_LIMIT}: {truncated}/{n}."
    )


if __name__ == "__main__":
    main()
