"""Builders for billing records in tests (the records arrive through intake in production)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from custcare.billing.models import (
    Bill,
    CreditRatingHistory,
    Declaration,
    MatchEvent,
    OffCycleBillGenerator,
    Payment,
    PayPlan,
    RebateClaim,
)
from custcare.customers.models import Account

_n = {"value": 0}


def _id(prefix: str) -> str:
    _n["value"] += 1
    return f"{prefix}-{_n['value']}"


def bill(account: Account, bill_date: dt.date, amount: str = "100.00", **fields: Any) -> Bill:
    values: dict[str, Any] = {
        "id": _id("B"),
        "account": account,
        "bill_date": bill_date,
        "due_date": bill_date + dt.timedelta(days=21),
        "amount": Decimal(amount),
        "status": Bill.Status.COMPLETE,
    }
    return Bill.objects.create(**{**values, **fields})


def payment(account: Account, payment_date: dt.date, amount: str = "100.00", **fields: Any) -> Payment:
    values: dict[str, Any] = {
        "id": _id("P"),
        "account": account,
        "payment_date": payment_date,
        "amount": Decimal(amount),
        "status": Payment.Status.FROZEN,
    }
    return Payment.objects.create(**{**values, **fields})


def pay_plan(account: Account, status: str, status_date: dt.date | None = None, **fields: Any) -> PayPlan:
    start = fields.pop("start_date", dt.date(2024, 1, 1))
    return PayPlan.objects.create(
        id=_id("PP"),
        account=account,
        pay_plan_type_id="STANDARD",
        status=status,
        start_date=start,
        total_amount=Decimal("300.00"),
        status_date=status_date or start,
        **fields,
    )


def match_event(account: Account, status: str) -> MatchEvent:
    return MatchEvent.objects.create(
        id=_id("M"), account=account, status=status, created_on=dt.date(2025, 5, 1), amount=Decimal("40.00")
    )


def generator(account: Account, status: str) -> OffCycleBillGenerator:
    return OffCycleBillGenerator.objects.create(
        id=_id("G"), account=account, status=status, created_on=dt.date(2025, 5, 1)
    )


def rebate_claim(account: Account, status: str) -> RebateClaim:
    return RebateClaim.objects.create(
        id=_id("R"), account=account, status=status, claim_date=dt.date(2025, 5, 1), amount=Decimal("50.00")
    )


def declaration(account: Account, start: dt.date, end: dt.date | None = None, **fields: Any) -> Declaration:
    return Declaration.objects.create(
        id=_id("D"), account=account, declaration_type_id="MEDICAL", start_date=start, end_date=end, **fields
    )


def rating(account: Account, points: int, start: dt.date, end: dt.date | None = None) -> CreditRatingHistory:
    return CreditRatingHistory.objects.create(
        id=_id("CR"), account=account, points=points, start_date=start, end_date=end, reason="Late payment"
    )
