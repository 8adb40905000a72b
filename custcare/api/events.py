"""/events: the intake endpoints, one per event kind, and the error queue.

POST /events/<kind> takes `{"event_id": ..., <the kind's payload fields>}`: 201 with the stored outcome
for a new event (processed, or kept in the error queue with the reason), 200 with the same outcome
for a repeat of the same event id, 422 with per-field messages for a malformed event (nothing stored).
POST /events/<kind>/batch takes `{"events": [...]}`, up to 1,000 such bodies, received together in one
transaction as bulk intake does, and answers each event's outcome in order (its own 201, 200 or 422).
The endpoints are built from the event kind registry when the API is mounted, so every kind an app
registers gets its endpoint and its schema in the OpenAPI document.
"""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BaseModel, create_model

from custcare.api.errors import ERRORS, ErrorOut
from custcare.core.errors import DomainError
from custcare.events.models import SystemEvent
from custcare.events.registry import EventKind, event_kinds
from custcare.events.selectors import dry_run_existing, system_event_get, system_event_list
from custcare.events.services import (
    Outcome,
    event_discard,
    event_dry_run,
    event_receive,
    event_retry,
    events_receive_many,
)

BATCH_MAX = 1000


class EventOut(Schema):
    id: int
    kind: str
    event_id: str
    status: str = Field(..., description="PROCESSED, ERROR (in the error queue) or DISCARDED.")
    error: str = Field(..., description="Why the event waits in the error queue.")
    source_reference: str
    algorithms: list[str]
    contact_ids: list[str] = Field(..., description="The customer contacts the event created.")
    attempts: int
    received_at: dt.datetime
    processed_at: dt.datetime | None


class BatchIn(Schema):
    events: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=BATCH_MAX,
        description="Up to 1,000 events, each the body POST /events/<kind> takes (its `event_id` and fields).",
    )


class BatchItemOut(Schema):
    event_id: str | None = Field(..., description="The event's id as sent.")
    status: int = Field(..., description="201 new, 200 a repeat of an event id already received, 422 malformed.")
    event: EventOut | None = Field(..., description="The stored event and its outcome (201 and 200).")
    error: ErrorOut | None = Field(..., description="Why the event was refused (422); nothing was stored for it.")


class EventQuery(Schema):
    kind: str | None = None
    status: str | None = None


class DiscardIn(Schema):
    reason: str = Field(..., description="Why the event is dropped; kept with it.")


class SpecOut(Schema):
    algorithm: str
    contact_class: str
    contact_type: str
    person_id: str | None
    account_id: str | None
    premise_id: str | None
    method: str
    direction: str
    description: str
    origin_reference: str
    already_exists: bool = Field(..., description="The contact exists already; the event would not add it.")


class DryRunOut(Schema):
    source_reference: str
    algorithms: list[str]
    contacts: list[SpecOut]


def dry_run_out(outcome: Outcome) -> dict[str, Any]:
    existing = dry_run_existing(outcome)
    return {
        "source_reference": outcome.source_reference,
        "algorithms": outcome.algorithms,
        "contacts": [{**spec.__dict__, "already_exists": i in existing} for i, spec in enumerate(outcome.specs)],
    }


def event_body_model(kind: type[EventKind]) -> type[BaseModel]:
    """The kind's payload with the caller's event id in front: what POST /events/<kind> takes."""
    name = "".join(part.capitalize() for part in kind.code.replace("_", "-").split("-")) + "Event"
    return create_model(
        name,
        __base__=kind.Payload,
        __doc__=f"{kind.description}. `event_id` is yours: the same id sent again is not processed twice.",
        event_id=(str, Field(..., min_length=1, max_length=80, description="The sender's unique id of the event.")),
    )


def _intake_route(router: Router, kind: type[EventKind]) -> None:
    body_model = event_body_model(kind)
    code = kind.code

    def receive(request, payload: body_model):  # type: ignore[no-untyped-def,valid-type]
        data = payload.model_dump(mode="json", exclude={"event_id"}, exclude_unset=True)  # type: ignore[attr-defined]
        event_id = payload.event_id  # type: ignore[attr-defined]
        stored, new = event_receive(kind=code, event_id=event_id, payload=data, user=request.user)
        return Status(201 if new else 200, stored)

    receive.__name__ = "receive_" + code.replace("-", "_")
    router.add_api_operation(
        f"/{code}",
        ["POST"],
        receive,
        response={201: EventOut, 200: EventOut, **ERRORS},
        summary=f"Event: {kind.description}",
        description=f"Receive a `{code}` event (Integrators). 201: new, with its outcome; 200: a repeat of the "
        "same event id, with the stored outcome; 422: malformed, nothing stored.",
        operation_id=f"event_{code.replace('-', '_')}",
    )


def _batch_route(router: Router, kind: type[EventKind]) -> None:
    code = kind.code

    def receive_batch(request, payload: BatchIn):  # type: ignore[no-untyped-def]
        items = []
        for body in payload.events:
            event_id = body.get("event_id")
            items.append(
                (event_id if isinstance(event_id, str) else "", {k: v for k, v in body.items() if k != "event_id"})
            )
        results = events_receive_many(kind=code, items=items, user=request.user)
        out: list[dict[str, Any]] = []
        for body, result in zip(payload.events, results, strict=True):
            sent = body.get("event_id")
            sent = sent if isinstance(sent, str) else None
            if isinstance(result, DomainError):
                error = {"message": result.message, "fields": result.fields}
                out.append({"event_id": sent, "status": result.status, "event": None, "error": error})
            else:
                stored, new = result
                out.append({"event_id": sent, "status": 201 if new else 200, "event": stored, "error": None})
        return out

    receive_batch.__name__ = "receive_batch_" + code.replace("-", "_")
    router.add_api_operation(
        f"/{code}/batch",
        ["POST"],
        receive_batch,
        response={200: list[BatchItemOut], **ERRORS},
        summary=f"Events (batch): {kind.description}",
        description=f"Receive up to {BATCH_MAX:,} `{code}` events in one request (Integrators), in one transaction "
        "as the bulk import does. 200 with each event's outcome in the order sent: `status` 201 (new, with its "
        "stored outcome), 200 (a repeat of an event id already received) or 422 (malformed: nothing stored for "
        "it, the others are kept). A malformed event never undoes the others.",
        operation_id=f"event_batch_{code.replace('-', '_')}",
    )


def _dry_run_route(router: Router, kind: type[EventKind]) -> None:
    code = kind.code
    payload_model = kind.Payload

    def dry_run(request, payload: payload_model):  # type: ignore[no-untyped-def,valid-type]
        data = payload.model_dump(mode="json", exclude_unset=True)  # type: ignore[attr-defined]
        return dry_run_out(event_dry_run(kind=code, payload=data, user=request.user))

    dry_run.__name__ = "dry_run_" + code.replace("-", "_")
    router.add_api_operation(
        f"/dry-run/{code}",
        ["POST"],
        dry_run,
        response={200: DryRunOut, **ERRORS},
        summary=f"Dry run: {kind.description}",
        description="What this event would create, computed and rolled back: nothing changes (administrators).",
        operation_id=f"event_dry_run_{code.replace('-', '_')}",
    )


def events_router() -> Router:
    """A router with the queue endpoints and one intake and dry-run endpoint per registered kind.
    Built at mount time (URL loading), when every app has registered its kinds."""
    router = Router()

    @router.get("", response={200: list[EventOut], **ERRORS}, summary="System events (error queue), newest first")
    @paginate(LimitOffsetPagination)
    def event_list(request, filters: Query[EventQuery]):  # type: ignore[no-untyped-def]
        return system_event_list(user=request.user, kind=filters.kind, status=filters.status)

    @router.get("/{int:event_pk}", response={200: EventOut, **ERRORS}, summary="A system event and its outcome")
    def event_read(request, event_pk: int):  # type: ignore[no-untyped-def]
        return system_event_get(event_pk=event_pk, user=request.user)

    @router.post("/{int:event_pk}/retry", response={200: EventOut, **ERRORS}, summary="Retry an event in error")
    def event_retry_view(request, event_pk: int):  # type: ignore[no-untyped-def]
        """Processes the event again once its cause is fixed; it stays in the queue with the new reason
        if it fails again. 422 for an event that is not in the error queue."""
        return event_retry(event_pk=event_pk, user=request.user)

    @router.post("/{int:event_pk}/discard", response={200: EventOut, **ERRORS}, summary="Discard an event in error")
    def event_discard_view(request, event_pk: int, payload: DiscardIn):  # type: ignore[no-untyped-def]
        return event_discard(event_pk=event_pk, reason=payload.reason, user=request.user)

    for kind in event_kinds():
        _intake_route(router, kind)
        _batch_route(router, kind)
        _dry_run_route(router, kind)
    return router


__all__ = ["SystemEvent", "events_router"]
