"""The field activity outgoing message record kind (API /api/v1/records/field-activity-message and
`custcare records import field-activity-message`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from custcare.core.records import RecordKind, RecordPayload, register_record_kind
from custcare.fieldwork.models import FieldActivityOutgoingMessage


class FieldActivityMessageIn(RecordPayload):
    id: str = Field(..., min_length=1, max_length=30, description="The interface's message id.")
    field_activity_id: str = Field(..., min_length=1, description="The field activity the message is about.")
    message_type: str = Field(..., min_length=1, max_length=30, description="e.g. DISPATCH, UPDATE, CANCEL.")
    status: Literal["pending", "sent", "error", "complete"] = "pending"
    created_at: dt.datetime
    message: str = ""


register_record_kind(
    RecordKind(
        code="field-activity-message",
        model=FieldActivityOutgoingMessage,
        payload=FieldActivityMessageIn,
        description="An outgoing message about a field activity, with its delivery status",
        account_path="field_activity__account",
    )
)
