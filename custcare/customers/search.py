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
`name_key`), typo- and word-order-tolerant, in up to three steps, each tried only if the one before found
no name:
1. every word the caller typed must be like some word of the name:
       word_similarity(word, search_name) >= WORD_SIMILARITY_THRESHOLD     (PostgreSQL's `<%` operator)
   0.35, below pg_trgm's default of 0.6, because one swapped pair of letters in a four-letter word keeps
   only 2 of its 5 trigrams ("jonh" against "john" is 0.4; "smiht" against "smith" 0.5; "rivra" against
   "rivera" 0.5), while 0.35 still needs the word's first letters right. Requiring every word is what makes
   the search selective: "john smith" reads only names with a john-like and a smith-like word, not every
   Smith and every John, so it stays fast on a million persons. A prefix works too ("rive" is 0.8).
2. a typo in a word's first letters ("jhon smith", "mray smith"): the whole name must be like the whole
   query, similarity(search_name, query) >= SIMILARITY_THRESHOLD (the `%` operator, at pg_trgm's default
   0.3; "jhon smith" against "smith john" is 0.47), among the names that have a word beginning with the
   first letter of each word typed (a slip rarely hits the very first letter). Without that, this step
   would read every name sharing a word with the query, every Smith for "mray smith".
3. the same similarity without the initials, for a slip in a first letter ("kohn smith"). This one reads
   every name sharing a word with the query, so it is the slowest and runs last.
Rows are ranked exact name first (in any word order), then by the greater of similarity and
word_similarity of the whole query, then by name; at most CUSTCARE_SEARCH_LIMIT are shown, and ranking,
access filtering and the limit are done in the database, which stops once it has enough.

PostgreSQL answers every step from a GIN trigram index over the distinct search names (step 2's initials
are regular expressions the same index answers), then reads the persons of the best ones in rank order
(see `_pg_name_hits`). SQLite has no trigram operators: candidates come from an FTS5 trigram index (step 1:
for each word, any of its trigrams; step 2: a word beginning with each initial and any trigram of the
query; step 3: any trigram of the query; best bm25 first, at most SQLITE_CANDIDATES rows) and are
filtered and ranked here with the same measures, computed as pg_trgm computes them.

A search costs at most a few statements: ids, phones and identifiers are looked up together in one, and
one more reads every result row (person, first phone, visible accounts, premises) as plain values (a
prepared statement on PostgreSQL, as are the id lookups and the name steps); a name search sets
pg_trgm's thresholds first, then runs one statement per name step tried.
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
    Exists,
    OuterRef,
)
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

from custcare.core.sql import fetch_prepared
from custcare.customers.models import (
    Account,
    AccountPerson,
    CustomerClass,
    Person,
    PersonName,
    Premise,
    ServiceAgreement,
    sees_everything,
    user_access_group_ids,
)
from custcare.customers.normalize import (
    PhoneError,
    identifier_key,
    name_key,
    phone_display,
    phone_e164,
    street_key,
    text_key,
)
from custcare.security.roles import require

SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.35
SQLITE_CANDIDATES = 2000
MIN_NAME_CHARS = 3
# Persons gathered for an address before access filtering: a tower block has hundreds, never more.
ADDRESS_CANDIDATES = 5000

_PHONEISH = re.compile(r"^[\d\s().+\-/]+$")
# A house number, then a street with at least one letter ("12 elm st", "3310 15th drive", "7b 2nd ave").
_ADDRESS = re.compile(r"^(\d+[a-z]?) (\d*[a-z].*)$")

# Ranking groups: exact identifications before addresses before names.
_EXACT, _ADDRESS_MATCH, _NAME_EXACT, _NAME = 4, 3, 2, 1


@dataclass
class SearchRow:
    person: Person | None
    accounts: list[Account] = field(default_factory=list)
    premises: list[Premise] = field(default_factory=list)
    matched: str = ""  # what matched, for people: "name 'Rivera, Maria'", "phone (555) 201-3344", ...
    score: float = 0.0  # name similarity (0..1); 1 for exact identifications
    phone_number: str = ""  # the person's first phone, E.164
    phone_extension: str = ""

    @property
    def phone(self) -> str:
        """The first phone formatted for display; formatted when asked (the search page does not show it,
        and formatting costs more than reading it)."""
        if not self.phone_number:
            return ""
        return f"{phone_display(self.phone_number)}{f' x{self.phone_extension}' if self.phone_extension else ''}"


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
    identifier value, all asked in one statement, with the persons served or mailed at a premise of that
    id. Persons are filtered for access when the rows are read; accounts and premises here, so that a
    hidden account's or premise's id does not lead to its persons."""
    parts: list[str] = []
    params: list[Any] = []
    if as_id:
        account_ok, account_params = _account_visible_sql("a", user)
        premise_ok, premise_params = _premise_visible_sql("pr.id", user)
        parts += [
            "SELECT 'person', id, id FROM customers_person WHERE id = %s",
            "SELECT 'account', ap.person_id, ap.account_id FROM customers_accountperson ap"
            f" JOIN customers_account a ON a.id = ap.account_id WHERE ap.account_id = %s AND {account_ok}",
            f"SELECT 'premise', pr.id, pr.id FROM customers_premise pr WHERE pr.id = %s AND {premise_ok}",
            "SELECT 'served', ap.person_id, s.premise_id FROM customers_serviceagreement s"
            " JOIN customers_account a ON a.id = s.account_id JOIN customers_accountperson ap ON ap.account_id = a.id"
            f" WHERE s.premise_id = %s AND {account_ok}",
            "SELECT 'served', ap.person_id, a.mailing_premise_id FROM customers_account a"
            " JOIN customers_accountperson ap ON ap.account_id = a.id"
            f" WHERE a.mailing_premise_id = %s AND {account_ok}",
        ]
        params += [as_id, as_id, *account_params, as_id, *premise_params]
        params += [as_id, *account_params, as_id, *account_params]
    if phone:
        parts.append("SELECT 'phone', person_id, number FROM customers_personphone WHERE number = %s")
        params.append(phone)
    if ident:
        parts.append(
            "SELECT 'identifier', person_id, id_type_id FROM customers_personidentifier WHERE search_value = %s"
        )
        params.append(ident)
    found = fetch_prepared(" UNION ALL ".join(parts), params)  # a few texts, each planned once per connection
    premise_visible = any(what == "premise" for what, _, _ in found)
    served = False
    for what, ref, extra in found:
        if what == "person":
            hits.add(ref, _Hit(_EXACT, 1.0, f"person id {as_id}"), "id")
        elif what == "account":
            hits.account_id = extra
            hits.add(ref, _Hit(_EXACT, 1.0, f"account id {as_id}"), "id")
        elif what == "served":
            if premise_visible:
                served = True
                hits.add(ref, _Hit(_EXACT, 1.0, f"premise id {as_id}"), "id")
        elif what == "phone":
            hits.add(ref, _Hit(_EXACT, 1.0, f"phone {typed}"), "phone")
        elif what == "identifier":
            hits.add(ref, _Hit(_EXACT, 1.0, f"identifier {extra}"), "identifier")
    if premise_visible and not served and as_id:
        hits.premises[as_id] = _Hit(_EXACT, 1.0, f"premise id {as_id}")
        if "id" not in hits.kinds:
            hits.kinds.append("id")


def _in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (%s, ...)`, one parameter per value."""
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _account_visible_sql(alias: str, user: Any) -> tuple[str, list[Any]]:
    """Raw SQL for Account.objects.visible_to(user), on the account table aliased `alias`."""
    if sees_everything(user):
        return "1 = 1", []
    return _in(f"{alias}.access_group_id", user_access_group_ids(user))


def _person_visible_sql(column: str, user: Any) -> tuple[str, list[Any]]:
    """Raw SQL for Person.objects.visible_to(user), for the person id in `column`."""
    if sees_everything(user):
        return "1 = 1", []
    groups, params = _in("va.access_group_id", user_access_group_ids(user))
    return (
        "(EXISTS (SELECT 1 FROM customers_accountperson vp JOIN customers_account va ON va.id = vp.account_id"
        f" WHERE vp.person_id = {column} AND {groups})"
        f" OR NOT EXISTS (SELECT 1 FROM customers_accountperson wp WHERE wp.person_id = {column}))",
        params,
    )


def _premise_visible_sql(column: str, user: Any) -> tuple[str, list[Any]]:
    """Raw SQL for Premise.objects.visible_to(user), for the premise id in `column`."""
    if sees_everything(user):
        return "1 = 1", []
    groups, params = _in("va.access_group_id", user_access_group_ids(user))
    return (
        "(EXISTS (SELECT 1 FROM customers_serviceagreement vs JOIN customers_account va ON va.id = vs.account_id"
        f" WHERE vs.premise_id = {column} AND {groups})"
        f" OR NOT EXISTS (SELECT 1 FROM customers_serviceagreement ws WHERE ws.premise_id = {column}))",
        params,
    )


def _house_numbers(house: str) -> list[str]:
    return sorted({house, house.upper()})


def _street_matches(candidate_key: str, wanted: str) -> bool:
    """As PostgreSQL's `street_key % wanted` (similarity at SIMILARITY_THRESHOLD), or a prefix."""
    return candidate_key.startswith(wanted) or trigram_similarity(candidate_key, wanted) >= SIMILARITY_THRESHOLD


def _by_address(house: str, wanted: str, user: Any, hits: _Hits) -> None:
    """Service addresses (premises) and persons' mailing addresses at this house number and street.
    The street may be abbreviated ("elm st") or cut short ("elm"): those match exactly or by prefix.
    Only when no street at that house number matches so does a misspelling ("elmm street") count, by
    trigram similarity — numbered streets ("15th drive", "16th drive") are too alike for similarity to
    be the first test."""
    premises = Premise.objects.visible_to(user).filter(house_number__in=_house_numbers(house))
    mailing = list(
        Person.objects.visible_to(user)
        .filter(house_number__in=_house_numbers(house))
        .values_list("pk", "house_number", "street")[:ADDRESS_CANDIDATES]
    )
    mailing_keys = [(pk, number, street, street_key(street)) for pk, number, street in mailing]
    found = list(
        premises.filter(street_key__startswith=wanted).values_list("pk", "house_number", "street")[:ADDRESS_CANDIDATES]
    )
    mailed = [(pk, number, street) for pk, number, street, key in mailing_keys if key.startswith(wanted)]
    if not found and not mailed:
        if connection.vendor == "postgresql":
            _trgm_thresholds()
            fuzzy = premises.filter(RawSQL("customers_premise.street_key %% %s", [wanted], output_field=BooleanField()))
            found = list(fuzzy.values_list("pk", "house_number", "street")[:ADDRESS_CANDIDATES])
        else:
            found = [
                (pk, number, street)
                for pk, number, street, key in premises.values_list("pk", "house_number", "street", "street_key")[
                    :ADDRESS_CANDIDATES
                ]
                if _street_matches(key, wanted)
            ]
        mailed = [(pk, number, street) for pk, number, street, key in mailing_keys if _street_matches(key, wanted)]
    if found:
        matched = {pk: f"service address {number} {street}" for pk, number, street in found}
        _premises_to_persons(matched, _ADDRESS_MATCH, "address", user, hits)
    for pk, number, street in mailed:
        hits.add(pk, _Hit(_ADDRESS_MATCH, 1.0, f"mailing address {number} {street}"), "address")


def _visible_account(user: Any) -> Exists:
    """For a query on account links: the account is one the user may see. Correlated on the link's
    account, so the database checks only the links it reads (an `IN (visible accounts)` subquery makes
    SQLite list every visible account first)."""
    return Exists(Account.objects.visible_to(user).filter(pk=OuterRef("account_id")))


def _premises_to_persons(matched: dict[str, str], group: int, kind: str, user: Any, hits: _Hits) -> None:
    """The persons on visible accounts served at (or mailed at) these premises; a premise that has
    none is still a result of its own."""
    # Two indexed reads (served there, mailed there) rather than one OR across the joins, which the
    # planner can only answer by scanning every account link.
    visible_links = AccountPerson.objects.filter(_visible_account(user))
    served = visible_links.filter(account__service_agreements__premise_id__in=list(matched)).values_list(
        "person_id", "account__service_agreements__premise_id"
    )
    mailed = visible_links.filter(account__mailing_premise_id__in=list(matched)).values_list(
        "person_id", "account__mailing_premise_id"
    )
    pairs = {*served.distinct()[:ADDRESS_CANDIDATES], *mailed.distinct()[:ADDRESS_CANDIDATES]}
    linked: set[str] = set()
    for person_id, premise_id in sorted(pairs):
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
    for person_id, is_exact, score, name, matched in found[:limit]:
        group = _NAME_EXACT if is_exact else _NAME
        hits.add(person_id, _Hit(group, score, matched, name), "name")


# A name row: person id, name as written, name type, primary?, exact?, score.
_NameRow = tuple[str, str, str, bool, bool, float]


def _name_hit(row: _NameRow) -> tuple[str, bool, float, str, str]:
    person_id, name, name_type, is_primary, is_exact, score = row
    matched = f"name '{name}'" if is_primary else f"{PersonName.NameType(name_type).label.lower()} '{name}'"
    return person_id, bool(is_exact), float(score), name, matched


# pg_trgm's operators read their thresholds from session settings: ours are set before each name search (a
# flag cached per connection would go stale when a transaction that set them rolls back).
_TRGM_THRESHOLDS = (
    "SELECT set_config('pg_trgm.similarity_threshold', %s, false),"
    " set_config('pg_trgm.word_similarity_threshold', %s, false)"
)
_TRGM_PARAMS = [str(SIMILARITY_THRESHOLD), str(WORD_SIMILARITY_THRESHOLD)]


def _trgm_thresholds() -> None:
    """Set pg_trgm's thresholds for this session (one short statement)."""
    with connection.cursor() as cur:
        cur.execute(_TRGM_THRESHOLDS, _TRGM_PARAMS)


# The name steps, tried in turn until one finds a name (see the module docstring).
_WORDS, _INITIALS, _WHOLE = 0, 1, 2
NAME_STEPS = (_WORDS, _INITIALS, _WHOLE)


def _initials(key: str) -> list[str]:
    return sorted({w[0] for w in key.split() if w[0].isalnum()})


def _name_condition(key: str, step: int, column: str = "customers_personname.search_name") -> tuple[str, list[Any]]:
    """The condition of a name step on the search name in `column`."""
    if step == _WORDS:
        words = sorted(set(key.split()))
        return " AND ".join(f"%s <%% {column}" for _ in words), words
    if step == _INITIALS:
        initials = _initials(key)
        return (
            " AND ".join([f"{column} %% %s"] + [f"{column} ~ %s" for _ in initials]),
            [key, *[f"(^| ){c}" for c in initials]],
        )
    return f"{column} %% %s", [key]


def _pg_name_hits(key: str, exact: list[str], user: Any, limit: int) -> list[tuple[str, bool, float, str, str]]:
    """The best `limit + 1` persons the user may see, in one statement per name step, after one that sets
    pg_trgm's thresholds. Each step's statement is prepared (planned once per connection, generically:
    its plan is the same whatever the name, see custcare.core.sql).

    The step matches and scores the distinct spellings (`customers_searchname`, see migration 0003), not
    every name: a common name is one spelling for hundreds of persons. The spellings are ranked (exact,
    score, spelling) and their persons read in that order from the covering index on
    `customers_personname (search_name, person_id)`, by person id within a spelling (an incremental sort,
    so the database stops reading once it has enough). A person is listed at its best matching name only
    (exact, score, primary, spelling, id: the check reads the person's few other names), and the access
    check runs in rank order above an `OFFSET 0` fence, so the statement stops after `limit + 1` visible
    persons.
    """
    visible, visible_params = _person_visible_sql("m.person_id", user)
    # The rank's measure, the greater of similarity and word_similarity, is word_similarity alone: the
    # extent of the name from its first to its last trigram shared with the query is one of those
    # word_similarity tries, and it shares as many trigrams with the query as the whole name with fewer
    # of its own. One trigram comparison less per spelling scored.
    score = "word_similarity(%s, {c})"
    for step in NAME_STEPS:
        where, params = _name_condition(key, step, "k.search_name")
        other_where, other_params = _name_condition(key, step, "o.search_name")
        sql = (
            "WITH spelling AS MATERIALIZED ("
            " SELECT k.search_name, k.search_name = ANY(%s) AS exact,"
            f" {score.format(c='k.search_name')} AS score"
            f" FROM customers_searchname k WHERE {where})"
            " SELECT m.person_id, m.name, m.name_type, m.is_primary, m.exact, m.score FROM ("
            "  SELECT n.id, n.person_id, n.name, n.name_type, n.is_primary, n.search_name, s.exact, s.score"
            "  FROM (SELECT * FROM spelling ORDER BY exact DESC, score DESC, search_name) s"
            "  JOIN customers_personname n ON n.search_name = s.search_name"
            "  ORDER BY s.exact DESC, s.score DESC, s.search_name, n.person_id OFFSET 0"
            ") m WHERE NOT EXISTS ("
            "  SELECT 1 FROM ("
            "   SELECT o.id, o.is_primary, o.search_name, o.search_name = ANY(%s) AS exact,"
            f"   {score.format(c='o.search_name')} AS score"
            f"   FROM customers_personname o WHERE o.person_id = m.person_id AND o.id <> m.id AND {other_where}"
            "  ) b WHERE b.exact > m.exact OR (b.exact = m.exact AND (b.score > m.score OR (b.score = m.score"
            "   AND (b.is_primary > m.is_primary OR (b.is_primary = m.is_primary"
            "   AND (b.search_name < m.search_name OR (b.search_name = m.search_name AND b.id < m.id)))))))"
            f") AND {visible} LIMIT %s"
        )
        params = [exact, key, *params, exact, key, *other_params, *visible_params, limit + 1]
        if step == NAME_STEPS[0]:
            _trgm_thresholds()
        rows = fetch_prepared(sql, params)
        if rows:
            return [_name_hit(r) for r in rows]
    return []


def _word_grams(word: str) -> list[str]:
    """The word's trigrams as the index holds them (' #smith ': '#sm', 'smi', ..., 'th '), without the one
    every word of the same first letter has (' #s'), which selects nothing."""
    padded = f" #{word} "
    return [f'"{padded[i : i + 3]}"' for i in range(1, len(padded) - 2)]


def fts_query(key: str, step: int) -> str:
    """The FTS5 query for a name step over the trigram index, which holds each name with every word behind
    a '#' and a space at both ends (' #katherine #sanders ', see migration 0007): step 1 needs, for every
    word, one of its trigrams; step 2, for every word's first letter, a word beginning with it (' #k'),
    and any trigram of the query; step 3 any trigram of the query."""
    words = sorted(set(key.split()))
    if step == _WORDS:
        return " AND ".join(f"({' OR '.join(_word_grams(w))})" for w in words)
    broad = " OR ".join(sorted({g for w in words for g in _word_grams(w)}))
    if step == _INITIALS:
        return " AND ".join([*(f'" #{c}"' for c in _initials(key)), f"({broad})"])
    return broad


def _sqlite_name_hits(key: str, exact: list[str], user: Any, limit: int) -> list[tuple[str, bool, float, str, str]]:
    """Candidates from the FTS5 trigram index for each name step in turn (best bm25 first, at most
    SQLITE_CANDIDATES), filtered and scored as pg_trgm would, each person's best name, ranked; then access
    for the best ones, in rank order."""
    exact_set = set(exact)
    key_grams = trigrams(key)
    word_grams = [trigrams(w) for w in sorted(set(key.split()))]
    rows: list[tuple[Any, ...]] = []
    for step in NAME_STEPS:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT n.person_id, n.name, n.name_type, n.is_primary, n.search_name FROM ("
                " SELECT rowid AS rid FROM customers_personname_fts WHERE customers_personname_fts MATCH %s"
                " ORDER BY rank LIMIT %s) c JOIN customers_personname n ON n.id = c.rid",
                [fts_query(key, step), SQLITE_CANDIDATES],
            )
            candidates = cur.fetchall()
        rows = _sqlite_scored(candidates, step, exact_set, key_grams, word_grams)
        if rows:
            break
    rows.sort(key=lambda r: (not r[4], -r[5], not r[3], r[6], r[0]))
    best: dict[str, _NameRow] = {}
    for r in rows:
        best.setdefault(r[0], r[:6])
    ranked = list(best.values())
    if sees_everything(user):
        return [_name_hit(r) for r in ranked[: limit + 1]]
    out: list[tuple[str, bool, float, str, str]] = []
    chunk = limit + 1
    for start in range(0, len(ranked), chunk):
        part = ranked[start : start + chunk]
        visible, params = _person_visible_sql("p.id", user)
        ids_in, ids_params = _in("p.id", [r[0] for r in part])
        with connection.cursor() as cur:
            cur.execute(f"SELECT p.id FROM customers_person p WHERE {ids_in} AND {visible}", [*ids_params, *params])
            seen = {pid for (pid,) in cur.fetchall()}
        out.extend(_name_hit(r) for r in part if r[0] in seen)
        if len(out) > limit:
            break
    return out[: limit + 1]


def _sqlite_scored(
    candidates: list[tuple[Any, ...]],
    step: int,
    exact_set: set[str],
    key_grams: set[str],
    word_grams: list[set[str]],
) -> list[tuple[Any, ...]]:
    """The candidates that match in this step, scored as pg_trgm would. Word similarity (the costly
    measure) is computed only for names that can reach the threshold: a word's shared trigrams over its
    own trigrams bound its word similarity from above."""
    out = []
    scores: dict[str, float | None] = {}  # common names come many times: score each spelling once
    for person_id, name, name_type, is_primary, search_name in candidates:
        if search_name not in scores:
            scores[search_name] = _sqlite_score(search_name, step, exact_set, key_grams, word_grams)
        score = scores[search_name]
        if score is not None:
            out.append((person_id, name, name_type, bool(is_primary), search_name in exact_set, score, search_name))
    return out


def _sqlite_score(
    search_name: str, step: int, exact_set: set[str], key_grams: set[str], word_grams: list[set[str]]
) -> float | None:
    if search_name in exact_set:
        return 1.0
    seq = _key_trigrams(search_name)
    grams = set(seq)
    if step == _WORDS:
        if not all(
            len(g & grams) >= WORD_SIMILARITY_THRESHOLD * len(g)
            and _word_similarity(g, seq, grams) >= WORD_SIMILARITY_THRESHOLD
            for g in word_grams
        ):
            return None
    elif _similarity(key_grams, grams) < SIMILARITY_THRESHOLD:
        return None
    return _word_similarity(key_grams, seq, grams)  # never below the similarity (see _pg_name_hits)


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


def _loaded(model: Any, db: str, fields: list[str], values: Any) -> Any:
    """An instance as `Model.from_db(db, fields, values)` makes it (the other fields deferred, loaded if
    read), without going through `Model.__init__` and its signals: 4 µs instead of 17, and a result of
    300 persons makes about 900 instances. None of these models has pre_init or post_init receivers."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(fields, values, strict=True))
    state = obj._state = ModelState()
    state.adding = False
    state.db = db
    return obj


def _fields(model: Any, wanted: set[str]) -> list[str]:
    """`wanted` in the model's field order, as `Model.from_db` takes the values of some fields."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


_ADDRESS_FIELDS = {"house_number", "street", "address2", "city", "state", "postal_code", "country"}
_PERSON_FIELDS = _fields(Person, {"id", "primary_name", "kind", *_ADDRESS_FIELDS})
_ACCOUNT_FIELDS = _fields(Account, {"id", "customer_class_id", "access_group_id", "bill_cycle", "mailing_premise_id"})
_PREMISE_FIELDS = _fields(Premise, {"id", *_ADDRESS_FIELDS})


def _cols(alias: str, fields: list[str]) -> str:
    return ", ".join(f"{alias}.{f}" for f in fields)


def _rows(hits: _Hits, user: Any, limit: int) -> tuple[list[SearchRow], bool]:
    """Persons (visible ones only) with their visible accounts and premises. One statement reads them
    all as plain values (a row per person, account and served premise); the model instances handed out
    carry only the fields a result shows."""
    entries: list[tuple[tuple[Any, ...], SearchRow]] = []
    if hits.persons:
        for row in _person_rows(list(hits.persons), user):
            hit = hits.persons[row.person.pk]  # type: ignore[union-attr]
            row.matched, row.score = hit.matched, hit.score
            entries.append(((-hit.group, -hit.score, row.person.primary_name, row.person.pk), row))  # type: ignore[union-attr]
    if hits.premises:
        for premise in Premise.objects.visible_to(user).filter(pk__in=list(hits.premises)):
            hit = hits.premises[premise.pk]
            row = SearchRow(person=None, premises=[premise], matched=hit.matched, score=hit.score)
            entries.append(((-hit.group, -hit.score, premise.address_text, premise.pk), row))
    entries.sort(key=lambda e: e[0])
    rows = [row for _, row in entries]
    return rows[:limit], len(rows) > limit


def _person_rows(person_ids: list[str], user: Any) -> list[SearchRow]:
    """The rows for these persons, those the user may see, in one statement: each person with the first
    phone, the visible accounts (main customer first) and, per account, the premises served (service
    agreements not canceled, oldest first) and the mailing premise if the user may see it. The statement
    joins six tables and its text does not change from one search to the next (the persons are one array
    parameter on PostgreSQL), so it is prepared: planned once per connection (see custcare.core.sql)."""
    account_ok, account_params = _account_visible_sql("a", user)
    mailing_ok, mailing_params = _premise_visible_sql("mp.id", user)
    if connection.vendor == "postgresql":
        persons_in, persons_params = "q.id = ANY(%s)", [list(person_ids)]
        fence = "OFFSET 0"  # keeps the persons' subquery (and its phone lookup, once per person) apart
    else:
        persons_in, persons_params = _in("q.id", person_ids)
        fence = "LIMIT -1"
    sql = (
        f"SELECT {_cols('p', _PERSON_FIELDS)}, p.phone, ap.id,"
        f" ap.main_customer, {_cols('a', _ACCOUNT_FIELDS)}, cc.description,"
        f" s.start_date, s.id, {_cols('sp', _PREMISE_FIELDS)},"
        f" {_cols('mp', _PREMISE_FIELDS)},"
        f" CASE WHEN mp.id IS NULL THEN 0 WHEN mp.id = s.premise_id THEN 1 WHEN {mailing_ok} THEN 1 ELSE 0 END"
        f" FROM (SELECT {_cols('q', _PERSON_FIELDS)},"
        "  (SELECT ph.number || '|' || ph.extension FROM customers_personphone ph"
        "   WHERE ph.person_id = q.id ORDER BY ph.id LIMIT 1) AS phone"
        f"  FROM customers_person q WHERE {persons_in} {fence}) p"
        " LEFT JOIN customers_accountperson ap ON ap.person_id = p.id"
        f" LEFT JOIN customers_account a ON a.id = ap.account_id AND {account_ok}"
        " LEFT JOIN customers_customerclass cc ON cc.code = a.customer_class_id"
        " LEFT JOIN customers_serviceagreement s"
        "  ON s.account_id = a.id AND s.premise_id IS NOT NULL AND s.status <> %s"
        " LEFT JOIN customers_premise sp ON sp.id = s.premise_id"
        " LEFT JOIN customers_premise mp ON mp.id = a.mailing_premise_id"
    )
    params = [*mailing_params, *persons_params, *account_params, ServiceAgreement.Status.CANCELED.value]
    return _person_rows_read(fetch_prepared(sql, params), user)


def _person_rows_read(found: list[tuple[Any, ...]], user: Any) -> list[SearchRow]:
    """The SearchRows of `_person_rows`' statement result."""
    db = connection.alias
    np, na, npr = len(_PERSON_FIELDS), len(_ACCOUNT_FIELDS), len(_PREMISE_FIELDS)
    p_id, a_id, a_class, pr_id = (
        _PERSON_FIELDS.index("id"),
        _ACCOUNT_FIELDS.index("id"),
        _ACCOUNT_FIELDS.index("customer_class_id"),
        _PREMISE_FIELDS.index("id"),
    )
    # person, "number|extension" of the first phone, linked to some account (seen or not)?
    persons: dict[str, tuple[Person, str, bool]] = {}
    # person id -> account id -> (main customer?, account, [(start date, sa id, premise)], mailing premise)
    accounts: dict[str, dict[str, tuple[bool, Account, list[tuple[Any, str, Premise]], Premise | None]]] = {}
    classes: dict[str, CustomerClass] = {}
    premises_by_id: dict[str, Premise] = {}

    def premise(r: tuple[Any, ...], start: int) -> Premise:
        """The premise whose values begin at `start` in `r`, one instance per premise (an account's mailing
        premise is often the one it is served at)."""
        pk = r[start + pr_id]
        found = premises_by_id.get(pk)
        if found is None:
            found = premises_by_id[pk] = _loaded(Premise, db, _PREMISE_FIELDS, r[start : start + npr])
        return found

    # Column positions in a row: the account's values, then its class, the service agreement's start and
    # id, the premise served and the mailing premise (each _PREMISE_FIELDS), whether the latter is seen.
    a0 = np + 3
    c_desc = a0 + na
    s_start = c_desc + 1
    sp0 = s_start + 2
    mp0 = sp0 + npr
    m_seen = mp0 + npr
    for r in found:
        pid = r[p_id]
        by_account = accounts.get(pid)
        if by_account is None:
            persons[pid] = (_loaded(Person, db, _PERSON_FIELDS, r[:np]), r[np] or "", r[np + 1] is not None)
            by_account = accounts[pid] = {}
        aid = r[a0 + a_id]
        if aid is None:
            continue
        entry = by_account.get(aid)
        if entry is None:
            account_values = r[a0:c_desc]
            account = _loaded(Account, db, _ACCOUNT_FIELDS, account_values)
            code = account_values[a_class]
            if code not in classes:
                classes[code] = _loaded(CustomerClass, db, ["code", "description"], [code, r[c_desc]])
            account._state.fields_cache["customer_class"] = classes[code]  # as the descriptor sets it, cheaper
            mp = premise(r, mp0) if r[mp0 + pr_id] and r[m_seen] else None
            entry = by_account[aid] = (bool(r[a0 - 1]), account, [], mp)
        if r[sp0 + pr_id] is not None:
            entry[2].append((r[s_start], r[s_start + 1], premise(r, sp0)))
    out = []
    for pid, (person, phone, has_links) in persons.items():
        linked = sorted(accounts[pid].values(), key=lambda e: (not e[0], e[1].id))
        if has_links and not linked and not sees_everything(user):
            continue  # every account of this person is in another access group
        premises: dict[str, Premise] = {}
        for _, _, served_at, mailing_premise in linked:
            for _, _, served_premise in sorted(served_at, key=lambda e: (e[0], e[1])):
                premises.setdefault(served_premise.id, served_premise)
            if mailing_premise is not None:
                premises.setdefault(mailing_premise.id, mailing_premise)
        out.append(
            SearchRow(
                person=person,
                accounts=[e[1] for e in linked],
                premises=list(premises.values()),
                phone_number=phone.partition("|")[0],
                phone_extension=phone.partition("|")[2],
            )
        )
    return out


def _unique_account(hits: _Hits, rows: list[SearchRow]) -> str | None:
    """The account to open directly: an account id that matched (and nothing else), or the one visible
    account of the only person found."""
    on_account = all(any(a.pk == hits.account_id for a in r.accounts) for r in rows)
    if hits.account_id and hits.kinds == ["id"] and rows and on_account:
        return hits.account_id
    if len(rows) == 1 and rows[0].person is not None and len(rows[0].accounts) == 1:
        return rows[0].accounts[0].pk
    return None
