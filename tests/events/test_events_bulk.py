"""Bulk intake (events_receive_many) of a set-based kind gives exactly what one-by-one intake gives,
is idempotent, keeps a failing event from undoing the others, and costs a few statements per batch."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from custcare.contacts.models import ContactCharacteristic, ContactType, CustomerContact, Reminder
from custcare.core.audit import audit_snapshot
from custcare.core.errors import DomainError
from custcare.core.models import AuditEntry
from custcare.customers.models import AccountPerson
from custcare.events.models import SystemEvent
from custcare.events.services import event_receive, events_receive_many
from custcare.fieldwork.models import FieldActivity, FieldActivityRemark
from tests.events.test_field_activity_events import _payload, farsptocus  # noqa: F401
from tests.factories import account_make, person_make, premise_make

KIND = "field-activity-completed"


class _Undo(Exception):
    pass


@pytest.fixture
def three(csr, customer):
    """Customer A (the conftest one), B (own premise), C (an account without a main customer)."""
    b_person = person_make(csr, name="Okafor, Ben", phone="(555) 201-7788")
    b_premise = premise_make(csr, house_number="40", street="Oak Avenue")
    b_account = account_make(csr, b_person, premise=b_premise)
    c_person = person_make(csr, name="Lund, Cora", phone="(555) 201-9900")
    c_premise = premise_make(csr, house_number="7", street="Pine Road")
    c_account = account_make(csr, c_person, premise=c_premise)
    AccountPerson.objects.filter(account=c_account).update(main_customer=False)
    b = {"person": b_person, "account": b_account, "premise": b_premise}
    c = {"person": c_person, "account": c_account, "premise": c_premise}
    return customer, b, c


def _items(a, b, c) -> list[tuple[str, dict[str, Any]]]:
    spoke = [{"remark_type": "SPOKE", "text": "Asked about the meter"}]
    return [
        ("E-1", _payload(a, field_activity_id="FA-1", remarks=spoke)),
        ("E-2", _payload(b, field_activity_id="FA-2", remarks=[*spoke, {"remark_type": "DOG"}])),
        ("E-3", _payload(a, field_activity_id="FA-1", crew="South 9", remarks=spoke)),  # same activity: reused
        ("E-4", {**_payload(b, field_activity_id="FA-4", remarks=spoke), "account_id": None}),  # via the premise
        ("E-5", _payload(a, field_activity_id="FA-5", remarks=[{"remark_type": "NOPE"}])),  # unknown remark
        ("E-6", _payload(c, field_activity_id="FA-6", remarks=spoke)),  # nobody to contact
        ("E-7", {**_payload(a, field_activity_id="FA-7", remarks=spoke), "premise_id": b["premise"].id}),  # mismatch
        ("E-2", _payload(b, field_activity_id="FA-2", remarks=spoke)),  # a repeat within the batch
        ("E-8", {"fa_type": "MTRCHK"}),  # malformed: refused
        ("E-9", _payload(b, field_activity_id="FA-9", remarks=[*spoke, *spoke])),  # the same remark twice
        ("E-0", _payload(a, field_activity_id="FA-0", remarks=spoke)),  # stored before the batch
    ]


def _snapshot(results: list[Any], audit_from: int) -> dict[str, Any]:
    keys = {c.pk: (c.origin_reference, c.person_id) for c in CustomerContact.objects.all()}
    return {
        "results": [
            type(r).__name__ if isinstance(r, DomainError) else (r[0].event_id, r[0].status, r[1]) for r in results
        ],
        "events": sorted(
            (e.event_id, e.status, e.error, e.source_reference, e.algorithms, [keys[i] for i in e.contact_ids])
            for e in SystemEvent.objects.all()
        ),
        "contacts": sorted(
            CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM).values_list(
                "origin_reference",
                "person_id",
                "account_id",
                "premise_id",
                "contact_type_id",
                "description",
                "method",
                "direction",
                "is_open",
                "print_letter",
                "letter_template",
                "user_id",
            )
        ),
        "characteristics": sorted(
            ContactCharacteristic.objects.values_list("contact__origin_reference", "char_type_id", "value")
        ),
        "activities": sorted(
            FieldActivity.objects.values_list("id", "fa_type_id", "premise_id", "account_id", "status", "crew")
        ),
        "remarks": sorted(FieldActivityRemark.objects.values_list("field_activity_id", "remark_type_id", "text")),
        "audit": Counter(AuditEntry.objects.filter(pk__gt=audit_from).values_list("entity_type", "action", "username")),
    }


def _one_by_one(items, user) -> list[Any]:
    out: list[Any] = []
    for event_id, payload in items:
        try:
            out.append(event_receive(kind=KIND, event_id=event_id, payload=payload, user=user))
        except DomainError as exc:
            out.append(exc)
    return out


def test_bulk_gives_the_same_outcome_as_one_by_one(integrator, three, farsptocus):  # noqa: F811
    a, b, c = three
    items = _items(a, b, c)
    event_receive(kind=KIND, event_id="E-0", payload=items[-1][1], user=integrator)
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    snapshots = []
    for receive in (_one_by_one, lambda its, user: events_receive_many(kind=KIND, items=its, user=user)):
        try:
            with transaction.atomic():
                snapshots.append(_snapshot(receive(items, integrator), mark))
                raise _Undo
        except _Undo:
            pass
    single, bulk = snapshots
    assert bulk == single
    # and the outcome is the one intended
    events = {e[0]: e for e in single["events"]}
    assert [events[i][1] for i in ("E-1", "E-2", "E-3", "E-4", "E-9")] == ["PROCESSED"] * 5
    assert events["E-3"][5] == events["E-1"][5]  # the same contact, not a second one
    assert "Unknown remark types: NOPE" in events["E-5"][2]
    assert "found nobody to contact" in events["E-6"][2]
    assert f"Premise {b['premise'].id} is not a premise of account {a['account'].id}" in events["E-7"][2]
    assert single["results"][7] == ("E-2", "PROCESSED", False) and single["results"][8] == "ValidationFailed"
    assert "FA-7" not in {row[0] for row in single["activities"]}  # a failed event leaves nothing behind
    assert ("FA-1", "MTRCHK", a["premise"].id, a["account"].id, "C", "South 9") in single["activities"]


def test_bulk_intake_is_idempotent(integrator, three, farsptocus):  # noqa: F811
    a, b, c = three
    items = _items(a, b, c)
    first = events_receive_many(kind=KIND, items=items, user=integrator)
    counts = (SystemEvent.objects.count(), CustomerContact.objects.count(), AuditEntry.objects.count())
    again = events_receive_many(kind=KIND, items=items, user=integrator)
    assert (SystemEvent.objects.count(), CustomerContact.objects.count(), AuditEntry.objects.count()) == counts
    assert [r if isinstance(r, DomainError) else r[1] for r in again].count(True) == 0
    assert [r[0].pk for r in again if not isinstance(r, DomainError)] == [
        r[0].pk for r in first if not isinstance(r, DomainError)
    ]
    # a new event about an activity already processed reuses its contact
    (new,) = events_receive_many(kind=KIND, items=[("E-10", items[0][1])], user=integrator)
    assert not isinstance(new, DomainError) and new[1]
    assert new[0].contact_ids == SystemEvent.objects.get(event_id="E-1").contact_ids
    assert CustomerContact.objects.count() == counts[1]


def test_a_failing_event_goes_to_the_error_queue_and_the_others_are_kept(integrator, three, farsptocus):  # noqa: F811
    a, b, _c = three
    spoke = [{"remark_type": "SPOKE", "text": "Hello"}]
    items = [
        ("G-1", _payload(a, field_activity_id="FA-21", remarks=spoke)),
        ("G-2", {**_payload(a, field_activity_id="FA-22", remarks=spoke), "premise_id": b["premise"].id}),
        ("G-3", _payload(b, field_activity_id="FA-23", remarks=spoke)),
    ]
    results = events_receive_many(kind=KIND, items=items, user=integrator)
    statuses = [r[0].status for r in results if not isinstance(r, DomainError)]
    assert statuses == ["PROCESSED", "ERROR", "PROCESSED"]
    bad = SystemEvent.objects.get(event_id="G-2")
    assert "could not create its contact" in bad.error and bad.contact_ids == []
    assert set(FieldActivity.objects.values_list("id", flat=True)) == {"FA-21", "FA-23"}
    assert sorted(CustomerContact.objects.filter(origin="ALG").values_list("origin_reference", flat=True)) == [
        "FA-SPOKE:field-activity:FA-21:SPOKE",
        "FA-SPOKE:field-activity:FA-23:SPOKE",
    ]


def test_statements_per_event(integrator, customer, farsptocus):  # noqa: F811
    spoke = [{"remark_type": "SPOKE", "text": "Hello"}]
    event_receive(
        kind=KIND, event_id="W", payload=_payload(customer, field_activity_id="FA-W", remarks=spoke), user=integrator
    )
    with CaptureQueriesContext(connection) as one:
        event, _ = event_receive(kind=KIND, event_id="S", payload=_payload(customer, remarks=spoke), user=integrator)
    assert event.status == "PROCESSED", event.error
    statements = [q["sql"] for q in one.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # PostgreSQL: five reads (the contact type configuration's version comes with the repeat check) and
    # all the writes in one statement (two more when the process's block of contact ids runs out: its
    # draw, which sends the writes before it); SQLite's counter is one UPDATE per draw, and each table
    # its own INSERT
    if connection.vendor == "postgresql":
        assert len(statements) in (6, 8), statements
        assert not any(s.startswith("SELECT value FROM contacts_configversion") for s in statements)
        assert statements[-1].startswith("WITH q0_m AS (INSERT INTO"), statements[-1]
    else:
        assert len(statements) <= 13, statements
    items = [(f"B-{i}", _payload(customer, field_activity_id=f"FA-B{i}", remarks=spoke)) for i in range(50)]
    with CaptureQueriesContext(connection) as batch:
        results = events_receive_many(kind=KIND, items=items, user=integrator)
    assert all(not isinstance(r, DomainError) and r[0].status == "PROCESSED" for r in results)
    assert len(batch.captured_queries) <= 20, [q["sql"][:80] for q in batch.captured_queries]


def test_event_ids_follow_on_whether_an_event_is_processed_repeated_or_in_error(integrator, customer, farsptocus):  # noqa: F811
    """On PostgreSQL a new event's id is drawn by the statement that looks for repeats: a repeat
    draws none, and an event that goes to the error queue is stored under the id drawn for it."""
    spoke = [{"remark_type": "SPOKE", "text": "Hello"}]
    first, _ = event_receive(kind=KIND, event_id="N-1", payload=_payload(customer, remarks=spoke), user=integrator)
    again, new = event_receive(kind=KIND, event_id="N-1", payload=_payload(customer, remarks=spoke), user=integrator)
    failed, _ = event_receive(
        kind=KIND, event_id="N-2", payload=_payload(customer, premise_id="NO-SUCH"), user=integrator
    )
    last, _ = event_receive(
        kind=KIND, event_id="N-3", payload=_payload(customer, field_activity_id="FA-N3"), user=integrator
    )
    assert (new, again.pk) == (False, first.pk)
    assert (first.status, failed.status, last.status) == ("PROCESSED", "ERROR", "PROCESSED")
    assert [failed.pk, last.pk] == [first.pk + 1, first.pk + 2]
    assert SystemEvent.objects.get(pk=failed.pk).event_id == "N-2"


@pytest.mark.parametrize("count", [1, 30])
def test_audit_entries_are_the_snapshots_of_what_was_written(integrator, customer, farsptocus, count):  # noqa: F811
    """The contacts' "add" and the events' "receive" entries, built from rows (in SQL on PostgreSQL),
    hold exactly what audit_snapshot gives for the stored records, as customer_contact_add records."""
    spoke = [{"remark_type": "SPOKE", "text": 'Said "hello" \\ left a note'}]
    items = [(f"A-{i}", _payload(customer, field_activity_id=f"FA-A{i}", remarks=spoke)) for i in range(count)]
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if count == 1:
        results: list[Any] = [event_receive(kind=KIND, event_id=items[0][0], payload=items[0][1], user=integrator)]
    else:
        results = events_receive_many(kind=KIND, items=items, user=integrator)
    events = [r[0] for r in results]
    assert [e.status for e in events] == ["PROCESSED"] * count
    entries = list(AuditEntry.objects.filter(pk__gt=mark).order_by("pk"))
    adds = [e for e in entries if e.entity_type == "contacts.customercontact"]
    receives = [e for e in entries if e.entity_type == "events.systemevent"]
    assert [(e.action, e.username) for e in adds] == [("add", "custcare-events")] * count
    assert [(e.action, e.username, e.user_id) for e in receives] == [
        ("receive", integrator.username, integrator.pk)
    ] * count
    contacts = CustomerContact.objects.in_bulk([e.entity_id for e in adds])
    for entry in adds:
        contact = contacts[entry.entity_id]
        chars = dict(ContactCharacteristic.objects.filter(contact=contact).values_list("char_type_id", "value"))
        assert chars == {"SOURCE-ID": contact.origin_reference.split(":", 2)[-1]}  # e.g. FA-A0:SPOKE
        assert entry.after == {**audit_snapshot(contact), "characteristics": chars}
        assert entry.before is None and entry.summary == ""
    for entry, event in zip(receives, events, strict=True):
        assert entry.entity_id == str(event.pk)
        assert entry.after == audit_snapshot(SystemEvent.objects.get(pk=event.pk))
        assert entry.after["contact_ids"] == event.contact_ids and len(event.contact_ids) == 1


def test_a_type_with_a_reminder_role_gets_its_follow_up_in_bulk_as_one_by_one(integrator, three, farsptocus):  # noqa: F811
    a, b, _c = three
    ctype = ContactType.objects.get(contact_class_id="SVC", type_code="FIELDVIS")
    ctype.reminder_role = "FIELD"
    ctype.save()
    spoke = [{"remark_type": "SPOKE", "text": "Asked about the meter"}]
    items = [(f"R-{i}", _payload(a if i % 2 else b, field_activity_id=f"FA-R{i}", remarks=spoke)) for i in range(24)]
    outcomes = []
    for receive in (_one_by_one, lambda its, user: events_receive_many(kind=KIND, items=its, user=user)):
        try:
            with transaction.atomic():
                assert all(r[0].status == "PROCESSED" for r in receive(items, integrator))
                outcomes.append(
                    sorted(
                        Reminder.objects.values_list(
                            "contact__origin_reference", "send_to_role_id", "comment", "log_entry__comment"
                        )
                    )
                )
                raise _Undo
        except _Undo:
            pass
    single, bulk = outcomes
    assert bulk == single and len(bulk) == 24
    assert bulk[0][1:3] == ("FIELD", "Follow up: Crew North 3 spoke to the customer: Asked about the meter")


@pytest.mark.parametrize("path", ["one", "bulk"])
def test_a_contact_type_change_between_two_events_is_seen_by_the_second(integrator, customer, farsptocus, path):  # noqa: F811
    """The configuration version is read with the repeat check, not on its own: an event processed after
    a change to its contact type uses the changed type, though the process had the type cached."""
    spoke = [{"remark_type": "SPOKE", "text": "Asked about the meter"}]

    def receive(event_id: str) -> SystemEvent:
        payload = _payload(customer, field_activity_id=f"FA-{event_id}", remarks=spoke)
        if path == "one":
            return event_receive(kind=KIND, event_id=event_id, payload=payload, user=integrator)[0]
        (result,) = events_receive_many(kind=KIND, items=[(event_id, payload)], user=integrator)
        return result[0]  # type: ignore[index]

    first = receive("CFG-1")
    assert first.status == "PROCESSED" and not Reminder.objects.filter(contact_id__in=first.contact_ids).exists()
    ContactType.objects.filter(contact_class_id="SVC", type_code="FIELDVIS").update(reminder_role="FIELD")
    second = receive("CFG-2")
    assert second.status == "PROCESSED", second.error
    assert list(
        Reminder.objects.filter(contact_id__in=second.contact_ids).values_list("send_to_role_id", flat=True)
    ) == ["FIELD"]


def test_existing_contacts_read_keeps_to_the_indexes_in_its_generic_plan(integrator, customer, farsptocus):  # noqa: F811
    """The read runs prepared, from a generic plan kept for the connection's life: planned for a small
    contacts table, it must still look the reference up in the partial unique indexes, or every event
    after it scans the whole table as it grows (an array of references is estimated at ten values,
    for which a sequential scan of a few hundred rows looked cheaper)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements and their generic plans are PostgreSQL's")
    from custcare.events.services import _generated_contacts_sql

    # given a contacts table of a few hundred generated contacts, analysed at that size
    spoke = [{"remark_type": "SPOKE", "text": "Hello"}]
    items = [(f"P-{i}", _payload(customer, field_activity_id=f"FA-P{i}", remarks=spoke)) for i in range(400)]
    assert all(r[0].status == "PROCESSED" for r in events_receive_many(kind=KIND, items=items, user=integrator))  # type: ignore[index]
    sql, params = _generated_contacts_sql(["FA-SPOKE:field-activity:FA-P7:SPOKE"])
    assert len(params) == 1 and sql.count("%s") == 1
    with connection.cursor() as cur:
        cur.execute("ANALYZE contacts_customercontact")
        # when the statement for one reference is planned generically
        cur.execute(f"PREPARE one_ref (text) AS {sql.replace('%s', '$1')}")
        cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cur.execute("EXPLAIN EXECUTE one_ref ('FA-SPOKE:field-activity:FA-P7:SPOKE')")
        plan = "\n".join(row[0] for row in cur.fetchall())
        cur.execute("EXECUTE one_ref ('FA-SPOKE:field-activity:FA-P7:SPOKE')")
        found = cur.fetchall()
        cur.execute("DEALLOCATE one_ref")
    # then it reads the partial unique indexes, not the table, and finds the contact
    assert "Seq Scan" not in plan and "cc_generated_once_per_person" in plan, plan
    assert [row[1] for row in found] == ["FA-SPOKE:field-activity:FA-P7:SPOKE"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ids_left", ["enough", "none", "reminder"])
def test_an_event_outside_a_transaction_is_written_by_one_statement_and_committed(
    integrator,
    customer,
    farsptocus,  # noqa: F811
    ids_left,
):
    """Received over HTTP (no transaction around it), an event's writes are one statement, which is its
    own transaction: no BEGIN or COMMIT. When the process's block of contact ids runs out mid-event, the
    writes before the draw go first, in a transaction that holds the event's other writes."""
    from custcare.core import ids

    spoke = [{"remark_type": "SPOKE", "text": "Hello"}]
    ids._cache.clear()  # a block of ids drawn by the first event
    event_receive(
        kind=KIND, event_id="T-1", payload=_payload(customer, field_activity_id="FA-T1", remarks=spoke), user=integrator
    )
    if ids_left == "none":
        ids._cache[connection.settings_dict["NAME"]] = []
    elif ids_left == "reminder":  # the contact type asks for a follow-up: reminder_log, an atomic block
        ContactType.objects.filter(contact_class_id="SVC", type_code="FIELDVIS").update(reminder_role="FIELD")
    with CaptureQueriesContext(connection) as one:
        event, new = event_receive(
            kind=KIND,
            event_id="T-2",
            payload=_payload(customer, field_activity_id="FA-T2", remarks=spoke),
            user=integrator,
        )
    sent = [q["sql"] for q in one.captured_queries]
    assert new and event.status == "PROCESSED", event.error
    # everything it wrote is committed: the event, its field activity and remark, its contact, the audit
    assert not connection.in_atomic_block
    stored = SystemEvent.objects.get(event_id="T-2")
    assert stored.contact_ids == event.contact_ids and len(stored.contact_ids) == 1
    contact = CustomerContact.objects.get(pk=stored.contact_ids[0])
    assert contact.origin_reference == "FA-SPOKE:field-activity:FA-T2:SPOKE"
    assert FieldActivityRemark.objects.filter(field_activity_id="FA-T2").count() == 1
    assert AuditEntry.objects.filter(entity_id__in=[contact.pk, str(stored.pk)]).count() == 2
    if ids_left == "reminder":
        reminder = Reminder.objects.get(contact=contact)
        assert reminder.send_to_role_id == "FIELD"
        assert reminder.log_entry.comment.endswith("Follow up: Crew North 3 spoke to the customer: Hello")
    if connection.vendor != "postgresql":
        return
    if ids_left == "enough":
        assert "BEGIN" not in sent and "COMMIT" not in sent and len(sent) == 6, sent
    else:
        assert sent.count("BEGIN") == 1 and sent[-1] == "COMMIT", sent
        if ids_left == "none":
            assert any("nextval" in s for s in sent)
