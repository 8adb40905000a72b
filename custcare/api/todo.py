"""/todo-entries and /todo-summary: the To Do worklist, entries and the actions users take on them.

Assigning or forwarding to a user runs the type's assignment algorithm (CI_VAL-SKILL): its warnings
answer 409 with `{"warnings": [...]}` and change nothing; send the request again with
`"override": true` to go ahead (the override is audited).
"""

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Field, FilterSchema, Query, Router, Schema, Status

from custcare.api.errors import ERRORS
from custcare.todo.models import ToDoEntry
from custcare.todo.selectors import EntryFilters, info_texts, todo_entry_detail, todo_entry_list, todo_summary
from custcare.todo.services import (
    AssignmentWarnings,
    BulkResult,
    todo_assign,
    todo_bulk_complete,
    todo_bulk_forward,
    todo_complete,
    todo_create,
    todo_forward,
    todo_log_add,
    todo_priority_set,
    todo_send_back,
    todo_take_next,
)

router = Router()

MAX_LIMIT = 200


class EntryOut(Schema):
    id: str
    todo_type: str = Field(..., alias="todo_type_id")
    role: str = Field(..., alias="role_id")
    status: str
    priority: int
    assigned_to: str | None = Field(None, alias="assigned_to.username")
    message: str
    info: str = ""
    contact_id: str | None
    person_id: str | None
    account_id: str | None
    reminder_id: int | None
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    completed_at: dt.datetime | None
    completion_comment: str


class EntryPageOut(Schema):
    items: list[EntryOut]
    count: int


class LogOut(Schema):
    id: int
    at: dt.datetime
    user: str | None = Field(None, alias="user.username")
    action: str
    comment: str
    details: dict


class LinkOut(Schema):
    kind: str
    id: str
    url: str


class EntryDetailOut(EntryOut):
    log: list[LogOut] = Field(..., alias="log_items")
    drill_down: LinkOut | None = Field(None, alias="drill_down_link")
    sent_by: str | None = Field(None, alias="sent_by.username")
    completed_by: str | None = Field(None, alias="completed_by.username")


class WarningsOut(Schema):
    message: str
    fields: dict[str, list[str]] = {}
    warnings: list[str]


class EntryQuery(FilterSchema):
    role: str | None = None
    status: str | None = Field(None, description="O (open), W (being worked on) or C (complete).")
    assigned_to: int | None = Field(None, description="A user id.")
    priority_min: int | None = None
    priority_max: int | None = None
    todo_type: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None


class CreateIn(Schema):
    todo_type: str = Field(..., description="A To Do type of manual usage, e.g. TD-MANUAL.")
    comment: str
    role: str | None = Field(None, description="Defaults to the type's default role.")
    assign_to: str | None = Field(None, description="A username: the entry starts Being Worked On by them.")
    contact_id: str | None = None
    person_id: str | None = None
    account_id: str | None = None
    priority: int | None = None
    override: bool = False


class AssignIn(Schema):
    user: str = Field(..., description="The username to assign to.")
    override: bool = Field(False, description="Go ahead despite the warnings a 409 answer listed.")
    comment: str = ""


class ForwardIn(Schema):
    role: str | None = None
    user: str | None = Field(None, description="A username; give a role or a user.")
    override: bool = False
    comment: str = ""


class CommentIn(Schema):
    comment: str = ""


class PriorityIn(Schema):
    priority: int = Field(..., description="1 (highest) to 100 (lowest).")
    comment: str = ""


class BulkForwardIn(Schema):
    ids: list[str]
    role: str | None = None
    user: str | None = None
    override: bool = False


class BulkCompleteIn(Schema):
    ids: list[str]
    comment: str


class BulkFailureOut(Schema):
    id: str
    message: str


class BulkOut(Schema):
    done: list[str]
    failed: list[BulkFailureOut]


class TakeNextOut(Schema):
    entry: EntryOut | None
    message: str


class SummaryRowOut(Schema):
    role: str
    priority_band: str
    counts: dict[str, int]
    total: int


class SummaryOut(Schema):
    as_of: dt.datetime
    age_bands: list[str]
    rows: list[SummaryRowOut]
    total: int


WARNING_ERRORS = {409: WarningsOut, **{k: v for k, v in ERRORS.items() if k != 409}}
LINK_URLS = {"CONTACT": "web:contact", "PERSON": "web:person", "ACCOUNT": "web:account"}


def _out(entry: ToDoEntry, info: str | None = None) -> ToDoEntry:
    """The entry with its information text attached for EntryOut."""
    entry.info = info if info is not None else info_texts([entry])[entry.id]  # type: ignore[attr-defined]
    return entry


def _warnings(exc: AssignmentWarnings) -> Status[Any]:
    return Status(409, {"message": exc.message, "fields": exc.fields, "warnings": exc.warnings})


def _bulk(result: BulkResult) -> dict:
    return {"done": result.done, "failed": [{"id": k, "message": v} for k, v in result.failed.items()]}


@router.get("/todo-entries", response={200: EntryPageOut, **ERRORS}, summary="List To Do entries")
def entry_list(request, filters: Query[EntryQuery], limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    """Entries of your roles and your own (supervisors: all), by priority then age, with their
    information text. `limit` is at most 200."""
    limit, offset = min(max(limit, 1), MAX_LIMIT), max(offset, 0)
    qs = todo_entry_list(user=request.user, filters=EntryFilters(**filters.dict()))
    entries = list(qs[offset : offset + limit])
    texts = info_texts(entries)
    return {"items": [_out(e, texts[e.id]) for e in entries], "count": qs.count()}


@router.post("/todo-entries", response={201: EntryOut, **WARNING_ERRORS}, summary="Create a To Do by hand")
def entry_create(request, payload: CreateIn):  # type: ignore[no-untyped-def]
    try:
        entry = todo_create(
            todo_type_code=payload.todo_type,
            user=request.user,
            comment=payload.comment,
            role_code=payload.role,
            assign_to=payload.assign_to,
            contact_id=payload.contact_id,
            person_id=payload.person_id,
            account_id=payload.account_id,
            priority=payload.priority,
            override=payload.override,
        )
    except AssignmentWarnings as exc:
        return _warnings(exc)
    return Status(201, _out(entry))


@router.post("/todo-entries/take-next", response={200: TakeNextOut, **ERRORS}, summary="Take the next entry")
def entry_take_next(request):  # type: ignore[no-untyped-def]
    """The highest-priority, oldest Open entry of your roles that you have the skills for, now yours."""
    entry = todo_take_next(user=request.user)
    if entry is None:
        return {"entry": None, "message": "Nothing to take: your roles have no open entry you have the skills for."}
    return {"entry": _out(entry), "message": f"To Do {entry.id} is yours."}


@router.post("/todo-entries/bulk-forward", response={200: BulkOut, **ERRORS}, summary="Forward entries (supervisors)")
def entry_bulk_forward(request, payload: BulkForwardIn):  # type: ignore[no-untyped-def]
    """Each entry is forwarded on its own; the ones refused are listed with the reason."""
    result = todo_bulk_forward(
        entry_ids=payload.ids,
        user=request.user,
        role_code=payload.role,
        to_user=payload.user,
        override=payload.override,
    )
    return _bulk(result)


@router.post("/todo-entries/bulk-complete", response={200: BulkOut, **ERRORS}, summary="Complete entries (supervisors)")
def entry_bulk_complete(request, payload: BulkCompleteIn):  # type: ignore[no-untyped-def]
    return _bulk(todo_bulk_complete(entry_ids=payload.ids, user=request.user, comment=payload.comment))


@router.get("/todo-entries/{entry_id}", response={200: EntryDetailOut, **ERRORS}, summary="A To Do entry")
def entry_read(request, entry_id: str):  # type: ignore[no-untyped-def]
    """The entry with its log, information text and a drill-down link to its contact, person or account."""
    detail = todo_entry_detail(entry_id=entry_id, user=request.user)
    entry = _out(detail.entry, detail.info)
    link = detail.drill_down
    entry.log_items = detail.log  # type: ignore[attr-defined]
    entry.drill_down_link = (  # type: ignore[attr-defined]
        {"kind": link[0], "id": link[1], "url": reverse(LINK_URLS[link[0]], args=[link[1]])} if link else None
    )
    return entry


@router.post("/todo-entries/{entry_id}/assign", response={200: EntryOut, **WARNING_ERRORS}, summary="Assign")
def entry_assign(request, entry_id: str, payload: AssignIn):  # type: ignore[no-untyped-def]
    try:
        entry = todo_assign(
            entry_id=entry_id,
            assignee=payload.user,
            user=request.user,
            override=payload.override,
            comment=payload.comment,
        )
    except AssignmentWarnings as exc:
        return _warnings(exc)
    return Status(200, _out(entry))


@router.post("/todo-entries/{entry_id}/forward", response={200: EntryOut, **WARNING_ERRORS}, summary="Forward")
def entry_forward(request, entry_id: str, payload: ForwardIn):  # type: ignore[no-untyped-def]
    """To a role (Open again, unassigned) or to a user (like assign)."""
    try:
        entry = todo_forward(
            entry_id=entry_id,
            user=request.user,
            role_code=payload.role,
            to_user=payload.user,
            override=payload.override,
            comment=payload.comment,
        )
    except AssignmentWarnings as exc:
        return _warnings(exc)
    return Status(200, _out(entry))


@router.post("/todo-entries/{entry_id}/send-back", response={200: EntryOut, **ERRORS}, summary="Send back")
def entry_send_back(request, entry_id: str, payload: CommentIn | None = None):  # type: ignore[no-untyped-def]
    """Back to whoever forwarded it, or else to its role."""
    comment = payload.comment if payload else ""
    return _out(todo_send_back(entry_id=entry_id, user=request.user, comment=comment))


@router.post("/todo-entries/{entry_id}/log", response={201: LogOut, **ERRORS}, summary="Add a note")
def entry_log(request, entry_id: str, payload: CommentIn):  # type: ignore[no-untyped-def]
    return Status(201, todo_log_add(entry_id=entry_id, user=request.user, comment=payload.comment))


@router.post("/todo-entries/{entry_id}/complete", response={200: EntryOut, **ERRORS}, summary="Complete")
def entry_complete(request, entry_id: str, payload: CommentIn):  # type: ignore[no-untyped-def]
    """Complete with a comment; a reminder behind the entry is resolved and logged on its contact."""
    return _out(todo_complete(entry_id=entry_id, user=request.user, comment=payload.comment))


@router.post("/todo-entries/{entry_id}/priority", response={200: EntryOut, **ERRORS}, summary="Override priority")
def entry_priority(request, entry_id: str, payload: PriorityIn):  # type: ignore[no-untyped-def]
    entry = todo_priority_set(entry_id=entry_id, user=request.user, priority=payload.priority, comment=payload.comment)
    return _out(entry)


@router.get("/todo-summary", response={200: SummaryOut, **ERRORS}, summary="To Do summary (supervisors)")
def summary(request):  # type: ignore[no-untyped-def]
    """Entries not yet complete by role, priority band and age band."""
    s = todo_summary(user=request.user)
    return {
        "as_of": s.as_of,
        "age_bands": s.age_bands,
        "rows": [
            {
                "role": r.role,
                "priority_band": r.priority_band,
                "counts": dict(zip(s.age_bands, r.counts, strict=True)),
                "total": r.total,
            }
            for r in s.rows
        ],
        "total": s.total,
    }
