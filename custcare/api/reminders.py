"""Reminders on customer contacts (steps 1.5–1.6): log, list, change and cancel follow-ups that TD-CCCB
turns into To Do entries."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status

from custcare.api.errors import ERRORS
from custcare.contacts.selectors import contact_get, reminder_get, reminder_list_for_contact
from custcare.contacts.services import reminder_cancel, reminder_log, reminder_update

router = Router()


class ReminderIn(Schema):
    send_to_user: str | None = Field(None, description="Username of the user who gets the To Do.")
    send_to_role: str | None = Field(
        None, description="To Do role code; give a user or a role. Defaults to the contact type's reminder role."
    )
    trigger_date: dt.date | None = Field(
        None, description="When the To Do is created; defaults to today + the contact type's days until reminder."
    )
    comment: str


class ReminderChange(Schema):
    send_to_user: str | None = Field(None, description="Send it to this user instead (replaces the role).")
    send_to_role: str | None = Field(None, description="Send it to this To Do role instead (replaces the user).")
    trigger_date: dt.date | None = None
    comment: str | None = None


class CancelIn(Schema):
    comment: str = ""


def _todo(reminder: Any) -> Any:
    try:
        return reminder.todo_entry
    except Exception:  # RelatedObjectDoesNotExist: no To Do yet
        return None


class ReminderOut(Schema):
    id: int
    contact_id: str
    send_to_user: str | None
    send_to_role: str | None = Field(None, alias="send_to_role_id")
    trigger_date: dt.date
    comment: str
    state: str
    created_at: dt.datetime
    created_by: str | None
    log_entry_id: int
    todo_entry_id: str | None
    todo_status: str | None

    @staticmethod
    def resolve_send_to_user(obj: Any) -> str | None:
        return obj.send_to_user.get_username() if obj.send_to_user_id else None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.get_username() if obj.created_by_id else None

    @staticmethod
    def resolve_todo_entry_id(obj: Any) -> str | None:
        todo = _todo(obj)
        return todo.id if todo else None

    @staticmethod
    def resolve_todo_status(obj: Any) -> str | None:
        todo = _todo(obj)
        return todo.status if todo else None


@router.get(
    "/customer-contacts/{contact_id}/reminders",
    response={200: list[ReminderOut], **ERRORS},
    summary="Reminders of a contact",
)
def reminder_list(request, contact_id: str):  # type: ignore[no-untyped-def]
    """Every reminder of the contact with its state (PENDING, SENT, RESOLVED, CANCELED) and, once
    created, its To Do entry."""
    return reminder_list_for_contact(contact_id=contact_id, user=request.user)


@router.post(
    "/customer-contacts/{contact_id}/reminders",
    response={201: ReminderOut, **ERRORS},
    summary="Log a reminder on a contact",
)
def reminder_add(request, contact_id: str, payload: ReminderIn):  # type: ignore[no-untyped-def]
    contact = contact_get(contact_id=contact_id, user=request.user)
    reminder = reminder_log(contact=contact, user=request.user, **payload.dict())
    return Status(201, reminder_get(reminder_id=reminder.pk, user=request.user))


@router.patch("/reminders/{reminder_id}", response={200: ReminderOut, **ERRORS}, summary="Change a pending reminder")
def reminder_change(request, reminder_id: int, payload: ReminderChange):  # type: ignore[no-untyped-def]
    """Only a pending reminder can be changed; once its To Do exists the answer is 409."""
    reminder_update(reminder_id=reminder_id, user=request.user, **payload.dict(exclude_none=True))
    return reminder_get(reminder_id=reminder_id, user=request.user)


@router.post(
    "/reminders/{reminder_id}/cancel", response={200: ReminderOut, **ERRORS}, summary="Cancel a pending reminder"
)
def reminder_cancel_view(request, reminder_id: int, payload: CancelIn | None = None):  # type: ignore[no-untyped-def]
    reminder_cancel(reminder_id=reminder_id, user=request.user, comment=payload.comment if payload else "")
    return reminder_get(reminder_id=reminder_id, user=request.user)
