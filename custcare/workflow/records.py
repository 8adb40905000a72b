"""The workflow record kinds CustCare takes in (API /api/v1/records/<kind> and `custcare records import`).

Sync requests have no account of their own: an account request's account is the object itself, which
intake sets, and a person or premise request may name the account it concerns. Reading them through
the generic record API goes by that account (access groups), and without one by the person or premise
it names (as those records are shown); Administrators and Integrators also read every sync request of
an object through `custcare.workflow.selectors.sync_requests_of_object`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Self

from django.db.models import Q, QuerySet
from pydantic import Field, model_validator

from custcare.core.records import RecordKind, RecordPayload, register_record_kind
from custcare.customers.models import Person, Premise, user_access_group_ids
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic


class WorkflowProcessIn(RecordPayload):
    id: str = Field(..., min_length=1, max_length=30, description="The sending system's id.")
    account_id: str | None = Field(None, description="The account of the process (or a premise, or both).")
    premise_id: str | None = Field(None, description="The premise of the process.")
    process_type_id: str = Field(..., min_length=1, description="A workflow process type code.")
    status: Literal["active", "completed", "canceled"] = "active"
    created_on: dt.date


class WorkflowProcessCharacteristicIn(RecordPayload):
    id: str = Field(..., min_length=1, max_length=30, description="The sending system's id.")
    process_id: str = Field(..., min_length=1, description="The workflow process.")
    char_type: str = Field(..., min_length=1, max_length=20, description="The characteristic type, e.g. ACCT-ID.")
    value: str = Field(..., min_length=1, max_length=254)


class SyncRequestIn(RecordPayload):
    id: str = Field(..., min_length=1, max_length=30, description="The sending system's id.")
    object_kind: Literal["account", "person", "premise"]
    object_id: str = Field(..., min_length=1, max_length=30, description="The account, person or premise id.")
    account_id: str | None = Field(
        None, description="The account concerned; for an account request, the object itself (may be left out)."
    )
    status: Literal["pending", "sent", "error", "complete"] = "pending"
    created_at: dt.datetime
    message: str = ""

    @model_validator(mode="after")
    def _account_of_account_request(self) -> Self:
        if self.object_kind == "account":
            if self.account_id not in (None, "", self.object_id):
                raise ValueError("An account sync request concerns that account: leave account_id out.")
            self.account_id = self.object_id
        return self


def _processes_visible(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """A process for an account follows the account's access group; one for a premise alone follows the
    premise (served for a visible account, or not served at all)."""
    return qs.filter(
        Q(account__access_group_id__in=user_access_group_ids(user))
        | Q(account__isnull=True, premise__in=Premise.objects.visible_to(user))
    )


def _sync_requests_visible(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """A request naming an account follows it; one for a person or premise alone follows that record."""
    kinds = SyncRequest.ObjectKind
    return qs.filter(
        Q(account__access_group_id__in=user_access_group_ids(user))
        | Q(
            account__isnull=True,
            object_kind=kinds.PERSON,
            object_id__in=Person.objects.visible_to(user).values("pk"),
        )
        | Q(
            account__isnull=True,
            object_kind=kinds.PREMISE,
            object_id__in=Premise.objects.visible_to(user).values("pk"),
        )
    )


register_record_kind(
    RecordKind(
        code="workflow-process",
        model=WorkflowProcess,
        payload=WorkflowProcessIn,
        description="A workflow process for an account and/or a premise",
        visible=_processes_visible,
    )
)
register_record_kind(
    RecordKind(
        code="workflow-process-characteristic",
        model=WorkflowProcessCharacteristic,
        payload=WorkflowProcessCharacteristicIn,
        description="A characteristic (type and value) of a workflow process",
        account_path="process__account",
    )
)
register_record_kind(
    RecordKind(
        code="sync-request",
        model=SyncRequest,
        payload=SyncRequestIn,
        description="A request to send an account, person or premise to another system",
        visible=_sync_requests_visible,
    )
)
