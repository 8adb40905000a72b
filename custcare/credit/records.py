"""The credit record kinds CustCare takes in (API /api/v1/records/<kind> and `custcare records import`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field

from custcare.core.records import RecordKind, RecordPayload, register_record_kind
from custcare.credit.models import CollectionAgencyReferral, CollectionProcess, OverdueProcess, SeveranceProcess

ProcessStatusIn = Literal["active", "completed", "canceled"]


class CreditRecordIn(RecordPayload):
    id: str = Field(..., min_length=1, max_length=30, description="The credit system's id.")
    account_id: str = Field(..., min_length=1, description="The account the record concerns.")


class ProcessIn(CreditRecordIn):
    status: ProcessStatusIn = "active"
    started_on: dt.date
    ended_on: dt.date | None = None


class TemplatedProcessIn(ProcessIn):
    template: str = Field(..., min_length=1, max_length=30, description="The process template code.")


class SeveranceProcessIn(ProcessIn):
    service_agreement_id: str | None = Field(None, description="The service agreement to be severed, if any.")
    premise_id: str | None = Field(None, description="Its premise, if any.")


class CollectionAgencyReferralIn(CreditRecordIn):
    agency: str = Field(..., min_length=1, max_length=60)
    status: Literal["active", "ended", "canceled"] = "active"
    referred_on: dt.date
    ended_on: dt.date | None = None
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)


register_record_kind(
    RecordKind(
        code="overdue-process",
        model=OverdueProcess,
        payload=TemplatedProcessIn,
        description="An overdue process of an account (credit and collections)",
    )
)
register_record_kind(
    RecordKind(
        code="collection-process",
        model=CollectionProcess,
        payload=TemplatedProcessIn,
        description="A collection process of an account (credit and collections)",
    )
)
register_record_kind(
    RecordKind(
        code="severance-process",
        model=SeveranceProcess,
        payload=SeveranceProcessIn,
        description="A severance process of an account, for a service agreement and premise when known",
    )
)
register_record_kind(
    RecordKind(
        code="collection-agency-referral",
        model=CollectionAgencyReferral,
        payload=CollectionAgencyReferralIn,
        description="An account's debt referred to a collection agency",
    )
)
