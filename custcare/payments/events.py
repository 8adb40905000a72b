"""The autopay-updated event and C1-EXPCCNOTICE, the contact settings of the credit card expiry notice.

The billing system sends autopay-updated whenever an auto-pay instruction is created or changed; the
event only keeps CustCare's copy current (it creates no contact). The notices themselves are made by
the C1-ExpireCreditCardCustContact batch (custcare/payments/batch.py), which reads the C1-EXPCCNOTICE
algorithm configured on each customer class at the auto-pay expiry spot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson
from custcare.events.registry import ContactAlgorithm, ContactParams, EventKind, Trigger, register_event_kind
from custcare.payments.models import AutoPay


@register_algorithm_type("C1-EXPCCNOTICE", spot=Spot.AUTOPAY_EXPIRY)
class CreditCardExpiryNotice(ContactAlgorithm):
    """An auto-pay credit card about to expire gets an expiration notice contact (run by the expiry batch).

    The message may use {card_brand}, {card_last4}, {expiry} (MM/YYYY) and {autopay_id}."""

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        errors = super().check_references(params)
        assert isinstance(params, ContactParams)
        if params.recipients == "NOTIFY":
            errors["recipients"] = ["The expiry notice goes to the main customer (MAIN) or the card's payer (PERSON)."]
        if params.stamp_char_type:
            errors["stamp_char_type"] = ["The expiry batch does not stamp characteristics; leave it empty."]
        return errors


class AutoPayUpdated(BaseModel):
    model_config = ConfigDict(extra="forbid")
    autopay_id: str = Field(min_length=1, max_length=40, description="The billing system's id of the auto-pay.")
    account_id: str
    person_id: str | None = Field(None, description="The payer, when not the account's main customer.")
    method: Literal["CC", "BANK"]
    card_brand: str = Field("", max_length=20)
    card_last4: str | None = Field(None, pattern=r"^\d{4}$", description="Last four digits only; never the number.")
    expiry_month: int | None = Field(None, ge=1, le=12)
    expiry_year: int | None = Field(None, ge=2000, le=2200)
    start_date: dt.date
    end_date: dt.date | None = None
    active: bool = True

    @model_validator(mode="after")
    def card_fields(self) -> AutoPayUpdated:
        if self.method == "CC" and (self.expiry_month is None or self.expiry_year is None or not self.card_last4):
            raise ValueError("A credit card auto-pay needs card_last4, expiry_month and expiry_year.")
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date.")
        return self


@register_event_kind("autopay-updated", description="An auto-pay instruction was created or changed in billing")
class AutoPayUpdatedKind(EventKind):
    Payload = AutoPayUpdated
    partition_field = "autopay_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, AutoPayUpdated)
        if not Account.objects.filter(pk=payload.account_id).exists():
            raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
        if (
            payload.person_id
            and not AccountPerson.objects.filter(account_id=payload.account_id, person_id=payload.person_id).exists()
        ):
            raise ValidationFailed(f"Person {payload.person_id} is not on account {payload.account_id}.")
        card = payload.method == "CC"
        autopay, _ = AutoPay.objects.update_or_create(
            external_id=payload.autopay_id,
            defaults={
                "account_id": payload.account_id,
                "person_id": payload.person_id,
                "method": payload.method,
                "card_brand": payload.card_brand if card else "",
                "card_last4": (payload.card_last4 or "") if card else "",
                "expiry_month": payload.expiry_month if card else None,
                "expiry_year": payload.expiry_year if card else None,
                "start_date": payload.start_date,
                "end_date": payload.end_date,
                "active": payload.active,
            },
        )
        return f"autopay:{autopay.pk}", []
