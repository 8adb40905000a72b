"""The meter-read event and MRRCRESVCCC."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, Premise, ServiceAgreement
from custcare.events.recipients import LIVE_SA
from custcare.events.registry import (
    ContactAlgorithm,
    ContactParams,
    ContactSpec,
    EventContext,
    EventKind,
    Trigger,
    register_event_kind,
)
from custcare.metering.models import MeterRead, MeterReaderRemarkType, MeterReaderRemarkTypeAlgorithm, MeterReadRemark


class MeterRemarkContactParams(ContactParams):
    meter_char_type: str | None = Field(
        None, description="A characteristic of the contact type to stamp with the read's meter number."
    )
    reading_char_type: str | None = Field(
        None, description="A characteristic of the contact type to stamp with the reading."
    )
    sa_service: Literal["E", "G", "W", "O"] | None = Field(
        None,
        description="When the read names no account: only the accounts with a live service agreement of this "
        "service (E electricity, G gas, W water, O other) at the premise are contacted. Empty: every account "
        "served at the premise.",
    )


@register_algorithm_type("MRRCRESVCCC", spot=Spot.MR_REMARK)
class MeterRemarkServiceContact(ContactAlgorithm):
    """A meter reader's remark (e.g. the customer asks for service) creates a service customer contact.

    A read names a premise and seldom an account, and never a person, so recipients are the main
    customer (or every notified person) of the read's account, or else of each account served at the
    premise — optionally only those served with one service (a gas reader's remark is for the gas
    customer). The meter number and the reading can be stamped on the contact's characteristics."""

    Params: ClassVar[type[BaseModel]] = MeterRemarkContactParams

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        from custcare.contacts.models import ContactTypeCharacteristic

        errors = super().check_references(params)
        assert isinstance(params, MeterRemarkContactParams)
        if params.recipients == "PERSON":
            errors["recipients"] = ["A meter read names no person: choose MAIN or NOTIFY."]
        for name in ("meter_char_type", "reading_char_type"):
            code = getattr(params, name)
            if (
                code
                and not ContactTypeCharacteristic.objects.filter(
                    contact_type__contact_class_id=params.contact_class,
                    contact_type__type_code=params.contact_type,
                    char_type_id=code,
                ).exists()
            ):
                errors[name] = [f"{code} is not a characteristic of this contact type."]
        return errors

    def run(self, **kwargs: Any) -> list[ContactSpec]:
        context: EventContext = kwargs["context"]
        params = self.params
        assert isinstance(params, MeterRemarkContactParams)
        if context.account_id or not params.sa_service or not context.premise_id:
            specs = super().run(**kwargs)
        else:
            accounts = sorted(
                set(
                    ServiceAgreement.objects.filter(
                        premise_id=context.premise_id, status__in=LIVE_SA, sa_type__service=params.sa_service
                    ).values_list("account_id", flat=True)
                )
            )
            specs = []
            for account_id in accounts:
                specs.extend(super().run(**{**kwargs, "context": dataclasses.replace(context, account_id=account_id)}))
        stamps = {
            params.meter_char_type: context.fields.get("meter_number") or "",
            params.reading_char_type: context.fields.get("reading") or "",
        }
        for spec in specs:
            spec.characteristics.update({code: str(v)[:120] for code, v in stamps.items() if code and v})
        return specs


class MeterRemarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remark_type: str = Field(description="Code of a Meter Reader Remark Type configured in CustCare, e.g. SVCREQ.")
    text: str = Field("", max_length=2000, description="What the reader wrote.")


class MeterReadPayload(BaseModel):
    """A meter read, with the remarks its reader left."""

    model_config = ConfigDict(extra="forbid")
    meter_read_id: str = Field(
        min_length=1, max_length=30, description="The metering system's id of the read; a repeat updates it."
    )
    premise_id: str = Field(min_length=1, max_length=10, description="CustCare premise id where the meter is.")
    account_id: str | None = Field(
        None,
        max_length=10,
        description="CustCare account the read is for, when the sender knows it; otherwise the accounts with a "
        "live service agreement at the premise are contacted.",
    )
    meter_number: str = Field("", max_length=30, description="The meter's number (badge).")
    read_at: dt.datetime = Field(description="When the read was taken (ISO 8601; without an offset: local time).")
    reading: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4, description="The register reading.")
    reader: str = Field("", max_length=60, description="Who took the read (reader id or name).")
    remarks: list[MeterRemarkIn] = Field(
        default_factory=list, description="The reader's remarks; each remark type's algorithms run once per read."
    )


@register_event_kind("meter-read", description="A meter read was taken, with the reader's remarks")
class MeterReadKind(EventKind):
    Payload = MeterReadPayload
    partition_field = "meter_read_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, MeterReadPayload)
        if not Premise.objects.filter(pk=payload.premise_id).exists():
            raise ValidationFailed(f"Premise {payload.premise_id} is not known to CustCare.")
        if payload.account_id and not Account.objects.filter(pk=payload.account_id).exists():
            raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
        codes = [r.remark_type for r in payload.remarks]
        if len(set(codes)) != len(codes):
            raise ValidationFailed("A read carries each remark type once.")
        known = dict(MeterReaderRemarkType.objects.filter(pk__in=codes).values_list("pk", "description"))
        if set(codes) - set(known):
            raise ValidationFailed(f"Unknown meter reader remark types: {', '.join(sorted(set(codes) - set(known)))}.")
        read_at = payload.read_at
        if timezone.is_naive(read_at):
            read_at = timezone.make_aware(read_at)
        read, _ = MeterRead.objects.update_or_create(
            id=payload.meter_read_id,
            defaults={
                "premise_id": payload.premise_id,
                "account_id": payload.account_id,
                "meter_number": payload.meter_number,
                "read_at": read_at,
                "reading": payload.reading,
                "reader": payload.reader,
            },
        )
        by_type: dict[str, list[Any]] = {}
        for plug in MeterReaderRemarkTypeAlgorithm.objects.filter(remark_type_id__in=known).select_related("algorithm"):
            by_type.setdefault(plug.remark_type_id, []).append(plug.algorithm)
        triggers: list[Trigger] = []
        for remark in payload.remarks:
            MeterReadRemark.objects.update_or_create(
                meter_read=read, remark_type_id=remark.remark_type, defaults={"text": remark.text}
            )
            for algorithm in by_type.get(remark.remark_type, []):
                context = EventContext(
                    source_reference=f"meter-read:{read.id}:{remark.remark_type}",
                    account_id=read.account_id,
                    premise_id=read.premise_id,
                    fields={
                        "meter_read": read.id,
                        "remark": remark.remark_type,
                        "remark_description": known[remark.remark_type],
                        "remark_text": remark.text,
                        "reader": read.reader,
                        "meter_number": read.meter_number,
                        "reading": "" if payload.reading is None else format(payload.reading, "f"),
                        "read_at": timezone.localtime(read_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                triggers.append(Trigger(algorithm=algorithm, context=context))
        return f"meter-read:{read.id}", triggers
