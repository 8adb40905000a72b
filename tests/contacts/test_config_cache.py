"""The contact type configuration kept in each process: one small statement per use while nothing
changed, and every change (any table, any writer, any process) seen from the moment it commits."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from custcare.algorithms.models import Algorithm
from custcare.contacts import selectors
from custcare.contacts.models import (
    CharacteristicType,
    ContactClass,
    ContactType,
    ContactTypeAlgorithm,
    ContactTypeCharacteristic,
)
from custcare.contacts.selectors import contact_type_config_get
from custcare.contacts.services import contact_type_save
from custcare.demo.reference import reference_data_load
from custcare.security import roles
from tests.conftest import PASSWORD

CONFIG_TABLES = importlib.import_module("custcare.contacts.migrations.0007_contact_type_config_version").TABLES


def _meter(*, shared: bool = False) -> Any:
    return contact_type_config_get(contact_class="SVC", type_code="METER", shared=shared)


def _summary(config: Any) -> dict[str, Any]:
    return {
        "type": config.contact_type.description,
        "class": config.contact_type.contact_class.description,
        "chars": [(c.char_type_id, c.required, c.char_type.description) for c in config.characteristics],
        "algorithms": [(a.code, a.parameters) for a in config.algorithms],
    }


def test_a_type_read_before_costs_one_small_statement(reference):
    selectors._config_cache.clear()  # as a new process: nothing read before (earlier tests read the type)
    with CaptureQueriesContext(connection) as first:
        config = _meter()
    with CaptureQueriesContext(connection) as again:
        same = _meter()
        by_id = contact_type_config_get(contact_type_id=config.contact_type.pk)
    assert len(first) == 1
    assert [q["sql"] for q in again.captured_queries] == ["SELECT value FROM contacts_configversion WHERE id = 1"] * 2
    assert _summary(same) == _summary(config) == _summary(by_id)
    assert _summary(config)["chars"] == [
        ("METER-NO", True, "Meter number"),
        ("READING", False, "Customer's meter reading"),
    ]


def test_a_version_the_caller_read_saves_the_statement_and_is_current_again_after_the_block(reference):
    # given the type cached, and the version as a caller reads it in a statement of its own
    _meter()
    with connection.cursor() as cur:
        cur.execute(f"SELECT {selectors.CONFIG_VERSION_SQL}")
        (version,) = cur.fetchone()
    # when the type is read in a block that knows the version
    with CaptureQueriesContext(connection) as known, selectors.config_version_known(version):
        config = _meter()
    # then no statement is sent for it
    assert known.captured_queries == [] and config.contact_type.description == "Meter problem"
    # and a change made after the caller's read is seen by the first read after the block
    ContactType.objects.filter(pk=_type().pk).update(description="Meter trouble")
    with selectors.config_version_known(version):
        stale = _meter()
    assert stale.contact_type.description == "Meter problem"  # as if read just before the change
    assert _meter().contact_type.description == "Meter trouble"


def test_a_version_known_for_another_database_is_not_used(reference):
    _meter()
    token = selectors._known_version.set(("elsewhere:db", -1))  # a version read on another connection
    try:
        with CaptureQueriesContext(connection) as other:
            config = _meter()
    finally:
        selectors._known_version.reset(token)
    assert [q["sql"] for q in other.captured_queries] == ["SELECT value FROM contacts_configversion WHERE id = 1"]
    assert config.contact_type.description == "Meter problem"


def test_each_call_gets_its_own_instances(reference):
    config = _meter()
    config.contact_type.description = "changed by a caller"
    config.algorithms[0].parameters["pattern"] = "changed"
    config.characteristics.clear()
    fresh = _meter()
    assert fresh.contact_type.description == "Meter problem"
    assert fresh.algorithms[0].parameters["pattern"] == r"\d{8}"
    assert len(fresh.characteristics) == 2


def _type() -> ContactType:
    return ContactType.objects.get(contact_class_id="SVC", type_code="METER")


CHANGES: dict[str, Callable[[], None]] = {
    "type": lambda: ContactType.objects.filter(pk=_type().pk).update(description="Meter trouble"),
    "class": lambda: ContactClass.objects.filter(code="SVC").update(description="Service (field)"),
    "characteristic type": lambda: CharacteristicType.objects.filter(code="READING").update(description="Reading"),
    "rule": lambda: ContactTypeCharacteristic.objects.filter(contact_type=_type(), char_type="READING").update(
        required=True
    ),
    "rule removed": lambda: ContactTypeCharacteristic.objects.filter(
        contact_type=_type(), char_type="READING"
    ).delete(),
    "algorithm": lambda: Algorithm.objects.filter(code="CC-METERNO").update(
        parameters={"char_type": "METER-NO", "pattern": r"\d{9}", "message": "Nine digits."}
    ),
    "algorithm plugged in": lambda: ContactTypeAlgorithm.objects.create(
        contact_type=_type(), algorithm_id="CC-DESC20", sequence=99
    ),
}


def test_shared_instances_are_built_once_per_version(reference):
    # given the type read by a caller that shares the process's instances
    first = _meter(shared=True)
    # when read again, and by a caller that gets its own
    again, own = _meter(shared=True), _meter()
    # then the shared caller gets the same instances, the other new ones with the same values
    assert again is first and own is not first and _summary(own) == _summary(first)
    # and after a change, new shared instances with the new values
    ContactType.objects.filter(pk=_type().pk).update(description="Meter trouble")
    changed = _meter(shared=True)
    assert changed is not first and changed.contact_type.description == "Meter trouble"
    assert first.contact_type.description == "Meter problem"


@pytest.mark.parametrize("shared", [False, True], ids=["own", "shared"])
@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_any_configuration_table_is_seen_on_the_next_read(reference, change, shared):
    before = _summary(_meter(shared=shared))
    change()
    after = _summary(_meter(shared=shared))
    assert after != before
    reread = _summary(contact_type_config_get(contact_type_id=_type().pk))
    assert reread == after


def test_a_change_through_the_service_is_seen(admin_user):
    ctype = _type()
    _meter()
    contact_type_save(
        user=admin_user,
        contact_type=ctype,
        values={"description": "Meter trouble"},
        characteristics=[{"char_type": "METER-NO", "required": True}],
        algorithms=[],
    )
    config = _meter()
    assert config.contact_type.description == "Meter trouble"
    assert [c.char_type_id for c in config.characteristics] == ["METER-NO"] and config.algorithms == []


def test_a_change_in_the_admin_site_is_seen(admin_user):
    _meter()
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/contacts/characteristictype/READING/change/",
        {"code": "READING", "description": "Reading on the display", "value_type": "FREE", "allowed_values": "[]"},
    )
    assert response.status_code == 302, response.content
    assert _summary(_meter())["chars"][1] == ("READING", False, "Reading on the display")


@pytest.mark.parametrize("shared", [False, True], ids=["own", "shared"])
def test_a_change_rolled_back_never_comes_back(reference, shared):
    """A configuration read inside a transaction that changed it, then rolled back, is not used later,
    not even after another change (the version it was read at is never used again)."""
    original = _summary(_meter(shared=shared))
    with pytest.raises(RuntimeError), transaction.atomic():
        ContactType.objects.filter(pk=_type().pk).update(description="never committed")
        assert _meter(shared=shared).contact_type.description == "never committed"
        raise RuntimeError("roll back")
    assert _summary(_meter(shared=shared)) == original
    ContactClass.objects.filter(code="SVC").update(description="Service (field)")
    assert _meter().contact_type.description == "Meter problem"


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_process_is_seen(django_user_model):
    """Another worker (here a thread with its own database session: the processes share nothing but
    the database) commits a change; this process's next read sees it without being told."""
    reference_data_load()
    from custcare.demo.reference import user_with_role_ensure

    admin = user_with_role_ensure(username="admin2", role=roles.ADMINISTRATOR, password=PASSWORD, access_groups=())
    assert _meter().contact_type.description == "Meter problem"
    failures: list[BaseException] = []

    def other_worker() -> None:
        try:
            contact_type_save(
                user=admin,
                contact_type=_type(),
                values={"description": "Changed by another worker"},
                characteristics=[{"char_type": "METER-NO", "required": True}],
                algorithms=[{"algorithm": "CC-METERNO"}],
            )
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    worker.join()
    assert failures == []
    config = _meter()
    assert config.contact_type.description == "Changed by another worker"
    assert [c.char_type_id for c in config.characteristics] == ["METER-NO"]


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND t.tgname LIKE '%%config_changed%%'"
            )
        else:
            cur.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%config_changed%'"
            )
        return set(cur.fetchall())


def test_every_configuration_table_has_its_triggers(db):
    """A migration that rebuilds one of these tables (SQLite rebuilds a table for most column changes)
    drops its triggers and the cache would not see changes to it: such a migration must call
    triggers_create of migration contacts 0007 again."""
    found = _triggers()
    if connection.vendor == "postgresql":
        assert {t for t, _ in found} == set(CONFIG_TABLES)
    else:
        assert found == {(t, f"{t}_config_changed_{e}") for t in CONFIG_TABLES for e in ("insert", "update", "delete")}
