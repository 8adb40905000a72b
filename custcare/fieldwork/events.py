"""The field-activity-completed event and FARSPTOCUS."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import DomainError, ValidationFailed
from custcare.core.rows import array_cursor, rows_upsert, sql_in, sql_in_set
from custcare.customers.models import Account, Premise
from custcare.events.registry import (
    ContactAlgorithm,
    EventContext,
    EventKind,
    Prepared,
    Trigger,
    register_event_kind,
)
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
    """Set-based: a batch is checked with one query (activity types, premises, accounts, remark types
    with their plugged-in algorithms) and recorded with one upsert per table; one event is a batch of one."""

    Payload = FieldActivityCompleted
    partition_field = "field_activity_id"
    set_based = True

    def prepare_many(self, payloads: list[Any], *, user: Any) -> list[Prepared | DomainError]:
        for payload in payloads:
            assert isinstance(payload, FieldActivityCompleted)
        found, plugs = _reference_read(payloads)
        now = timezone.now()
        out: list[Prepared | DomainError] = []
        for payload in payloads:
            if payload.fa_type not in found["T"]:
                out.append(ValidationFailed(f"Unknown field activity type '{payload.fa_type}'."))
                continue
            if payload.premise_id not in found["P"]:
                out.append(ValidationFailed(f"Premise {payload.premise_id} is not known to CustCare."))
                continue
            if payload.account_id and payload.account_id not in found["A"]:
                out.append(ValidationFailed(f"Account {payload.account_id} is not known to CustCare."))
                continue
            remark_types = {r.remark_type for r in payload.remarks}
            if remark_types - found["R"]:
                out.append(ValidationFailed(f"Unknown remark types: {', '.join(sorted(remark_types - found['R']))}."))
                continue
            fa_id = payload.field_activity_id
            activity = {
                "id": fa_id,
                "fa_type_id": payload.fa_type,
                "premise_id": payload.premise_id,
                "account_id": payload.account_id,
                "status": FieldActivity.Status.COMPLETED.value,
                "crew": payload.crew,
                "completed_at": payload.completed_at or now,
            }
            if timezone.is_naive(activity["completed_at"]):
                activity["completed_at"] = timezone.make_aware(activity["completed_at"])
            triggers: list[Trigger] = []
            remarks: dict[str, dict[str, Any]] = {}
            for remark in payload.remarks:
                remarks[remark.remark_type] = {
                    "field_activity_id": fa_id,
                    "remark_type_id": remark.remark_type,
                    "text": remark.text,
                }
                for algorithm in plugs.get(remark.remark_type, []):
                    context = EventContext(
                        source_reference=f"field-activity:{fa_id}:{remark.remark_type}",
                        account_id=payload.account_id,
                        premise_id=payload.premise_id,
                        fields={
                            "field_activity": fa_id,
                            "remark": remark.remark_type,
                            "remark_text": remark.text,
                            "crew": payload.crew,
                            "fa_type": payload.fa_type,
                        },
                    )
                    triggers.append(Trigger(algorithm=algorithm, context=context))
            out.append(Prepared(f"field-activity:{fa_id}", triggers, (activity, list(remarks.values()))))
        return out

    def record_many(self, prepared: list[Prepared], *, user: Any) -> None:
        """Upsert the activities and their remarks (INSERT ... ON CONFLICT DO UPDATE), the later event
        winning when a batch names the same activity twice, as one-by-one processing would."""
        activities: dict[str, dict[str, Any]] = {}
        remarks: dict[tuple[str, str], dict[str, Any]] = {}
        for item in prepared:
            activity, fa_remarks = item.rows
            activities.pop(activity["id"], None)
            activities[activity["id"]] = activity
            for remark in fa_remarks:
                key = (remark["field_activity_id"], remark["remark_type_id"])
                remarks.pop(key, None)
                remarks[key] = remark
        rows_upsert(
            FieldActivity,
            list(activities.values()),
            unique=["id"],
            update=["fa_type", "premise", "account", "status", "crew", "completed_at"],
        )
        rows_upsert(
            FieldActivityRemark,
            list(remarks.values()),
            unique=["field_activity", "remark_type"],
            update=["text"],
        )


def _reference_read(payloads: list[Any]) -> tuple[dict[str, set[str]], dict[str, list[Algorithm]]]:
    """Which of the activity types, premises, accounts and remark types the payloads name exist, and
    the algorithms plugged into those remark types in sequence order: one UNION ALL statement."""
    wanted = {
        "T": sorted({p.fa_type for p in payloads}),
        "P": sorted({p.premise_id for p in payloads}),
        "A": sorted({p.account_id for p in payloads if p.account_id}),
        "R": sorted({r.remark_type for p in payloads for r in p.remarks}),
    }
    tables = {
        "T": (FieldActivityType._meta.db_table, "code"),
        "P": (Premise._meta.db_table, "id"),
        "A": (Account._meta.db_table, "id"),
    }
    parts: list[str] = []
    params: list[Any] = []
    if wanted["R"]:
        among, among_params = sql_in("rt.code", wanted["R"])
        plug, alg = FieldActivityRemarkTypeAlgorithm._meta.db_table, Algorithm._meta.db_table
        parts.append(
            f"SELECT 'R', rt.code, pl.sequence, pl.id, al.code, al.description, al.algorithm_type, al.parameters"
            f" FROM {FieldActivityRemarkType._meta.db_table} rt"
            f" LEFT JOIN {plug} pl ON pl.remark_type_id = rt.code LEFT JOIN {alg} al ON al.code = pl.algorithm_id"
            f" WHERE {among}"
        )
        params.extend(among_params)
    for key, (table, column) in tables.items():
        if wanted[key]:
            # premises and accounts: a set of up to a batch's worth, planned as a set (see sql_in_set)
            among, among_params = (sql_in if key == "T" else sql_in_set)(column, wanted[key])
            parts.append(f"SELECT '{key}', {column}, NULL, NULL, NULL, NULL, NULL, NULL FROM {table} WHERE {among}")
            params.extend(among_params)
    found: dict[str, set[str]] = {"T": set(), "P": set(), "A": set(), "R": set()}
    links: list[tuple[str, int, int, Algorithm]] = []
    if not parts:
        return found, {}
    with array_cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        for key, code, sequence, link_id, alg_code, description, alg_type, parameters in cur.fetchall():
            found[key].add(code)
            if key == "R" and alg_code is not None:
                if isinstance(parameters, str):
                    parameters = json.loads(parameters)
                algorithm = Algorithm(
                    code=alg_code, description=description, algorithm_type=alg_type, parameters=parameters
                )
                links.append((code, sequence, link_id, algorithm))
    plugs: dict[str, list[Algorithm]] = {}
    for code, _, _, algorithm in sorted(links, key=lambda row: (row[1], row[2])):
        plugs.setdefault(code, []).append(algorithm)
    return found, plugs
