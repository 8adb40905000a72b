"""The data generator: reproducible, consistent with the configuration, loaded in bulk, audited once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Count, Q
from unidecode import unidecode

from custcare.contacts.models import ContactCharacteristic, CustomerContact, Usage
from custcare.contacts.services import customer_contact_add
from custcare.core.models import AuditEntry
from custcare.customers.models import (
    Account,
    AccountPerson,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonName,
    PersonPhone,
    Premise,
    ServiceAgreement,
)
from custcare.customers.normalize import identifier_key, name_key, street_key
from custcare.demo import seed as seed_module
from custcare.demo.seed import seed_load


def _names_and_phones(after_name_id: int = 0, after_phone_id: int = 0) -> tuple[list[str], list[str]]:
    names = list(PersonName.objects.filter(id__gt=after_name_id).order_by("id").values_list("name", flat=True))
    phones = list(PersonPhone.objects.filter(id__gt=after_phone_id).order_by("id").values_list("number", flat=True))
    return names, phones


def test_same_seed_gives_the_same_people_whatever_the_batch_size(reference: None) -> None:
    # given a first load
    seed_load(persons=120, seed=7, batch_size=50, progress=False)
    first = _names_and_phones()
    last_name_id = PersonName.objects.order_by("-id").values_list("id", flat=True)[0]
    last_phone_id = PersonPhone.objects.order_by("-id").values_list("id", flat=True)[0]
    # when the same seed is loaded again, in other batch sizes
    seed_load(persons=120, seed=7, batch_size=17, progress=False)
    # then the same names and phones come again, in the same order, as new persons
    assert _names_and_phones(last_name_id, last_phone_id) == first
    assert Person.objects.count() == 240


def test_another_seed_gives_other_people(reference: None) -> None:
    seed_load(persons=60, seed=1, progress=False)
    first = _names_and_phones()
    last_name_id = PersonName.objects.order_by("-id").values_list("id", flat=True)[0]
    last_phone_id = PersonPhone.objects.order_by("-id").values_list("id", flat=True)[0]
    seed_load(persons=60, seed=2, progress=False)
    second = _names_and_phones(last_name_id, last_phone_id)
    assert second[0] != first[0]
    assert second[1] != first[1]


def test_counts_match_the_database_and_one_audit_entry_summarises_the_load(reference: None) -> None:
    result = seed_load(persons=300, seed=11, batch_size=64, progress=False)
    assert result.persons == Person.objects.count() == 300
    assert result.names == PersonName.objects.count()
    assert result.phones == PersonPhone.objects.count()
    assert result.emails == PersonEmail.objects.count()
    assert result.identifiers == PersonIdentifier.objects.count()
    assert result.premises == Premise.objects.count()
    assert result.accounts == Account.objects.count()
    assert result.account_persons == AccountPerson.objects.count()
    assert result.service_agreements == ServiceAgreement.objects.count()
    assert result.contacts == CustomerContact.objects.count()
    assert result.characteristics == ContactCharacteristic.objects.count()
    assert 200 < result.accounts < 300 < result.contacts
    entries = list(AuditEntry.objects.all())
    assert len(entries) == 1
    assert entries[0].action == "seed"
    assert entries[0].after["counts"] == result.counts()
    assert entries[0].after["seed"] == 11


def test_every_person_has_one_primary_name_and_every_account_one_main_customer(reference: None) -> None:
    seed_load(persons=300, seed=3, batch_size=100, progress=False)
    primaries = Person.objects.annotate(n=Count("names", filter=Q(names__is_primary=True)))
    assert set(primaries.values_list("n", flat=True)) == {1}
    for person_id, primary_name in Person.objects.values_list("id", "primary_name"):
        assert PersonName.objects.get(person_id=person_id, is_primary=True).name == primary_name
    mains = Account.objects.annotate(n=Count("account_persons", filter=Q(account_persons__main_customer=True)))
    assert set(mains.values_list("n", flat=True)) == {1}
    assert AccountPerson.objects.filter(main_customer=False).exists()  # some accounts have a second person


def test_keys_are_the_normalised_forms_and_phones_are_valid_e164(reference: None) -> None:
    seed_load(persons=300, seed=5, progress=False)
    for name, key in PersonName.objects.values_list("name", "search_name"):
        assert key == name_key(name)
    for street, key in Premise.objects.values_list("street", "street_key"):
        assert key == street_key(street)
    for value, key in PersonIdentifier.objects.values_list("value", "search_value"):
        assert key == identifier_key(value)
    numbers = list(PersonPhone.objects.values_list("number", flat=True))
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        assert phonenumbers.is_valid_number(parsed), number
    assert len({n[:5] for n in numbers}) > 10  # many area codes


def test_the_data_has_a_realistic_spread(reference: None) -> None:
    seed_load(persons=400, seed=42, progress=False)
    names = list(PersonName.objects.values_list("name", flat=True))
    assert any(unidecode(n) != n for n in names)  # accented names such as Müller or Núñez
    assert PersonName.objects.filter(is_primary=False).exists()  # aliases, maiden names, trading names
    assert Person.objects.filter(kind=Person.Kind.BUSINESS).count() > 10
    assert Person.objects.filter(kind=Person.Kind.PERSON).count() > 300
    assert len(set(ServiceAgreement.objects.values_list("status", flat=True))) >= 5
    assert set(Account.objects.values_list("access_group_id", flat=True)) == {"RES", "COM"}
    assert CustomerContact.objects.filter(is_open=True).exists()
    assert CustomerContact.objects.filter(is_open=False).exists()
    assert len(set(CustomerContact.objects.values_list("contact_type_id", flat=True))) >= 8
    assert len(set(CustomerContact.objects.values_list("method", flat=True))) >= 3


def test_every_contact_follows_its_type_and_the_service_would_accept_it(reference: None, supervisor: Any) -> None:
    # given generated contacts
    seed_load(persons=80, seed=9, progress=False)
    contacts = list(CustomerContact.objects.select_related("contact_type").prefetch_related("characteristics"))
    assert len(contacts) > 80
    for c in contacts:
        t = c.contact_type
        for usage, value in (
            (t.person_usage, c.person_id),
            (t.account_usage, c.account_id),
            (t.premise_usage, c.premise_id),
        ):
            assert not (usage == Usage.REQUIRED and value is None), (t, c.id)
            assert not (usage == Usage.NOT_ALLOWED and value is not None), (t, c.id)
        assert c.contact_class_id == t.contact_class_id
        # when the same contact is recorded through the service, it passes every rule (usage, links,
        # contact detail, characteristics, validation algorithms)
        recorded = customer_contact_add(
            user=supervisor,
            contact_type_id=t.pk,
            person_id=c.person_id,
            account_id=c.account_id,
            premise_id=c.premise_id,
            method=c.method,
            contact_detail=c.contact_detail,
            direction=c.direction,
            is_open=c.is_open,
            description=c.description,
            characteristics={ch.char_type_id: ch.value for ch in c.characteristics.all()},
            contact_datetime=c.contact_datetime,
        )
        assert recorded.pk != c.pk


def test_seed_refuses_an_unknown_access_group_and_changes_nothing(reference: None) -> None:
    with pytest.raises(CommandError, match="NOPE"):
        call_command("seed", persons=10, access_groups="RES,NOPE", no_progress=True)
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_seed_command_adds_persons_on_each_run(reference: None) -> None:
    call_command("seed", persons=25, seed=4, batch=10, access_groups="RES,COM,VIP", no_progress=True, verbosity=0)
    call_command("seed", persons=25, seed=4, no_progress=True, verbosity=0)
    assert Person.objects.count() == 50
    assert AuditEntry.objects.filter(action="seed").count() == 2


def _schema() -> set[tuple[Any, ...]]:
    """Every index and constraint definition, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = {("index", *r) for r in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), convalidated, "
            "condeferrable, condeferred FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        return indexes | {("constraint", *r) for r in cursor.fetchall()}


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="index rebuild is PostgreSQL only")


@postgres_only
def test_a_load_with_rebuild_restores_exactly_the_schema_the_migrations_made(reference: None) -> None:
    # given the schema as migrated, with the trigram search indexes
    before = _schema()
    assert any(r[0] == "index" and r[2] == "personname_search_trgm" and "gin_trgm_ops" in r[3] for r in before)
    # when a load drops and rebuilds the indexes and constraints
    result = seed_load(persons=150, seed=12, batch_size=40, progress=False, rebuild_indexes=True)
    # then every index and constraint is back, the same, and the foreign keys are validated
    assert result.rebuilt > 50
    assert _schema() == before
    assert Person.objects.count() == 150
    entry = AuditEntry.objects.get(action="seed")
    assert entry.after["indexes_rebuilt"] == result.rebuilt
    assert entry.after["counts"] == result.counts()


@postgres_only
def test_a_rebuilt_load_holds_the_same_data_as_a_load_batch_by_batch(reference: None) -> None:
    seed_load(persons=90, seed=21, batch_size=30, progress=False, rebuild_indexes=False)
    kept = _names_and_phones()
    last_name_id = PersonName.objects.order_by("-id").values_list("id", flat=True)[0]
    last_phone_id = PersonPhone.objects.order_by("-id").values_list("id", flat=True)[0]
    result = seed_load(persons=90, seed=21, batch_size=30, progress=False, rebuild_indexes=True)
    assert result.rebuilt > 0
    assert _names_and_phones(last_name_id, last_phone_id) == kept
    # and the trigram name search finds both copies of a name
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_personname WHERE search_name %% %s", [name_key(kept[0][0])])
        assert cursor.fetchone()[0] >= 2


@postgres_only
def test_a_failed_load_with_rebuild_leaves_no_rows_and_the_schema_intact(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a load that fails in its third batch, after two were copied with the indexes dropped
    before = _schema()
    calls = {"n": 0}
    original = seed_module._write_batch

    def failing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        original(*args, **kwargs)

    monkeypatch.setattr(seed_module, "_write_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_load(persons=100, seed=3, batch_size=20, progress=False, rebuild_indexes=True)
    # then nothing was loaded, nothing audited, and every index and constraint is still there
    assert calls["n"] == 3
    assert Person.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert _schema() == before


@postgres_only
def test_a_duplicate_the_rebuilt_unique_index_refuses_undoes_the_whole_load(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a load whose identifiers all get the same value (unique per type while the index is dropped)
    before = _schema()
    original = seed_module.Batch.resolve

    def same_identifier(self: Any, ids: list[str]) -> None:
        original(self, ids)
        for row in self.identifiers.rows:
            row[1], row[2], row[3] = "DRLIC", "X123", identifier_key("X123")

    monkeypatch.setattr(seed_module.Batch, "resolve", same_identifier)
    with pytest.raises(IntegrityError):
        seed_load(persons=200, seed=8, progress=False, rebuild_indexes=True)
    assert Person.objects.count() == 0
    assert PersonIdentifier.objects.count() == 0
    assert _schema() == before


def test_small_loads_keep_the_indexes_and_leave_commits_durable(reference: None) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            setting = cursor.fetchone()[0]
    result = seed_load(persons=50, seed=6, progress=False)
    assert result.rebuilt == 0  # below REBUILD_MIN_PERSONS
    assert AuditEntry.objects.get(action="seed").after["indexes_rebuilt"] == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == setting


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite behaviour")
def test_on_sqlite_a_rebuild_request_loads_batch_by_batch_and_the_name_search_table_follows(reference: None) -> None:
    result = seed_load(persons=40, seed=2, progress=False, rebuild_indexes=True)
    assert result.rebuilt == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM customers_personname_fts")
        assert cursor.fetchone()[0] == PersonName.objects.count() > 40


@postgres_only
def test_seed_command_rebuild_flag(reference: None) -> None:
    out = StringIO()
    call_command("seed", persons=30, seed=4, rebuild_indexes=True, no_progress=True, stdout=out)
    assert "recreating" in out.getvalue()
    assert AuditEntry.objects.get(action="seed").after["indexes_rebuilt"] > 0
