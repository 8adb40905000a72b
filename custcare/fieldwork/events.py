"""The field-activity-completed event and FARSPTOCUS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, Premise
from custcare.events.registry import ContactAlgorithm, EventContext, EventKind, Trigger, register_event_kind
from custcare.fieldwork.models import (
    FieldActivity,
    FieldActivityRemark,
    FieldActivityRemarkType,
    FieldActivityRemarkTypeAlgorithm,
    FieldActivityType,
)


@register_algorithm_type("FARSPTOCUS", spot=Spot.FA_REMARK)
class FieldRemarkSpokeToCustomer(ContactAlgorithm):
    """A crew's "spoke to customer" remark on a completed field activity creates a customer contact."""


class RemarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remark_type: str
    text: str = ""


class FieldActivityCompleted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field_activity_id: str = Field(min_length=1, max_length=30)
    fa_type: str
    premise_id: str
    account_id: str | None = None
    completed_at: dt.datetime | None = None
    crew: str = ""
    remarks: list[RemarkIn] = []


@register_event_kind("field-activity-completed", description="A crew completed a field activity, with remarks")
class FieldActivityCompletedKind(EventKind):
    Payload = FieldActivityCompleted

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, FieldActivityCompleted)
        if not FieldActivityType.objects.filter(pk=payload.fa_type).exists():
            raise ValidationFailed(f"Unknown field activity type '{payload.fa_type}'.")
        if not Premise.objects.filter(pk=payload.premise_id).exists():
            raise ValidationFailed(f"Premise {payload.premise_id} is not known to CustCare.")
        if payload.account_id and not Account.objects.filter(pk=payload.account_id).exists():
            raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
        remark_types = {r.remark_type for r in payload.remarks}
        known = set(FieldActivityRemarkType.objects.filter(pk__in=remark_types).values_list("pk", flat=True))
        if remark_types - known:
            raise ValidationFailed(f"Unknown remark types: {', '.join(sorted(remark_types - known))}.")
        fa, _ = FieldActivity.objects.update_or_create(
            id=payload.field_activity_id,
            defaults={
                "fa_type_id": payload.fa_type,
                "premise_id": payload.premise_id,
                "account_id": payload.account_id,
                "status": FieldActivity.Status.COMPLETED,
                "crew": payload.crew,
                "completed_at": payload.completed_at or timezone.now(),
            },
        )
        triggers: list[Trigger] = []
        plugs = FieldActivityRemarkTypeAlgorithm.objects.filter(remark_type_id__in=known).select_related("algorithm")
        by_type: dict[str, list[Any]] = {}
        for plug in plugs:
            by_type.setdefault(plug.remark_type_id, []).append(plug.algorithm)
        for remark in payload.remarks:
            FieldActivityRemark.objects.update_or_create(
                field_activity=fa, remark_type_id=remark.remark_type, defaults={"text": remark.text}
            )
            for algorithm in by_type.get(remark.remark_type, []):
                context = EventContext(
                    source_reference=f"field-activity:{fa.id}:{remark.remark_type}",
                    account_id=fa.account_id,
                    premise_id=fa.premise_id,
                    fields={
                        "field_activity": fa.id,
                        "remark": remark.remark_type,
                        "remark_text": remark.text,
                        "crew": fa.crew,
                        "fa_type": fa.fa_type_id,
                    },
                )
                triggers.append(Trigger(algorithm=algorithm, context=context))
        return f"field-activity:{fa.id}", triggers
