"""The customer contact timeline: one stream newest first, filters, keyset paging across kinds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.cases.models import Case, CaseTypeStatus
from custcare.contacts.models import CustomerContact
from custcare.contacts.services import customer_contact_add
from custcare.controlcentral.context import CentralContext
from custcare.controlcentral.timeline import TimelineEvent, cursor_encode, timeline_page
from custcare.core.errors import ValidationFailed
from custcare.fieldwork.models import FieldActivity
from custcare.todo.models import ToDoEntry
from tests.factories import account_make, person_make

UTC = dt.UTC


def _ctx(customer) -> CentralContext:
    return CentralContext(customer["account"].pk, customer["person"].pk, customer["premise"].pk)


def _contact(csr, customer, at: dt.datetime, account: bool = True, text: str = "") -> CustomerContact:
    contact = customer_contact_add(
        user=csr,
        method="PHONE",
        contact_class="INQ" if account else "GEN",
        type_code="BILLQ" if account else "ADDRCHG",
        person_id=customer["person"].pk,
        account_id=customer["account"].pk if account else None,
        description=text,
    )
    CustomerContact.objects.filter(pk=contact.pk).update(contact_datetime=at)
    return contact


def _case(customer, case_id: str, opened: dt.date) -> Case:
    return Case.objects.create(
        id=case_id,
        case_type_id="HIBILL",
        status=CaseTypeStatus.objects.get(case_type_id="HIBILL", status="OPEN"),
        account=customer["account"],
        opened_on=opened,
    )


def _fa(customer, fa_id: str, at: dt.datetime, status: str = "C") -> FieldActivity:
    return FieldActivity.objects.create(
        id=fa_id,
        fa_type_id="MTRCHK",
        premise=customer["premise"],
        account=customer["account"],
        status=status,
        completed_at=at if status == "C" else None,
    )


@pytest.fixture
def history(csr, customer):
    """Contacts, a case, field activities and a To Do entry spread over three days."""
    c1 = _contact(csr, customer, dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC), text="first call")
    c2 = _contact(csr, customer, dt.datetime(2026, 3, 2, 15, 30, tzinfo=UTC), account=False, text="no account")
    case = _case(customer, "CASE-9", dt.date(2026, 3, 2))
    fa = _fa(customer, "FA-7", dt.datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    _fa(customer, "FA-8", dt.datetime(2026, 3, 3, 9, 0, tzinfo=UTC), status="P")  # pending: not on the timeline
    todo = ToDoEntry.objects.create(
        todo_type_id="TD-CCCB",
        role_id="CSR-FOLLOWUP",
        account=customer["account"],
        message="call back",
        created_at=dt.datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
    )
    return {"c1": c1, "c2": c2, "case": case, "fa": fa, "todo": todo}


def test_one_stream_newest_first_with_every_kind(customer, history):
    page = timeline_page(_ctx(customer))
    assert [(e.kind, e.id) for e in page.events] == [
        ("todo", history["todo"].pk),
        ("field-activity", "FA-7"),
        ("contact", history["c2"].pk),  # the person's contact without an account belongs to the customer too
        ("case", "CASE-9"),  # a date: placed at the start of its day
        ("contact", history["c1"].pk),
    ]
    assert page.next_cursor is None
    first = page.events[-1]
    assert first.title.startswith("Bill inquiry") and first.detail == "first call"
    assert first.link == f"/contacts/{history['c1'].pk}/"


def test_another_accounts_events_never_appear(csr, customer, history):
    other = account_make(csr, person_make(csr, name="Nguyen, Bao", phone=None))
    ctx = CentralContext(other.pk, None, None)
    assert timeline_page(ctx).events == []


def test_filter_by_kind_and_dates(customer, history):
    ctx = _ctx(customer)
    assert [e.kind for e in timeline_page(ctx, kinds=["case", "field-activity"]).events] == ["field-activity", "case"]
    march_2 = timeline_page(ctx, since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 2))
    assert [(e.kind, e.id) for e in march_2.events] == [("contact", history["c2"].pk), ("case", "CASE-9")]


def test_pages_walk_back_without_gaps_or_repeats(customer, history, csr):
    for day in range(1, 29):  # a month of daily contacts on top of the history
        _contact(csr, customer, dt.datetime(2026, 2, day, 12, 0, tzinfo=UTC))
    ctx = _ctx(customer)
    everything = timeline_page(ctx, limit=200).events
    seen: list[TimelineEvent] = []
    cursor = None
    pages = 0
    while True:
        page = timeline_page(ctx, limit=4, before=cursor)
        seen.extend(page.events)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [(e.kind, e.id) for e in seen] == [(e.kind, e.id) for e in everything]
    assert len(seen) == 33 and pages == 9


def test_cursor_on_a_date_event_keeps_same_day_events_of_other_kinds(customer, csr):
    """A case (a date) and a contact at midnight of the same day: paging between them loses neither."""
    midnight = timezone.make_aware(dt.datetime(2026, 4, 1))
    contact = _contact(csr, customer, midnight)
    _case(customer, "CASE-1", dt.date(2026, 4, 1))
    ctx = _ctx(customer)
    first = timeline_page(ctx, limit=1)
    second = timeline_page(ctx, limit=1, before=first.next_cursor)
    assert [(e.kind, e.id) for e in first.events + second.events] == [("contact", contact.pk), ("case", "CASE-1")]
    assert second.next_cursor is None


def test_each_page_reads_a_bounded_number_of_rows_per_kind(customer, csr, history):
    for day in range(1, 20):
        _contact(csr, customer, dt.datetime(2025, 1, day, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        page = timeline_page(_ctx(customer), limit=5)
    assert len(page.events) == 5
    contact_sql = [q["sql"] for q in queries if "contacts_customercontact" in q["sql"]]
    # the account's contacts and the person's contacts without an account: two ordered, limited reads
    assert len(contact_sql) == 2 and all("LIMIT 6" in sql for sql in contact_sql)


def test_bad_requests_are_refused_with_the_reason(customer):
    ctx = _ctx(customer)
    with pytest.raises(ValidationFailed, match="Unknown timeline kinds: gossip"):
        timeline_page(ctx, kinds=["gossip"])
    with pytest.raises(ValidationFailed, match="cursor is not valid"):
        timeline_page(ctx, before="not-a-cursor!")
    with pytest.raises(ValidationFailed, match="start date is after the end date"):
        timeline_page(ctx, since=dt.date(2026, 2, 1), until=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed, match="1 to 200"):
        timeline_page(ctx, limit=0)


def test_cursor_round_trips():
    event = TimelineEvent(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "contact", "0123456789", "t", "", "")
    from custcare.controlcentral.timeline import cursor_decode

    assert cursor_decode(cursor_encode(event)) == (event.at, "contact", "0123456789")
