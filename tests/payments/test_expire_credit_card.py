"""C1-ExpireCreditCardCustContact: expiration notice contacts for auto-pay credit cards about to expire."""

from __future__ import annotations

import datetime as dt

import pytest

from custcare.algorithms.services import algorithm_save
from custcare.batch.executors import batch_run_execute
from custcare.batch.models import BatchControl, BatchError, BatchRun
from custcare.batch.services import batch_run_submit
from custcare.contacts.models import ContactType, CustomerContact, Reminder
from custcare.core.models import AuditEntry
from custcare.marketing.models import CustomerClassAlgorithm, CustomerClassOptions
from custcare.payments.batch import CODE, month_window
from custcare.payments.models import AutoPay
from custcare.payments.reference import payments_reference_load
from tests.factories import account_make, person_make

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def notices(reference):
    payments_reference_load()


def _card(account, key: str, month: int, year: int, **over) -> AutoPay:
    fields = {
        "external_id": key,
        "account": account,
        "method": AutoPay.Method.CREDIT_CARD,
        "card_brand": "VISA",
        "card_last4": "4242",
        "expiry_month": month,
        "expiry_year": year,
        "start_date": dt.date(2024, 1, 1),
        **over,
    }
    return AutoPay.objects.create(**fields)


def _run(operator, date=TODAY, **kw) -> BatchRun:
    run = batch_run_submit(control_code=CODE, process_date=date, user=operator, **kw)
    run = batch_run_execute(run_id=run.pk)
    assert run.status == BatchRun.Status.COMPLETE, run.message
    return run


def _generated():
    return CustomerContact.objects.filter(origin_reference__startswith=f"{CODE}:")


def test_month_window_counts_a_card_valid_to_the_end_of_its_month():
    assert month_window(dt.date(2026, 11, 23), 30) == (2026 * 12 + 11, 2026 * 12 + 11)
    assert month_window(dt.date(2026, 11, 23), 38) == (2026 * 12 + 11, 2026 * 12 + 12)  # Dec 31 reached
    assert month_window(dt.date(2026, 11, 30), 0) == (2026 * 12 + 11, 2026 * 12 + 11)
    assert month_window(dt.date(2026, 11, 29), 0) == (2026 * 12 + 11, 2026 * 12 + 10)  # nothing yet


def test_expiring_cards_get_one_notice_for_the_main_customer(batch_operator, csr, customer, notices):
    account = customer["account"]
    soon = _card(account, "AP-1", 11, 2026)
    _card(account, "AP-2", 12, 2026)  # runs out Dec 31: beyond 30 days
    _card(account, "AP-3", 10, 2026)  # already expired
    _card(account, "AP-4", 11, 2026, active=False)
    _card(account, "AP-5", 11, 2026, end_date=dt.date(2026, 11, 1))
    AutoPay.objects.create(
        external_id="AP-6", account=account, method=AutoPay.Method.BANK, start_date=dt.date(2024, 1, 1)
    )
    audits = AuditEntry.objects.filter(entity_type="contacts.customercontact").count()

    run = _run(batch_operator)

    assert run.records_processed == 1
    contact = _generated().get()
    assert contact.origin_reference == f"{CODE}:autopay:{soon.pk}:2026-11"
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method, contact.direction) == (
        "BILL",
        "CCEXPIRE",
        "POSTAL",
        "OUT",
    )
    assert (contact.person_id, contact.account_id, contact.premise_id) == (customer["person"].id, account.id, None)
    assert contact.description == ("Your auto-pay VISA card ending 4242 expires 11/2026; please send us the new card.")
    assert len(contact.id) == 10 and contact.id.isdigit()
    assert contact.user.username == "custcare-events"
    assert AuditEntry.objects.filter(entity_type="contacts.customercontact").count() == audits + 1


def test_a_card_gets_its_notice_once_per_expiry_date(batch_operator, csr, customer, notices):
    card = _card(customer["account"], "AP-1", 11, 2026)
    _run(batch_operator)
    again = _run(batch_operator, date=dt.date(2026, 11, 28))
    assert again.records_processed == 0
    assert _generated().count() == 1
    # the renewed card (a new expiry date) is noticed again when its time comes
    AutoPay.objects.filter(pk=card.pk).update(expiry_year=2027)
    _run(batch_operator, date=dt.date(2027, 11, 10))
    assert sorted(_generated().values_list("origin_reference", flat=True)) == [
        f"{CODE}:autopay:{card.pk}:2026-11",
        f"{CODE}:autopay:{card.pk}:2027-11",
    ]


def test_many_cards_over_threads_and_chunks(batch_operator, csr, customer, notices):
    people = [person_make(csr, name=f"Payer, Number{i}") for i in range(5)]
    cards = [_card(account_make(csr, p), f"AP-{i}", 11, 2026) for i, p in enumerate(people)]
    run = _run(batch_operator, thread_count=2, chunk_size=2)
    assert run.records_processed == 5
    assert sorted(_generated().values_list("person_id", flat=True)) == sorted(p.id for p in people)
    assert len(set(_generated().values_list("id", flat=True))) == 5
    assert {c.pk for c in cards} == {
        int(r.split(":")[2]) for r in _generated().values_list("origin_reference", flat=True)
    }


def test_customer_class_algorithm_and_notice_days_rule(batch_operator, admin_user, csr, customer, notices):
    ctype = ContactType.objects.get(contact_class_id="BILL", type_code="CCEXPIRE")
    ctype.reminder_role, ctype.reminder_days = "CSR-FOLLOWUP", 5
    ctype.save()
    algorithm_save(
        code="R-CCEXP",
        algorithm_type="C1-EXPCCNOTICE",
        description="Residential card expiry",
        parameters={
            "contact_class": "BILL",
            "contact_type": "CCEXPIRE",
            "method": "EMAIL",
            "message": "{card_brand} *{card_last4} ends {expiry}",
        },
        user=admin_user,
    )
    CustomerClassAlgorithm.objects.create(customer_class_id="R", spot="AP-EXPIRY", algorithm_id="R-CCEXP")
    CustomerClassOptions.objects.update_or_create(customer_class_id="R", defaults={"expiry_notice_days": 60})
    card = _card(customer["account"], "AP-1", 12, 2026, card_brand="MC", card_last4="5100")

    _run(batch_operator)

    contact = _generated().get()
    assert (contact.method, contact.description) == ("EMAIL", "MC *5100 ends 12/2026")
    assert contact.origin_reference == f"{CODE}:autopay:{card.pk}:2026-12"
    reminder = Reminder.objects.get(contact=contact)
    assert (reminder.send_to_role_id, reminder.trigger_date, reminder.state) == (
        "CSR-FOLLOWUP",
        TODAY + dt.timedelta(days=5),
        Reminder.State.PENDING,
    )
    assert reminder.log_entry.contact_id == contact.id


def test_a_class_without_notice_settings_reports_its_cards(batch_operator, csr, customer, notices):
    BatchControl.objects.filter(code=CODE).update(parameters={"NOTICE-DAYS": 30})
    card = _card(customer["account"], "AP-1", 11, 2026)
    run = batch_run_execute(run_id=batch_run_submit(control_code=CODE, process_date=TODAY, user=batch_operator).pk)
    assert run.error_count == 1
    error = BatchError.objects.get(run=run)
    assert error.record_key == str(card.pk) and "Customer class R" in error.message
    assert not _generated().exists()


def test_autopay_updated_event_keeps_only_the_last_four_digits(integrator, customer, notices):
    from custcare.core.errors import ValidationFailed
    from custcare.events.services import event_receive

    payload = {
        "autopay_id": "BILL-77",
        "account_id": customer["account"].id,
        "method": "CC",
        "card_brand": "VISA",
        "card_last4": "4242",
        "expiry_month": 1,
        "expiry_year": 2027,
        "start_date": "2025-01-01",
    }
    event, new = event_receive(kind="autopay-updated", event_id="AP-E1", payload=payload, user=integrator)
    assert new and event.status == "PROCESSED", event.error
    card = AutoPay.objects.get(external_id="BILL-77")
    assert (card.card_last4, card.expiry_month, card.expiry_year, card.active) == ("4242", 1, 2027, True)
    assert event.source_reference == f"autopay:{card.pk}"
    with pytest.raises(ValidationFailed) as exc:
        event_receive(
            kind="autopay-updated",
            event_id="AP-E2",
            payload={**payload, "card_last4": "4111111111111111"},
            user=integrator,
        )
    assert "card_last4" in exc.value.fields
    assert AutoPay.objects.get(external_id="BILL-77").card_last4 == "4242"
