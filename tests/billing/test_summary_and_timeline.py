"""The account's financial summary and its bills and payments on the timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custcare.billing.selectors import account_financial_summary
from custcare.controlcentral.context import CentralContext
from custcare.controlcentral.timeline import timeline_page
from custcare.core.errors import NotFound
from tests.billing import builders as b
from tests.factories import account_make, person_make


def test_financial_summary_balance_last_bill_last_payment_and_active_plans(customer, csr):
    # given complete, pending and canceled bills, a write-off, frozen and canceled payments, pay plans
    account = customer["account"]
    b.bill(account, dt.date(2025, 1, 5), "120.00")
    write_off = {"written_off_amount": Decimal("30.50"), "written_off_on": dt.date(2025, 6, 1)}
    b.bill(account, dt.date(2025, 2, 5), "80.50", **write_off)
    b.bill(account, dt.date(2025, 3, 5), "95.25")
    b.bill(account, dt.date(2025, 4, 5), "999.00", status="pending")
    b.bill(account, dt.date(2025, 4, 6), "500.00", status="canceled")
    b.payment(account, dt.date(2025, 1, 20), "120.00", tender_type="card")
    b.payment(account, dt.date(2025, 3, 25), "40.00")
    b.payment(account, dt.date(2025, 3, 28), "95.25", status="canceled")
    b.pay_plan(account, "active")
    b.pay_plan(account, "broken")
    other = account_make(csr, person_make(csr, name="Okafor, Sam", phone=None))
    b.bill(other, dt.date(2025, 5, 1), "10.00")
    b.pay_plan(other, "active")
    # when
    with CaptureQueriesContext(connection) as queries:
        summary = account_financial_summary(account_id=account.pk)
    # then: 120 + (80.50 - 30.50) + 95.25 - 120 - 40
    assert len(queries) <= 2
    assert summary.balance == Decimal("105.25")
    assert summary.currency == "USD"
    assert (summary.last_bill_date, summary.last_bill_amount, summary.last_bill_due_date) == (
        dt.date(2025, 3, 5),
        Decimal("95.25"),
        dt.date(2025, 3, 26),
    )
    assert (summary.last_payment_date, summary.last_payment_amount) == (dt.date(2025, 3, 25), Decimal("40.00"))
    assert summary.active_pay_plans == 1


def test_financial_summary_of_an_account_without_records(customer):
    summary = account_financial_summary(account_id=customer["account"].pk)
    assert summary.balance == Decimal("0.00")
    assert summary.last_bill_date is None and summary.last_bill_amount is None
    assert summary.last_payment_date is None and summary.last_payment_amount is None
    assert summary.active_pay_plans == 0


def test_financial_summary_of_an_unknown_account(reference):
    with pytest.raises(NotFound):
        account_financial_summary(account_id="NOSUCHACCT")


def test_bills_and_payments_on_the_timeline_newest_first(customer):
    # given
    account = customer["account"]
    b.bill(account, dt.date(2025, 1, 5), "120.00", id="B-JAN")
    b.bill(
        account,
        dt.date(2025, 2, 5),
        "80.50",
        id="B-FEB",
        written_off_amount=Decimal("30.50"),
        written_off_on=dt.date(2025, 6, 1),
    )
    b.payment(account, dt.date(2025, 1, 20), "120.00", id="P-JAN", tender_type="card")
    context = CentralContext(account_id=account.pk, person_id=None, premise_id=None)
    # when
    page = timeline_page(context, kinds=["bill", "payment"])
    # then
    assert [(e.kind, e.id, e.at.date()) for e in page.events] == [
        ("bill", "B-FEB", dt.date(2025, 2, 5)),
        ("payment", "P-JAN", dt.date(2025, 1, 20)),
        ("bill", "B-JAN", dt.date(2025, 1, 5)),
    ]
    feb, jan_payment, jan = page.events
    assert feb.title == "Bill 80.50 due 2025-02-26"
    assert feb.detail == "B-FEB: Complete, 30.50 written off on 2025-06-01"
    assert jan.detail == "B-JAN: Complete"
    assert jan_payment.title == "Payment 120.00 (card)"
    assert jan_payment.detail == "P-JAN: Frozen"
    assert page.next_cursor is None


def test_timeline_pages_through_bills_by_cursor(customer):
    account = customer["account"]
    for month in range(1, 6):
        b.bill(account, dt.date(2025, month, 5), id=f"B-{month}")
    context = CentralContext(account_id=account.pk, person_id=None, premise_id=None)
    first = timeline_page(context, kinds=["bill"], limit=2)
    assert [e.id for e in first.events] == ["B-5", "B-4"]
    second = timeline_page(context, kinds=["bill"], limit=2, before=first.next_cursor)
    assert [e.id for e in second.events] == ["B-3", "B-2"]
    third = timeline_page(context, kinds=["bill"], limit=2, before=second.next_cursor)
    assert [e.id for e in third.events] == ["B-1"]
    assert third.next_cursor is None


def test_timeline_without_an_account_shows_no_bills(customer):
    b.bill(customer["account"], dt.date(2025, 1, 5))
    context = CentralContext(account_id=None, person_id=None, premise_id=customer["premise"].pk)
    assert timeline_page(context, kinds=["bill", "payment"]).events == []
