"""Customer search (step 1.0): every kind of query, typos, accents, access groups, the cap, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from custcare.core.errors import AccessDenied
from custcare.core.ids import new_ids
from custcare.customers import search
from custcare.customers.models import Account, Person, PersonName
from custcare.customers.normalize import name_key
from custcare.customers.search import customer_search, trigram_similarity, word_similarity
from custcare.customers.services import AddressIn
from tests.factories import account_make, person_make, premise_make


def names(result: Any) -> list[str]:
    return [r.person.primary_name for r in result.rows if r.person is not None]


def persons_bulk(names_: list[str]) -> list[Person]:
    """Persons with no account (visible to every reader), loaded in bulk as a data load would."""
    ids = new_ids(len(names_))
    persons = Person.objects.bulk_create([Person(id=i, primary_name=n) for i, n in zip(ids, names_, strict=True)])
    PersonName.objects.bulk_create(
        [
            PersonName(person=p, name=p.primary_name, is_primary=True, search_name=name_key(p.primary_name))
            for p in persons
        ]
    )
    return persons


@pytest.fixture
def smiths(csr: Any) -> dict[str, Person]:
    people = {}
    for name, phone in [
        ("Smith, John", "(555) 300-0001"),
        ("Smith, Jane", "(555) 300-0002"),
        ("Johnson, Mark", "(555) 300-0003"),
        ("Müller, Anna", "(555) 300-0004"),
    ]:
        person = person_make(csr, name=name, phone=phone, address=AddressIn(house_number="7", street="Oak Avenue"))
        account_make(csr, person)
        people[name] = person
    return people


def test_search_by_person_id(csr, customer):
    result = customer_search(query=customer["person"].id, user=csr)
    assert result.kind == "id"
    assert [r.person.id for r in result.rows] == [customer["person"].id]
    assert result.rows[0].matched == f"person id {customer['person'].id}"
    assert [a.id for a in result.rows[0].accounts] == [customer["account"].id]
    assert [p.id for p in result.rows[0].premises] == [customer["premise"].id]
    assert result.unique_account_id == customer["account"].id


def test_search_by_account_id_opens_the_account(csr, customer):
    other = account_make(csr, customer["person"], premise=premise_make(csr, house_number="14"))
    result = customer_search(query=f" {customer['account'].id} ", user=csr)
    assert result.kind == "id"
    assert [r.person.id for r in result.rows] == [customer["person"].id]
    assert {a.id for a in result.rows[0].accounts} == {customer["account"].id, other.id}
    assert result.rows[0].matched == f"account id {customer['account'].id}"
    assert result.unique_account_id == customer["account"].id


def test_search_by_premise_id_finds_the_customer_served_there(csr, customer):
    result = customer_search(query=customer["premise"].id, user=csr)
    assert result.kind == "id"
    assert [r.person.id for r in result.rows] == [customer["person"].id]
    assert result.rows[0].matched == f"premise id {customer['premise'].id}"


def test_search_by_premise_id_of_an_empty_premise_shows_the_premise(csr):
    premise = premise_make(csr, house_number="99", street="Vacant Road")
    result = customer_search(query=premise.id, user=csr)
    assert len(result.rows) == 1
    assert result.rows[0].person is None
    assert [p.id for p in result.rows[0].premises] == [premise.id]
    assert result.unique_account_id is None


@pytest.mark.parametrize("typed", ["(555) 201-3344", "555.201.3344", "+1 555 201 3344", "5552013344", "555 2013344"])
def test_search_by_phone_in_any_format(csr, customer, typed):
    result = customer_search(query=typed, user=csr)
    assert result.kind == "phone"
    assert [r.person.id for r in result.rows] == [customer["person"].id]
    assert result.rows[0].matched == f"phone {typed}"
    assert result.rows[0].phone == customer["person"].phones.get().display
    assert result.unique_account_id == customer["account"].id


def test_search_by_phone_shared_by_two_persons_opens_no_account(csr, customer):
    person_make(csr, name="Rivera, Jose", phone="555-201-3344")
    result = customer_search(query="555-201-3344", user=csr)
    assert sorted(names(result)) == ["Rivera, Jose", "Rivera, Maria"]
    assert result.unique_account_id is None


@pytest.mark.parametrize("typed", ["123-45-6789", "123456789"])
def test_search_by_identifier_value(csr, customer, typed):
    result = customer_search(query=typed, user=csr)
    assert result.kind == "identifier"
    assert [r.person.id for r in result.rows] == [customer["person"].id]
    assert result.rows[0].matched == "identifier TAXID"


def test_search_by_alphanumeric_identifier(csr):
    person = person_make(csr, name="Lee, Dana", phone=None, identifier=("DRLIC", "D123-4567"))
    result = customer_search(query="d1234567", user=csr)
    assert result.kind == "identifier"
    assert [r.person.id for r in result.rows] == [person.id]


@pytest.mark.parametrize("typed", ["12 elm st", "12 Elm Street", "12 ELM", "12 elm streeet"])
def test_search_by_service_address(csr, customer, typed):
    person_make(csr, name="Elsewhere, Ed", phone=None, address=AddressIn(house_number="13", street="Elm Street"))
    result = customer_search(query=typed, user=csr)
    assert result.kind == "address"
    assert names(result) == ["Rivera, Maria"]
    assert result.rows[0].matched == "service address 12 Elm Street"


def test_search_by_mailing_address(csr):
    person = person_make(csr, name="Post, Paula", phone=None, address=AddressIn(house_number="40", street="N. Pine Rd"))
    result = customer_search(query="40 north pine road", user=csr)
    assert [r.person.id for r in result.rows] == [person.id]
    assert result.rows[0].matched == "mailing address 40 N. Pine Rd"


@pytest.mark.parametrize(("street", "typed"), [("15th Drive", "3310 15th dr"), ("2nd Avenue", "3310 2nd Ave")])
def test_search_by_address_on_a_numbered_street(csr, street, typed):
    premise = premise_make(csr, house_number="3310", street=street)
    result = customer_search(query=typed, user=csr)
    assert result.kind == "address"
    assert [(r.person, [p.id for p in r.premises]) for r in result.rows] == [(None, [premise.id])]


def test_address_search_lists_a_vacant_premise(csr):
    premise = premise_make(csr, house_number="5", street="Birch Lane")
    result = customer_search(query="5 birch ln", user=csr)
    assert [(r.person, [p.id for p in r.premises]) for r in result.rows] == [(None, [premise.id])]


def test_a_name_beginning_with_a_number_falls_back_to_name_search(csr):
    person_make(csr, name="7 Seas Trading", kind="B", phone=None)
    result = customer_search(query="7 seas trading", user=csr)
    assert result.kind == "name"
    assert names(result) == ["7 Seas Trading"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Jonh Smiht", "Smith, John"),
        ("rivra maria", "Rivera, Maria"),
        ("smith jonh", "Smith, John"),
        ("mraia rivera", "Rivera, Maria"),  # a typo in the first letters: the broader second step finds it
    ],
)
def test_misspelt_names_are_found_first(csr, customer, smiths, typed, expected):
    result = customer_search(query=typed, user=csr)
    assert result.kind == "name"
    assert names(result)[0] == expected


def test_a_slip_after_the_first_letter_lists_names_with_the_callers_initials(csr):
    for name in ("Smith, Mary", "Smith, Gary"):
        person_make(csr, name=name, phone=None)
    # "smith gary" is as similar to "mray smith" as the whole-name step asks (0.375), but has no m- word
    assert names(customer_search(query="mray smith", user=csr)) == ["Smith, Mary"]


def test_the_callers_initials_are_required_before_candidates_are_capped(csr, monkeypatch):
    # SQLite takes the best SQLITE_CANDIDATES names from its trigram index for each step: names sharing
    # many trigrams with "mray smith" but no m- word must not crowd out the one with the caller's initials.
    monkeypatch.setattr(search, "SQLITE_CANDIDATES", 5)
    persons_bulk([f"Smith, {first}" for first in ("Al", "Bo", "Cy", "Ed", "Jo", "Ty", "Ula", "Vi")])
    persons_bulk(["Smith, Mary"])
    assert names(customer_search(query="mray smith", user=csr)) == ["Smith, Mary"]


def test_a_slip_in_the_first_letter_is_still_found(csr, smiths):
    result = customer_search(query="kohn smith", user=csr)
    assert result.kind == "name"
    assert names(result)[0] == "Smith, John"


def test_names_are_case_and_accent_insensitive(csr, smiths):
    for typed in ("Muller", "MÜLLER anna", "muller, anna"):
        assert names(customer_search(query=typed, user=csr))[0] == "Müller, Anna", typed


def test_word_order_does_not_matter_and_exact_names_come_first(csr, smiths):
    person_make(csr, name="Smithers, Johnny", phone=None)
    result = customer_search(query="John Smith", user=csr)
    assert names(result)[0] == "Smith, John"
    assert result.rows[0].matched == "name 'Smith, John'"
    assert result.rows[0].score == 1.0
    assert "Smith, Jane" not in names(result)[:1]
    scores = [r.score for r in result.rows]
    assert scores == sorted(scores, reverse=True)


def test_part_of_a_name_finds_it(csr, customer):
    assert names(customer_search(query="rive", user=csr)) == ["Rivera, Maria"]


def test_an_alias_says_it_matched(csr):
    person_make(csr, name="Jones, Mary", phone=None, aliases=("Brown, Mary",))
    result = customer_search(query="mary brown", user=csr)
    assert names(result) == ["Jones, Mary"]
    assert result.rows[0].matched == "alias 'Brown, Mary'"


def test_a_person_matched_by_several_names_is_listed_once_at_the_best(csr):
    person_make(csr, name="Smith, Johnny", phone=None, aliases=("Smith, John", "Smyth, John"))
    result = customer_search(query="john smith", user=csr)
    assert names(result) == ["Smith, Johnny"]
    assert (result.rows[0].matched, result.rows[0].score) == ("alias 'Smith, John'", 1.0)


def test_a_primary_name_wins_over_an_alias_of_the_same_spelling(csr):
    person_make(csr, name="Okafor, Ada", phone=None, aliases=("Okafor, Ada",))
    result = customer_search(query="ada okafor", user=csr)
    assert [r.matched for r in result.rows] == ["name 'Okafor, Ada'"]


def test_persons_of_one_spelling_come_by_id_and_the_cap_keeps_the_best_spelling(csr, settings):
    settings.CUSTCARE_SEARCH_LIMIT = 3
    near = persons_bulk(["Garcia, Ana B"] * 2)
    exact = persons_bulk(["Garcia, Ana"] * 4)
    result = customer_search(query="garcia ana", user=csr)
    assert [r.person.id for r in result.rows] == sorted(p.id for p in exact)[:3]
    assert result.truncated is True
    settings.CUSTCARE_SEARCH_LIMIT = 6
    result = customer_search(query="garcia ana", user=csr)
    assert [r.person.id for r in result.rows] == sorted(p.id for p in exact) + sorted(p.id for p in near)
    assert result.truncated is False


def test_every_word_must_be_like_a_word_of_the_name(csr, smiths):
    # "Smith, Jane" shares the surname but no word like "john": the first step does not list her
    assert names(customer_search(query="john smith", user=csr)) == ["Smith, John"]


def test_unrelated_names_are_not_found(csr, smiths):
    result = customer_search(query="Zbigniew Wozniak", user=csr)
    assert result.rows == []
    assert result.message == "No customer matches 'Zbigniew Wozniak'."


def test_short_queries_get_a_message_and_no_query(csr, customer, django_assert_num_queries):
    customer_search(query="rivera", user=csr)  # the user's roles are read once, then cached
    for typed in ("ab", "x", "12"):
        with django_assert_num_queries(0):
            result = customer_search(query=typed, user=csr)
        assert result.rows == []
        assert "at least 3 letters" in result.message


def test_empty_query_gets_a_message(csr):
    result = customer_search(query="   ", user=csr)
    assert result.rows == []
    assert result.message


def test_result_instances_are_saved_ones_that_load_the_fields_search_does_not_read(csr, customer):
    row = customer_search(query="maria rivera", user=csr).rows[0]
    person, account, premise = row.person, row.accounts[0], row.premises[0]
    assert [o._state.adding for o in (person, account, premise)] == [False, False, False]
    assert "preferred_language" in person.get_deferred_fields()
    assert person.preferred_language == Person.objects.get(pk=person.pk).preferred_language
    assert (account.customer_class.code, premise.pk) == (customer["account"].customer_class_id, customer["premise"].pk)


def test_unique_person_with_one_account_opens_it(csr, customer):
    result = customer_search(query="Maria Rivera", user=csr)
    assert result.unique_account_id == customer["account"].id


def test_unique_person_with_two_accounts_opens_no_account(csr, customer):
    account_make(csr, customer["person"])
    result = customer_search(query="Maria Rivera", user=csr)
    assert len(result.rows[0].accounts) == 2
    assert result.unique_account_id is None


def test_commercial_csr_cannot_find_a_residential_customer(csr_commercial, customer):
    queries = [
        "Maria Rivera",
        "rivra maria",
        "(555) 201-3344",
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
        "12 elm street",
        "123-45-6789",
    ]
    for typed in queries:
        result = customer_search(query=typed, user=csr_commercial)
        assert result.rows == [], typed
        assert result.unique_account_id is None, typed


def test_commercial_csr_sees_only_commercial_accounts_of_a_shared_person(csr, csr_commercial, customer):
    commercial = account_make(csr, customer["person"], access_group="COM", customer_class="C", sa_types=())
    result = customer_search(query="Maria Rivera", user=csr_commercial)
    assert [a.id for a in result.rows[0].accounts] == [commercial.id]
    assert result.rows[0].premises == []
    assert result.unique_account_id == commercial.id


def test_a_small_access_group_still_gets_its_customers_below_hidden_ones(csr, csr_commercial, settings):
    settings.CUSTCARE_SEARCH_LIMIT = 2
    for _ in range(3):
        account_make(csr, person_make(csr, name="Garcia, Ana", phone=None))
    visible = person_make(csr, name="Garcia, Anabel", phone=None)
    account_make(csr, visible, access_group="COM", customer_class="C", sa_types=())
    result = customer_search(query="garcia ana", user=csr_commercial)
    assert [r.person.id for r in result.rows] == [visible.id]
    assert (result.truncated, result.message) == (False, "")
    assert names(customer_search(query="garcia ana", user=csr)) == ["Garcia, Ana", "Garcia, Ana"]


def test_a_mailing_premise_served_for_a_hidden_account_stays_hidden(csr, csr_commercial, customer):
    commercial = account_make(csr, customer["person"], access_group="COM", customer_class="C", sa_types=())
    Account.objects.filter(pk=commercial.pk).update(mailing_premise=customer["premise"])
    seen_by_commercial = customer_search(query=commercial.id, user=csr_commercial)
    assert [a.id for a in seen_by_commercial.rows[0].accounts] == [commercial.id]
    assert seen_by_commercial.rows[0].premises == []
    seen_by_both_groups = customer_search(query=commercial.id, user=csr)
    assert [p.id for p in seen_by_both_groups.rows[0].premises] == [customer["premise"].id]


def test_a_superuser_finds_customers_of_every_access_group(csr, admin_user, customer):
    vip = person_make(admin_user, name="Vance, Vera", phone="(555) 777-0001")
    account_make(admin_user, vip, access_group="VIP", premise=premise_make(admin_user, house_number="3"))
    assert names(customer_search(query="vera vance", user=csr)) == []
    csr.is_superuser = True
    for typed in ("vera vance", "(555) 777-0001", vip.id):
        result = customer_search(query=typed, user=csr)
        assert [r.person.id for r in result.rows] == [vip.id], typed
        assert len(result.rows[0].accounts) == 1 and len(result.rows[0].premises) == 1, typed


def test_batch_operator_may_not_search(batch_operator, customer):
    with pytest.raises(AccessDenied):
        customer_search(query="Maria Rivera", user=batch_operator)


def test_more_than_the_limit_is_truncated_with_a_message(csr, settings):
    persons_bulk([f"Garcia, Ana {i:03d}" for i in range(320)])
    result = customer_search(query="garcia ana", user=csr)
    assert result.truncated is True
    assert len(result.rows) == 300
    assert result.message == "More than 300 customers match; refine your search."
    assert len({r.person.id for r in result.rows}) == 300


def test_the_limit_follows_the_setting(csr, settings):
    settings.CUSTCARE_SEARCH_LIMIT = 5
    persons_bulk([f"Garcia, Ana {i}" for i in range(6)])
    result = customer_search(query="garcia ana", user=csr)
    assert (result.truncated, len(result.rows)) == (True, 5)
    assert result.message == "More than 5 customers match; refine your search."


def test_exactly_the_limit_is_not_truncated(csr, settings):
    settings.CUSTCARE_SEARCH_LIMIT = 6
    persons_bulk([f"Garcia, Ana {i}" for i in range(6)])
    result = customer_search(query="garcia ana", user=csr)
    assert (result.truncated, len(result.rows), result.message) == (False, 6, "")


def _customers(csr: Any, count: int) -> None:
    for i in range(count):
        person = person_make(csr, name=f"Okafor, Chidi {i}", phone=f"(555) 400-{i:04d}")
        account_make(csr, person, premise=premise_make(csr, house_number=str(100 + i)))


def test_query_count_does_not_grow_with_the_results(csr, django_assert_max_num_queries):
    _customers(csr, 2)
    customer_search(query="okafor", user=csr)
    # PostgreSQL: thresholds, the name step, the rows; SQLite: the candidates, their access, the rows
    with django_assert_max_num_queries(3) as few:
        small = customer_search(query="okafor chidi", user=csr)
    _customers_more = 10
    for i in range(2, 2 + _customers_more):
        person = person_make(csr, name=f"Okafor, Chidi {i}", phone=f"(555) 400-{i:04d}")
        account_make(csr, person, premise=premise_make(csr, house_number=str(100 + i)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        many = customer_search(query="okafor chidi", user=csr)
    assert len(small.rows) == 2
    assert len(many.rows) == 12
    assert all(len(r.accounts) == 1 and len(r.premises) == 1 for r in many.rows)


def test_ids_and_phones_take_two_statements(csr, customer, django_assert_num_queries):
    customer_search(query="rivera", user=csr)  # the user's roles and groups are read once, then cached
    for typed in (customer["person"].id, customer["account"].id, customer["premise"].id, "(555) 201-3344"):
        with django_assert_num_queries(2):  # ids, phone and identifier at once; then the rows
            result = customer_search(query=typed, user=csr)
        assert [r.person.id for r in result.rows] == [customer["person"].id], typed


def test_bulk_inserted_updated_and_deleted_names_are_indexed(csr):
    (person,) = persons_bulk(["Nakamura, Bo"])
    assert names(customer_search(query="nakamura", user=csr)) == ["Nakamura, Bo"]
    PersonName.objects.filter(person=person).update(name="Tanaka, Bo", search_name="tanaka bo")
    assert names(customer_search(query="nakamura", user=csr)) == []
    assert names(customer_search(query="tanaka", user=csr)) == ["Nakamura, Bo"]
    PersonName.objects.filter(person=person).delete()
    assert names(customer_search(query="tanaka", user=csr)) == []


def test_a_renamed_name_is_found_by_its_new_spelling_only(csr):
    person = person_make(csr, name="Lindqvist, Sven", phone=None)
    PersonName.objects.filter(person=person).update(name="Tanaka, Sven", search_name="tanaka sven")
    assert names(customer_search(query="sven tanaka", user=csr)) == ["Lindqvist, Sven"]
    assert names(customer_search(query="sven lindqvist", user=csr)) == []
    person_make(csr, name="Lindqvist, Sven", phone=None)  # the old spelling again, for another person
    assert len(customer_search(query="sven lindqvist", user=csr).rows) == 1


PAIRS = [
    ("jonh smiht", "smith john"),
    ("rivra maria", "rivera maria"),
    ("smi", "smith john"),
    ("rive", "rivera maria"),
    ("muller", "muller anna"),
    ("jon smith", "smith jane"),
    ("garcia ana", "garcia ana 017"),
    ("okafor", "okonkwo chidi"),
    ("li wu", "wu li"),
]


@pytest.mark.parametrize(("query", "name"), PAIRS)
def test_python_trigram_measures_equal_postgresqls(db, query, name):
    """SQLite ranks with these functions; they must agree with pg_trgm so both databases find the same."""
    if connection.vendor != "postgresql":
        pytest.skip("compares with pg_trgm")
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute("SELECT similarity(%s, %s), word_similarity(%s, %s)", [name, query, query, name])
        sim, wsim = cur.fetchone()
    assert trigram_similarity(name, query) == pytest.approx(sim, abs=1e-6)
    assert word_similarity(query, name) == pytest.approx(wsim, abs=1e-6)


@pytest.mark.parametrize(
    ("query", "name"),
    [
        *PAIRS,
        ("mark king", "king mark a"),
        ("mark king", "kingsley marko"),
        ("john", "smith john jr"),
        ("sunrise logistics in c", "sunrise logistics inc"),
        ("aa aa", "aaa aa a"),
        ("o brien karen e", "karen e obrien"),
    ],
)
def test_word_similarity_is_never_below_similarity(db, query, name):
    """Search ranks by word_similarity alone where it means the greater of the two (see _pg_name_hits)."""
    assert word_similarity(query, name) >= trigram_similarity(name, query)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute("SELECT word_similarity(%s, %s) >= similarity(%s, %s)", [query, name, name, query])
            assert cur.fetchone()[0] is True


def test_python_trigram_measures(db):
    assert trigram_similarity("smith john", "jonh smiht") == pytest.approx(5 / 17)
    assert word_similarity("rive", "rivera maria") == pytest.approx(0.8)
    assert word_similarity("john smith", "smith john") == 1.0
