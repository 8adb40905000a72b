"""Step 1.0: one search box for everything a caller might give.

INTERFACE (stable; other modules depend on it):
    customer_search(*, query: str, user) -> SearchResult

How a query is read:
- only digits and phone punctuation: a 10-digit input is tried as a person, account and premise id; any such
  input is tried as a phone number (normalised to E.164, matched exactly) and as an identifier value;
- a house number followed by words: a service address (premise house number + normalised street) or a
  person's mailing address; if no address matches, the words are searched as a name;
- anything else: a name (at least 3 characters), and, when it contains a digit, an identifier value.

Names are matched with trigrams (pg_trgm's measures), which makes the match case-, accent- (through
`name_key`), typo- and word-order-tolerant, in two steps:
1. every word the caller typed must be like some word of the name:
       word_similarity(word, search_name) >= WORD_SIMILARITY_THRESHOLD     (PostgreSQL's `<%` operator)
   0.35, below pg_trgm's default of 0.6, because one swapped pair of letters in a four-letter word keeps
   only 2 of its 5 trigrams ("jonh" against "john" is 0.4; "smiht" against "smith" 0.5; "rivra" against
   "rivera" 0.5), while 0.35 still needs the word's first letters right. Requiring every word is what makes
   the search selective: "john smith" reads only names with a john-like and a smith-like word, not every
   Smith and every John, so it stays fast on a million persons. A prefix works too ("rive" is 0.8).
2. only if step 1 finds nothing (a typo in a word's first letters, "jhon smith"): the whole name must be
   like the whole query, similarity(search_name, query) >= SIMILARITY_THRESHOLD (the `%` operator, at
   pg_trgm's default 0.3; "jhon smith" against "smith john" is 0.47). This reads every name sharing a
   word with the query, so it is the slower path.
Rows are ranked exact name first (in any word order), then by the greater of similarity and
word_similarity of the whole query, then by name.

PostgreSQL answers both steps from a GIN trigram index. SQLite has no trigram operators: candidates come
from an FTS5 trigram index (step 1: for each word, any of its trigrams; step 2: any trigram of the query;
best bm25 first, at most SQLITE_CANDIDATES rows) and are filtered and ranked here with the same measures,
computed as pg_trgm computes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import permutations
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    FloatField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from custcare.customers.models import (
    Account,
    AccountPerson,
    Person,
    PersonIdentifier,
    PersonName,
    PersonPhone,
    Premise,
    ServiceAgreement,
    sees_everything,
)
from custcare.customers.normalize import PhoneError, identifier_key, name_key, phone_e164, street_key, text_key
from custcare.security.roles import require

SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.35
SQLITE_CANDIDATES = 2000
MIN_NAME_CHARS = 3
# Persons gathered for an address before access filtering: a tower block has hundreds, never more.
ADDRESS_CANDIDATES = 5000

_PHONEISH = re.compile(r"^[\d\s().+\-/]+$")
_ADDRESS = re.compile(r"^(\d+[a-z]?) ([a-z].*)$")

# Ranking groups: exact identifications before addresses before names.
_EXACT, _ADDRESS_MATCH, _NAME_EXACT, _NAME = 4, 3, 2, 1


@dataclass
class SearchRow:
    person: Person | None
    accounts: list[Account] = field(default_factory=list)
    premises: list[Premise] = field(default_factory=list)
    matched: str = ""  # what matched, for people: "name 'Rivera, Maria'", "phone (555) 201-3344", ...
    phone: str = ""  # the person's first phone, formatted for display
    score: float = 0.0  # name similarity (0..1); 1 for exact identifications


@dataclass
class SearchResult:
    query: str
    kind: str  # what the query was read as: id, phone, identifier, address, name
    rows: list[SearchRow]
    truncated: bool = False  # more than CUSTCARE_SEARCH_LIMIT matched
    message: str = ""  # for people: "More than 300 customers match; refine your search." / why nothing matched
    unique_account_id: str | None = None  # set when the search identifies exactly one account


@dataclass
class _Hit:
    group: int
    score: float
    matched: str
    name: str = ""


@dataclass
class _Hits:
    persons: dict[str, _Hit] = field(default_factory=dict)
    premises: dict[str, _Hit] = field(default_factory=dict)  # premises matched with no visible person
    kinds: list[str] = field(default_factory=list)
    account_id: str | None = None
    truncated: bool = False

    def add(self, person_id: str, hit: _Hit, kind: str) -> None:
        old = self.persons.get(person_id)
        if old is None or (hit.group, hit.score) > (old.group, old.score):
            self.persons[person_id] = hit
        if kind not in self.kinds:
            self.kinds.append(kind)


def customer_search(*, query: str, user: Any) -> SearchResult:
    """Find the customers a caller describes, among those the user may see."""
    require(user, "customer.read")
    text = " ".join((query or "").split())
    limit = settings.CUSTCARE_SEARCH_LIMIT
    if not text:
        return SearchResult(
            query=query, kind="", rows=[], message="Type a name, phone number, address, id or identifier."
        )
    hits = _Hits()
    key = text_key(text)
    tried: list[str] = []
    if _PHONEISH.match(text):
        digits = re.sub(r"\D", "", text)
        as_id = digits if len(digits) == 10 else None
        phone = _phone_or_none(text)
        ident = identifier_key(text) if len(identifier_key(text)) >= 4 else None
        tried = [k for k, v in (("id", as_id), ("phone", phone), ("identifier", ident)) if v]
        if tried:
            _by_exact_keys(as_id=as_id, phone=phone, ident=ident, typed=text, user=user, hits=hits)
    else:
        address = _ADDRESS.match(key)
        if address:
            tried.append("address")
            _by_address(address.group(1), street_key(address.group(2)), user, hits)
        if any(c.isdigit() for c in key) and " " not in key and len(identifier_key(text)) >= 4:
            tried.append("identifier")
            _by_exact_keys(as_id=None, phone=None, ident=identifier_key(text), typed=text, user=user, hits=hits)
        if not hits.persons and not hits.premises and len(key.replace(" ", "")) >= MIN_NAME_CHARS:
            tried.append("name")
            _by_name(name_key(text), user, hits, limit)
    if not tried:
        return SearchResult(
            query=query,
            kind="",
            rows=[],
            message=f"Type at least {MIN_NAME_CHARS} letters of a name, or a phone number, address, id or identifier.",
        )
    kind = hits.kinds[0] if hits.kinds else tried[0]
    rows, truncated = _rows(hits, user, limit)
    result = SearchResult(query=query, kind=kind, rows=rows, truncated=truncated or hits.truncated)
    if result.truncated:
        result.message = f"More than {limit} customers match; refine your search."
    elif not rows:
        result.message = f"No customer matches '{text}'."
    result.unique_account_id = _unique_account(hits, rows)
    return result


def _phone_or_none(text: str) -> str | None:
    try:
        return phone_e164(text)
    except PhoneError:
        return None


def _by_exact_keys(
    *, as_id: str | None, phone: str | None, ident: str | None, typed: str, user: Any, hits: _Hits
) -> None:
    """Ids (a 10-digit id may be a person's, an account's or a premise's), the phone number and the
    identifier value, all asked in one query. Persons are filtered for access when the rows are read;
    accounts and premises here, so that a hidden account's id does not lead to its persons."""
    parts: list[QuerySet[Any, Any]] = []
    if as_id:
        parts.append(Person.objects.filter(pk=as_id).values_list(Value("person"), "pk", "pk"))
        parts.append(
            AccountPerson.objects.filter(account__in=Account.objects.visible_to(user).filter(pk=as_id)).values_list(
                Value("account"), "person_id", "account_id"
            )
        )
        parts.append(Premise.objects.visible_to(user).filter(pk=as_id).values_list(Value("premise"), "pk", "pk"))
    if phone:
        parts.append(PersonPhone.objects.filter(number=phone).values_list(Value("phone"), "person_id", "number"))
    if ident:
        parts.append(
            PersonIdentifier.objects.filter(search_value=ident).values_list(
                Value("identifier"), "person_id", "id_type_id"
            )
        )
    first, *rest = [p.order_by() for p in parts]
    found = list(first.union(*rest, all=True)) if rest else list(first)
    premise_ids = []
    for what, ref, extra in found:
        if what == "person":
            hits.add(ref, _Hit(_EXACT, 1.0, f"person id {as_id}"), "id")
        elif what == "account":
            hits.account_id = extra
            hits.add(ref, _Hit(_EXACT, 1.0, f"account id {as_id}"), "id")
        elif what == "premise":
            premise_ids.append(ref)
        elif what == "phone":
            hits.add(ref, _Hit(_EXACT, 1.0, f"phone {typed}"), "phone")
        else:
            hits.add(ref, _Hit(_EXACT, 1.0, f"identifier {extra}"), "identifier")
    if premise_ids:
        _premises_to_persons({pid: f"premise id {pid}" for pid in premise_ids}, _EXACT, "id", user, hits)


def _house_numbers(house: str) -> list[str]:
    return sorted({house, house.upper()})


def _street_matches(candidate_key: str, wanted: str) -> bool:
    """As PostgreSQL's `street_key % wanted` (similarity at SIMILARITY_THRESHOLD), or a prefix."""
    return candidate_key.startswith(wanted) or trigram_similarity(candidate_key, wanted) >= SIMILARITY_THRESHOLD


def _by_address(house: str, wanted: str, user: Any, hits: _Hits) -> None:
    """Service addresses (premises) and persons' mailing addresses at this house number and street.
    The street may be abbreviated ("elm st"), cut short ("elm") or misspelt ("elmm street")."""
    premises = Premise.objects.visible_to(user).filter(house_number__in=_house_numbers(house))
    if connection.vendor == "postgresql":
        _trgm_thresholds()
        premises = premises.filter(
            Q(street_key__startswith=wanted)
            | Q(RawSQL("customers_premise.street_key %% %s", [wanted], output_field=BooleanField()))
        )
        found = list(premises.values_list("pk", "house_number", "street")[:ADDRESS_CANDIDATES])
    else:
        found = [
            (pk, number, street)
            for pk, number, street, key in premises.values_list("pk", "house_number", "street", "street_key")[
                :ADDRESS_CANDIDATES
            ]
            if _street_matches(key, wanted)
        ]
    if found:
        matched = {pk: f"service address {number} {street}" for pk, number, street in found}
        _premises_to_persons(matched, _ADDRESS_MATCH, "address", user, hits)
    mailing = Person.objects.visible_to(user).filter(house_number__in=_house_numbers(house))
    for pk, number, street in mailing.values_list("pk", "house_number", "street")[:ADDRESS_CANDIDATES]:
        if _street_matches(street_key(street), wanted):
            hits.add(pk, _Hit(_ADDRESS_MATCH, 1.0, f"mailing address {number} {street}"), "address")


def _visible_account(user: Any) -> Exists:
    """For a query on account links: the account is one the user may see. Correlated on the link's
    account, so the database checks only the links it reads (an `IN (visible accounts)` subquery makes
    SQLite list every visible account first)."""
    return Exists(Account.objects.visible_to(user).filter(pk=OuterRef("account_id")))


def _premises_to_persons(matched: dict[str, str], group: int, kind: str, user: Any, hits: _Hits) -> None:
    """The persons on visible accounts served at (or mailed at) these premises; a premise that has
    none is still a result of its own."""
    links = (
        AccountPerson.objects.filter(_visible_account(user))
        .filter(
            Q(account__service_agreements__premise_id__in=list(matched))
            | Q(account__mailing_premise_id__in=list(matched))
        )
        .values_list("person_id", "account__service_agreements__premise_id", "account__mailing_premise_id")
        .distinct()
    )
    linked: set[str] = set()
    for person_id, sa_premise, mailing_premise in links[:ADDRESS_CANDIDATES]:
        premise_id = sa_premise if sa_premise in matched else mailing_premise
        linked.add(premise_id)
        hits.add(person_id, _Hit(group, 1.0, matched[premise_id]), kind)
    for premise_id, text in matched.items():
        if premise_id not in linked:
            hits.premises[premise_id] = _Hit(group, 1.0, text)
            if kind not in hits.kinds:
                hits.kinds.append(kind)


def _exact_keys(key: str) -> list[str]:
    """The query's words in every order (up to four words), so 'john smith' is exact for 'smith john'."""
    words = key.split()
    if len(words) > 4:
        return [key]
    return sorted({" ".join(p) for p in permutations(words)})


def _by_name(key: str, user: Any, hits: _Hits, limit: int) -> None:
    exact = _exact_keys(key)
    if connection.vendor == "postgresql":
        found = _pg_name_hits(key, exact, user, limit)
    else:
        found = _sqlite_name_hits(key, exact, user, limit)
    if len(found) > limit:
        hits.truncated = True
    for person_id, is_exact, score, primary_name, matched in found[:limit]:
        group = _NAME_EXACT if is_exact else _NAME
        hits.add(person_id, _Hit(group, float(score), matched, primary_name), "name")


# A name row: person id, name as written, name type, primary?, exact?, score.
_NameRow = tuple[str, str, str, bool, bool, float]


def _best_visible(rows: list[_NameRow], user: Any, limit: int) -> list[tuple[str, bool, float, str, str]]:
    """Each person's best name row (rows come best first), kept if the user may see the person, ranked
    exact first, then by score, then by name; at most `limit + 1`."""
    best: dict[str, _NameRow] = {}
    for row in rows:
        best.setdefault(row[0], row)
    if not best:
        return []
    visible = Person.objects.visible_to(user).filter(pk__in=list(best)).values_list("pk", "primary_name")
    out = []
    for pk, primary_name in visible:
        _, name, name_type, is_primary, is_exact, score = best[pk]
        matched = f"name '{name}'" if is_primary else f"{PersonName.NameType(name_type).label.lower()} '{name}'"
        out.append((pk, is_exact, score, primary_name, matched))
    out.sort(key=lambda r: (not r[1], -r[2], r[3], r[0]))
    return out[: limit + 1]


def _trgm_thresholds() -> None:
    """pg_trgm's operators read their thresholds from session settings; set ours for this session.
    One short statement per search: a cached flag would go stale when a transaction that set it rolls back."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false),"
            " set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(SIMILARITY_THRESHOLD), str(WORD_SIMILARITY_THRESHOLD)],
        )


def _name_condition(key: str, broad: bool) -> tuple[str, list[Any]]:
    if broad:
        return "customers_personname.search_name %% %s", [key]
    words = sorted(set(key.split()))
    return " AND ".join("%s <%% customers_personname.search_name" for _ in words), words


def _pg_name_hits(key: str, exact: list[str], user: Any, limit: int) -> list[tuple[str, bool, float, str, str]]:
    """The best names through the GIN trigram index, then access filtering of that pool only: checking
    access for every one of thousands of similar names would cost more than the index search itself.
    If the pool holds too few persons the user may see (a user of a small access group, a common name),
    the search is repeated with access filtering inside the query."""
    _trgm_thresholds()
    pool = 4 * (limit + 1)
    for broad in (False, True):
        where, params = _name_condition(key, broad)
        with connection.cursor() as cur:
            cur.execute(
                "SELECT person_id, name, name_type, is_primary, search_name = ANY(%s) AS exact,"
                " greatest(similarity(search_name, %s), word_similarity(%s, search_name)) AS score"
                f" FROM customers_personname WHERE {where} ORDER BY exact DESC, score DESC LIMIT %s",
                [exact, key, key, *params, pool],
            )
            rows = cur.fetchall()
        if rows:
            break
    found = _best_visible(rows, user, limit)
    if len(rows) < pool or len(found) > limit:
        return found
    return _pg_name_hits_filtered(key, exact, user, limit, broad)


def _pg_name_hits_filtered(
    key: str, exact: list[str], user: Any, limit: int, broad: bool
) -> list[tuple[str, bool, float, str, str]]:
    where, params = _name_condition(key, broad)
    matches = RawSQL(f"({where})", params, output_field=BooleanField())
    score = RawSQL(
        "greatest(similarity(customers_personname.search_name, %s),"
        " word_similarity(%s, customers_personname.search_name))",
        [key, key],
        output_field=FloatField(),
    )
    names = PersonName.objects.filter(matches)
    if not sees_everything(user):
        names = names.filter(Exists(Person.objects.visible_to(user).filter(pk=OuterRef("person_id"))))
    rows = (
        names.values("person_id")
        .annotate(
            exact=Max(Case(When(search_name__in=exact, then=Value(1)), default=Value(0))),
            score=Max(score),
            primary_name=Min("person__primary_name"),
        )
        .order_by("-exact", "-score", "primary_name", "person_id")
        .values_list("person_id", "exact", "score", "primary_name")[: limit + 1]
    )
    return [(pid, bool(ex), float(sc), pn, f"name '{pn}'") for pid, ex, sc, pn in rows]


def _word_grams(word: str) -> list[str]:
    padded = f" {word} "
    return [f'"{padded[i : i + 3]}"' for i in range(len(padded) - 2)]


def fts_query(key: str, broad: bool) -> str:
    """An FTS5 query over the trigram index, which holds each name padded with one space at both ends
    (see migration 0002): step 1 needs, for every word, one of its trigrams; step 2 any trigram."""
    words = sorted(set(key.split()))
    if broad:
        return " OR ".join(sorted({g for w in words for g in _word_grams(w)}))
    return " AND ".join(f"({' OR '.join(_word_grams(w))})" for w in words)


def _sqlite_name_hits(key: str, exact: list[str], user: Any, limit: int) -> list[tuple[str, bool, float, str, str]]:
    """Candidates from the FTS5 trigram index (best bm25 first), filtered and scored as pg_trgm would."""
    exact_set = set(exact)
    key_grams = trigrams(key)
    word_grams = [trigrams(w) for w in sorted(set(key.split()))]
    rows: list[_NameRow] = []
    for broad in (False, True):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT n.person_id, n.name, n.name_type, n.is_primary, n.search_name FROM ("
                " SELECT rowid AS rid FROM customers_personname_fts WHERE customers_personname_fts MATCH %s"
                " ORDER BY rank LIMIT %s) c JOIN customers_personname n ON n.id = c.rid",
                [fts_query(key, broad), SQLITE_CANDIDATES],
            )
            candidates = cur.fetchall()
        for person_id, name, name_type, is_primary, search_name in candidates:
            is_exact = search_name in exact_set
            if is_exact:
                score = 1.0
            else:
                seq = _key_trigrams(search_name)
                grams = set(seq)
                if broad:
                    score = _similarity(key_grams, grams)
                    if score < SIMILARITY_THRESHOLD:
                        continue
                elif all(_word_similarity(g, seq, grams) >= WORD_SIMILARITY_THRESHOLD for g in word_grams):
                    score = _similarity(key_grams, grams)
                else:
                    continue
                score = max(score, _word_similarity(key_grams, seq, grams))
            rows.append((person_id, name, name_type, bool(is_primary), is_exact, score))
        if rows:
            break
    rows.sort(key=lambda r: (not r[4], -r[5]))
    return _best_visible(rows, user, limit)


def _key_trigrams(key: str) -> list[str]:
    """Trigrams in order, as pg_trgm makes them from normalised text: each word padded with two spaces
    before and one after."""
    out: list[str] = []
    for word in key.split():
        padded = f"  {word} "
        out.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return out


def trigrams(text: str) -> set[str]:
    return set(_key_trigrams(text_key(text)))


def _similarity(ga: set[str], gb: set[str]) -> float:
    common = len(ga & gb)
    return common / (len(ga) + len(gb) - common) if common else 0.0


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all trigrams of both."""
    return _similarity(trigrams(a), trigrams(b))


def word_similarity(query: str, text: str) -> float:
    """pg_trgm's word_similarity(query, text)."""
    seq = _key_trigrams(text_key(text))
    return _word_similarity(trigrams(query), seq, set(seq))


def _word_similarity(wanted: set[str], seq: list[str], seq_set: set[str]) -> float:
    """The best similarity between the wanted trigrams and any continuous run of the text's trigrams
    (`seq`, in order); runs start and end on a shared trigram, as no other run can be best."""
    shared = len(wanted & seq_set)
    if not shared:
        return 0.0
    if shared == len(wanted) and len(seq_set) == len(wanted):
        return 1.0
    best = 0.0
    size = len(wanted)
    for start, gram in enumerate(seq):
        if gram not in wanted:
            continue
        seen: set[str] = set()
        common = 0
        for g in seq[start:]:
            if g not in seen:
                seen.add(g)
                if g in wanted:
                    common += 1
                    best = max(best, common / (size + len(seen) - common))
            elif g in wanted:
                best = max(best, common / (size + len(seen) - common))
        if best == 1.0:
            break
    return best


def _rows(hits: _Hits, user: Any, limit: int) -> tuple[list[SearchRow], bool]:
    """Persons (visible ones only) with their visible accounts and premises, in a fixed number of queries."""
    persons: list[Person] = []
    if hits.persons:
        links = AccountPerson.objects.filter(_visible_account(user)).select_related("account__customer_class")
        qs = (
            Person.objects.visible_to(user)
            .filter(pk__in=list(hits.persons))
            .prefetch_related(
                "phones", Prefetch("account_persons", queryset=links.order_by("-main_customer", "account_id"))
            )
        )
        persons = list(qs)
    premise_only = list(Premise.objects.visible_to(user).filter(pk__in=list(hits.premises))) if hits.premises else []
    entries: list[tuple[tuple[Any, ...], SearchRow]] = []
    for person in persons:
        hit = hits.persons[person.pk]
        phones = list(person.phones.all())
        row = SearchRow(
            person=person,
            accounts=[link.account for link in person.account_persons.all()],
            matched=hit.matched,
            phone=phones[0].display if phones else "",
            score=hit.score,
        )
        entries.append(((-hit.group, -hit.score, person.primary_name, person.pk), row))
    for premise in premise_only:
        hit = hits.premises[premise.pk]
        row = SearchRow(person=None, premises=[premise], matched=hit.matched, score=hit.score)
        entries.append(((-hit.group, -hit.score, premise.address_text, premise.pk), row))
    entries.sort(key=lambda e: e[0])
    rows = [row for _, row in entries]
    truncated = len(rows) > limit
    rows = rows[:limit]
    _attach_premises([r for r in rows if r.person is not None], user)
    return rows, truncated


def _attach_premises(rows: list[SearchRow], user: Any) -> None:
    """Each row's premises: where its accounts are served (SAs not canceled) and their mailing premises,
    visible ones only. Two queries for all rows."""
    account_ids = {a.pk for r in rows for a in r.accounts}
    if not account_ids:
        return
    by_account: dict[str, list[str]] = {}
    sas = (
        ServiceAgreement.objects.filter(account_id__in=account_ids, premise__isnull=False)
        .exclude(status=ServiceAgreement.Status.CANCELED)
        .order_by("start_date", "id")
        .values_list("account_id", "premise_id")
    )
    for account_id, premise_id in sas:
        by_account.setdefault(account_id, []).append(premise_id)
    for r in rows:
        for a in r.accounts:
            if a.mailing_premise_id:
                by_account.setdefault(a.pk, []).append(a.mailing_premise_id)
    wanted = {pid for pids in by_account.values() for pid in pids}
    premises = {p.pk: p for p in Premise.objects.visible_to(user).filter(pk__in=wanted)}
    for r in rows:
        seen: dict[str, Premise] = {}
        for a in r.accounts:
            for pid in by_account.get(a.pk, []):
                if pid in premises:
                    seen.setdefault(pid, premises[pid])
        r.premises = list(seen.values())


def _unique_account(hits: _Hits, rows: list[SearchRow]) -> str | None:
    """The account to open directly: an account id that matched (and nothing else), or the one visible
    account of the only person found."""
    on_account = all(any(a.pk == hits.account_id for a in r.accounts) for r in rows)
    if hits.account_id and hits.kinds == ["id"] and rows and on_account:
        return hits.account_id
    if len(rows) == 1 and rows[0].person is not None and len(rows[0].accounts) == 1:
        return rows[0].accounts[0].pk
    return None
