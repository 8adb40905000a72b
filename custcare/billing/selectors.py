"""Reads over the billing records for Control Central."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, DecimalField, F, OuterRef, QuerySet, Subquery, Sum

from custcare.billing.models import Bill, Payment, PayPlan
from custcare.core.errors import NotFound
from custcare.customers.models import Account

MONEY = DecimalField(max_digits=14, decimal_places=2)
DATE = DateField()


@dataclass(frozen=True)
class FinancialSummary:
    """What the CSR sees of the account's finances: the balance (complete bills less their write-offs,
    less frozen payments), the last complete bill, the last frozen payment and the active pay plans."""

    account_id: str
    currency: str
    balance: Decimal
    last_bill_date: dt.date | None
    last_bill_amount: Decimal | None
    last_bill_due_date: dt.date | None
    last_payment_date: dt.date | None
    last_payment_amount: Decimal | None
    active_pay_plans: int


def _sum(qs: QuerySet[Any], expression: Any) -> Subquery:
    return Subquery(
        qs.filter(account_id=OuterRef("pk")).order_by().values("account_id").annotate(t=Sum(expression)).values("t"),
        output_field=MONEY,
    )


def _latest(qs: QuerySet[Any], date_field: str, column: str, output: Any) -> Subquery:
    return Subquery(
        qs.filter(account_id=OuterRef("pk")).order_by(f"-{date_field}", "-id").values(column)[:1], output_field=output
    )


def account_financial_summary(*, account_id: str) -> FinancialSummary:
    """The account's financial summary in one query (a subquery per figure, each on an account index).
    The caller has already resolved the account within the user's access groups (Control Central's
    context); NotFound when there is no such account."""
    bills = Bill.objects.filter(status=Bill.Status.COMPLETE)
    payments = Payment.objects.filter(status=Payment.Status.FROZEN)
    row = (
        Account.objects.filter(pk=account_id)
        .annotate(
            billed=_sum(bills, F("amount") - F("written_off_amount")),
            paid=_sum(payments, F("amount")),
            last_bill_date=_latest(bills, "bill_date", "bill_date", DATE),
            last_bill_amount=_latest(bills, "bill_date", "amount", MONEY),
            last_bill_due_date=_latest(bills, "bill_date", "due_date", DATE),
            last_payment_date=_latest(payments, "payment_date", "payment_date", DATE),
            last_payment_amount=_latest(payments, "payment_date", "amount", MONEY),
            active_pay_plans=Subquery(
                PayPlan.objects.filter(account_id=OuterRef("pk"), status=PayPlan.Status.ACTIVE)
                .order_by()
                .values("account_id")
                .annotate(n=Count("id"))
                .values("n")
            ),
        )
        .values(
            "currency",
            "billed",
            "paid",
            "last_bill_date",
            "last_bill_amount",
            "last_bill_due_date",
            "last_payment_date",
            "last_payment_amount",
            "active_pay_plans",
        )
        .first()
    )
    if row is None:
        raise NotFound(f"No account {account_id}.")
    zero = Decimal("0.00")
    return FinancialSummary(
        account_id=account_id,
        currency=row["currency"],
        balance=((row["billed"] or zero) - (row["paid"] or zero)).quantize(Decimal("0.01")),
        last_bill_date=row["last_bill_date"],
        last_bill_amount=row["last_bill_amount"],
        last_bill_due_date=row["last_bill_due_date"],
        last_payment_date=row["last_payment_date"],
        last_payment_amount=row["last_payment_amount"],
        active_pay_plans=row["active_pay_plans"] or 0,
    )
