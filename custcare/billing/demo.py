"""Demo billing records: a believable financial history for the demo accounts.

Most accounts get about two years of monthly bills and payments; a few have write-offs, pay plans in
every status, declarations, match events, rebate claims, off-cycle bill generators and credit rating
history, so every billing alert shows on some account. Each account draws from its own random stream
(seeded by its id), so a reload gives the same records whatever the other accounts are.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from custcare.billing.models import (
    Bill,
    CreditRatingHistory,
    Declaration,
    MatchEvent,
    OffCycleBillGenerator,
    Payment,
    PayPlan,
    PayPlanScheduledPayment,
    RebateClaim,
)
from custcare.billing.reference import DECLARATION_TYPES, PAY_PLAN_TYPES, billing_reference_load

TENDERS = ["check", "card", "bank transfer", "cash", "online"]
CENT = Decimal("0.01")
CHUNK = 500


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


class _Rows:
    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[models.Model]] = {}

    def add(self, row: models.Model) -> None:
        self.by_model.setdefault(type(row), []).append(row)

    def write(self) -> None:
        # Parents before children: scheduled payments reference their pay plans.
        order = [Bill, Payment, PayPlan, PayPlanScheduledPayment, MatchEvent, OffCycleBillGenerator]
        order += [RebateClaim, Declaration, CreditRatingHistory]
        for model in order:
            rows = self.by_model.get(model, [])
            if rows:
                model._default_manager.bulk_create(rows, batch_size=2000)


def _bills_and_payments(rows: _Rows, account_id: str, rng: random.Random, today: dt.date) -> list[Bill]:
    months = 24 if rng.random() < 0.85 else rng.randint(2, 12)
    first = _add_months(dt.date(today.year, today.month, rng.randint(1, 28)), -months)
    base = rng.uniform(45, 220)
    late_payer = rng.random() < 0.12
    bills: list[Bill] = []
    for n in range(months):
        bill_date = _add_months(first, n)
        if bill_date > today:
            break
        seasonal = 1 + 0.35 * abs(6 - bill_date.month) / 6
        amount = _money(base * seasonal * rng.uniform(0.85, 1.15))
        last = n == months - 1
        status = Bill.Status.PENDING if last and rng.random() < 0.1 else Bill.Status.COMPLETE
        bill = Bill(
            id=f"{account_id}-B{bill_date:%Y%m}",
            account_id=account_id,
            bill_date=bill_date,
            due_date=bill_date + dt.timedelta(days=21),
            amount=amount,
            status=status,
        )
        bills.append(bill)
        rows.add(bill)
        if status != Bill.Status.COMPLETE or (late_payer and rng.random() < 0.3):
            continue
        paid_on = bill.due_date + dt.timedelta(days=rng.randint(-12, 15 if late_payer else 3))
        if paid_on > today:
            continue
        rows.add(
            Payment(
                id=f"{account_id}-P{bill_date:%Y%m}",
                account_id=account_id,
                payment_date=paid_on,
                amount=amount if rng.random() < 0.9 else _money(float(amount) * rng.uniform(0.4, 0.9)),
                tender_type=rng.choice(TENDERS),
                status=Payment.Status.CANCELED if rng.random() < 0.02 else Payment.Status.FROZEN,
            )
        )
    if len(bills) > 6 and rng.random() < 0.06:
        written = bills[rng.randint(0, len(bills) - 4)]
        written.written_off_amount = _money(float(written.amount) * rng.uniform(0.3, 1.0))
        written.written_off_on = written.due_date + dt.timedelta(days=rng.randint(60, 120))
    return bills


def _pay_plan(rows: _Rows, account_id: str, rng: random.Random, today: dt.date, n: int) -> None:
    status = rng.choice(list(PayPlan.Status))
    start = today - dt.timedelta(days=rng.randint(30, 500))
    installments = rng.randint(3, 6)
    each = _money(rng.uniform(40, 150))
    ends = _add_months(start, installments)
    status_date = {
        PayPlan.Status.ACTIVE: start,
        PayPlan.Status.CANCELED: start + dt.timedelta(days=rng.randint(1, 20)),
    }.get(status, min(ends, today))
    plan = PayPlan(
        id=f"{account_id}-PP{n}",
        account_id=account_id,
        pay_plan_type_id=rng.choice(PAY_PLAN_TYPES)[0],
        status=status,
        start_date=start,
        total_amount=each * installments,
        status_date=max(status_date, start),
    )
    rows.add(plan)
    missed_at = rng.randint(1, installments - 1)
    for i in range(installments):
        due = _add_months(start, i + 1)
        if status == PayPlan.Status.KEPT or (status == PayPlan.Status.ACTIVE and due <= today):
            sched = PayPlanScheduledPayment.Status.PAID if due <= today else PayPlanScheduledPayment.Status.PENDING
        elif status == PayPlan.Status.BROKEN:
            sched = PayPlanScheduledPayment.Status.PAID if i < missed_at else PayPlanScheduledPayment.Status.MISSED
        else:
            sched = PayPlanScheduledPayment.Status.PENDING
        rows.add(
            PayPlanScheduledPayment(
                id=f"{plan.id}-{i + 1}", pay_plan_id=plan.id, due_date=due, amount=each, status=sched
            )
        )


def _account_records(rows: _Rows, account: Any, rng: random.Random, today: dt.date) -> None:
    account_id = str(account.pk)
    premise_id = getattr(account, "mailing_premise_id", None)
    _bills_and_payments(rows, account_id, rng, today)
    for n in range(1, 3):
        if rng.random() < 0.12:
            _pay_plan(rows, account_id, rng, today, n)
    if rng.random() < 0.08:
        start = today - dt.timedelta(days=rng.randint(10, 700))
        ended = rng.random() < 0.3
        rows.add(
            Declaration(
                id=f"{account_id}-D1",
                account_id=account_id,
                premise_id=premise_id if rng.random() < 0.5 else None,
                declaration_type_id=rng.choice(DECLARATION_TYPES)[0],
                start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(30, 200)) if ended else None,
            )
        )
    if rng.random() < 0.06:
        rows.add(
            MatchEvent(
                id=f"{account_id}-M1",
                account_id=account_id,
                status=rng.choice(list(MatchEvent.Status)),
                created_on=today - dt.timedelta(days=rng.randint(1, 200)),
                amount=_money(rng.uniform(10, 400)),
            )
        )
    if rng.random() < 0.08:
        rows.add(
            RebateClaim(
                id=f"{account_id}-R1",
                account_id=account_id,
                premise_id=premise_id,
                status=rng.choice(list(RebateClaim.Status)),
                claim_date=today - dt.timedelta(days=rng.randint(1, 300)),
                amount=_money(rng.choice([25, 50, 75, 100, 250])),
            )
        )
    if rng.random() < 0.04:
        rows.add(
            OffCycleBillGenerator(
                id=f"{account_id}-G1",
                account_id=account_id,
                status=rng.choice(list(OffCycleBillGenerator.Status)),
                created_on=today - dt.timedelta(days=rng.randint(0, 60)),
            )
        )
    if rng.random() < 0.1:
        for n in range(1, rng.randint(2, 4)):
            start = today - dt.timedelta(days=rng.randint(5, 600))
            rows.add(
                CreditRatingHistory(
                    id=f"{account_id}-CR{n}",
                    account_id=account_id,
                    points=-rng.choice([100, 200, 300, 400]),
                    start_date=start,
                    end_date=start + dt.timedelta(days=365) if rng.random() < 0.5 else None,
                    reason=rng.choice(["Late payment", "Returned check", "Broken pay plan", "Disconnection"]),
                )
            )


@transaction.atomic
def billing_demo_load(accounts: list[Any]) -> None:
    """Create billing records for the accounts (Account instances) that have no bills yet."""
    billing_reference_load()
    ids = [str(a.pk) for a in accounts]
    done = set(Bill.objects.filter(account_id__in=ids).values_list("account_id", flat=True).distinct())
    today = timezone.localdate()
    todo = [a for a in accounts if str(a.pk) not in done]
    for start in range(0, len(todo), CHUNK):  # bounded memory on a large demo
        rows = _Rows()
        for account in todo[start : start + CHUNK]:
            rng = random.Random(zlib.crc32(str(account.pk).encode()))
            _account_records(rows, account, rng, today)
        rows.write()
