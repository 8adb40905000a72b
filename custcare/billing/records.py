"""The billing record kinds: what the billing system sends for each record (the intake payloads).

Registering a kind gives it the API (/api/v1/records/<kind>) and the bulk import
(`custcare records import <kind> <file>`); see custcare.core.records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

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
from custcare.core.records import RecordKind, RecordPayload, register_record_kind

RecordId = Annotated[str, Field(min_length=1, max_length=30, description="The billing system's id.")]
AccountId = Annotated[str, Field(min_length=1, max_length=10, description="The CustCare account id.")]
PremiseId = Annotated[str | None, Field(max_length=10, description="The CustCare premise id, if any.")]
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class BillPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    bill_date: dt.date
    due_date: dt.date
    amount: Money
    status: Literal["pending", "complete", "canceled"]
    written_off_amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = Decimal("0")
    written_off_on: dt.date | None = None


class PaymentPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    payment_date: dt.date
    amount: Money
    tender_type: str = Field("", max_length=20, description="Cash, check, card, bank transfer...")
    status: Literal["frozen", "canceled"]


class PayPlanPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    pay_plan_type_id: str = Field(..., min_length=1, max_length=20, description="A pay plan type code.")
    status: Literal["active", "broken", "kept", "canceled"]
    start_date: dt.date
    total_amount: Money
    status_date: dt.date


class PayPlanScheduledPaymentPayload(RecordPayload):
    id: RecordId
    pay_plan_id: str = Field(..., min_length=1, max_length=30, description="The pay plan's id.")
    due_date: dt.date
    amount: Money
    status: Literal["pending", "paid", "missed"]


class MatchEventPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    status: Literal["open", "disputed", "balanced", "canceled"]
    created_on: dt.date
    amount: Money


class OffCycleBillGeneratorPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    status: Literal["pending", "generated", "canceled"]
    created_on: dt.date


class RebateClaimPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    premise_id: PremiseId = None
    status: Literal["open", "approved", "denied", "paid", "canceled"]
    claim_date: dt.date
    amount: Money


class DeclarationPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    premise_id: PremiseId = None
    declaration_type_id: str = Field(..., min_length=1, max_length=20, description="A declaration type code.")
    start_date: dt.date
    end_date: dt.date | None = Field(None, description="Empty: effective until further notice.")


class CreditRatingHistoryPayload(RecordPayload):
    id: RecordId
    account_id: AccountId
    points: int = Field(..., description="Points added to the account's rating while effective; negative lowers it.")
    start_date: dt.date
    end_date: dt.date | None = Field(None, description="Empty: effective until further notice.")
    reason: str = Field("", max_length=120)


KINDS = [
    RecordKind("bill", Bill, BillPayload, "A bill of an account, with its write-off if any"),
    RecordKind("payment", Payment, PaymentPayload, "A payment on an account"),
    RecordKind("pay-plan", PayPlan, PayPlanPayload, "A pay plan of an account and its status"),
    RecordKind(
        "pay-plan-payment",
        PayPlanScheduledPayment,
        PayPlanScheduledPaymentPayload,
        "A payment a pay plan schedules",
        account_path="pay_plan__account",
    ),
    RecordKind("match-event", MatchEvent, MatchEventPayload, "A match event of an account (open, disputed...)"),
    RecordKind(
        "off-cycle-bill-generator",
        OffCycleBillGenerator,
        OffCycleBillGeneratorPayload,
        "A request to bill an account outside its bill cycle",
    ),
    RecordKind("rebate-claim", RebateClaim, RebateClaimPayload, "A rebate claim of an account"),
    RecordKind("declaration", Declaration, DeclarationPayload, "A declaration for an account or one of its premises"),
    RecordKind(
        "credit-rating-history",
        CreditRatingHistory,
        CreditRatingHistoryPayload,
        "A change to an account's credit rating over a period",
    ),
]

for _kind in KINDS:
    register_record_kind(_kind)
