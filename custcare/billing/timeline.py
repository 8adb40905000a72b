"""The account's bills and payments on the customer contact timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from custcare.billing.models import Bill, Payment
from custcare.controlcentral.context import CentralContext
from custcare.controlcentral.timeline import TimelineSource, register_timeline_source


def _bills(context: CentralContext) -> QuerySet[Any] | None:
    return Bill.objects.filter(account_id=context.account_id) if context.account_id else None


def _payments(context: CentralContext) -> QuerySet[Any] | None:
    return Payment.objects.filter(account_id=context.account_id) if context.account_id else None


def bill_detail(bill: Bill) -> str:
    detail = f"{bill.id}: {bill.get_status_display()}"
    if bill.written_off_amount:
        detail += f", {bill.written_off_amount} written off on {bill.written_off_on}"
    return detail


def payment_title(payment: Payment) -> str:
    return f"Payment {payment.amount}" + (f" ({payment.tender_type})" if payment.tender_type else "")


register_timeline_source(
    TimelineSource(
        kind="bill",
        label="Bills",
        records=_bills,
        at_field="bill_date",
        title=lambda b: f"Bill {b.amount} due {b.due_date}",
        detail=bill_detail,
        order=20,
    )
)

register_timeline_source(
    TimelineSource(
        kind="payment",
        label="Payments",
        records=_payments,
        at_field="payment_date",
        title=payment_title,
        detail=lambda p: f"{p.id}: {p.get_status_display()}",
        order=30,
    )
)
