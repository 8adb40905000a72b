"""Central alert algorithm types over workflow processes and sync requests.

`CCAL WFACCTX` / `CCAL WFPREMX`: active workflow processes of the account / premise in context.
`CCAL WFACCTR` / `CCAL WFPREMR`: active workflow processes that name the account / premise in a
characteristic of the configured type (e.g. a dispute process opened on another account that refers
to this one through "ACCT-ID"). `F1-SYNRQALRT`: sync requests still pending or in error for the
account, person or premise in context.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from pydantic import BaseModel, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.controlcentral.alerts import AlertParams, AlertType
from custcare.controlcentral.context import CentralContext
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessType


def _check_process_type(code: str) -> dict[str, list[str]]:
    if code and not WorkflowProcessType.objects.filter(pk=code).exists():
        return {"process_type": [f"No workflow process type '{code}'."]}
    return {}


class ProcessTypeParams(AlertParams):
    process_type: str = Field("", max_length=20, description="Only processes of this type; empty for all.")


class _ActiveProcesses(AlertType):
    """Active processes whose `scope` (account or premise) is the one in context."""

    Params = ProcessTypeParams
    scope: ClassVar[str]

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        assert isinstance(params, ProcessTypeParams)
        return _check_process_type(params.process_type)

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, ProcessTypeParams)
        target = getattr(context, f"{self.scope}_id")
        if not target:
            return None
        qs = WorkflowProcess.objects.filter(**{f"{self.scope}_id": target}, status=WorkflowProcess.Status.ACTIVE)
        return qs.filter(process_type_id=params.process_type) if params.process_type else qs


@register_algorithm_type("CCAL WFACCTX", spot=Spot.CENTRAL_ALERT)
class AccountWorkflowProcesses(_ActiveProcesses):
    """Count the active workflow processes of the account in context."""

    scope = "account"
    default_message = "{count} active workflow processes for this account"


@register_algorithm_type("CCAL WFPREMX", spot=Spot.CENTRAL_ALERT)
class PremiseWorkflowProcesses(_ActiveProcesses):
    """Count the active workflow processes of the premise in context."""

    scope = "premise"
    default_message = "{count} active workflow processes for this premise"


class CharacteristicParams(AlertParams):
    char_type: str = Field(
        ..., min_length=1, max_length=20, description="The characteristic type whose value is the id, e.g. ACCT-ID."
    )


class _ReferringProcesses(AlertType):
    """Active processes with a characteristic of the configured type whose value is the `scope`'s id
    in context. A process has at most one characteristic per type, so the join counts processes."""

    Params = CharacteristicParams
    scope: ClassVar[str]

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, CharacteristicParams)
        target = getattr(context, f"{self.scope}_id")
        if not target:
            return None
        return WorkflowProcess.objects.filter(
            status=WorkflowProcess.Status.ACTIVE,
            characteristics__char_type=params.char_type,
            characteristics__value=target,
        )


@register_algorithm_type("CCAL WFACCTR", spot=Spot.CENTRAL_ALERT)
class AccountReferringWorkflowProcesses(_ReferringProcesses):
    """Count the active workflow processes that refer to the account in context through a characteristic."""

    scope = "account"
    default_message = "{count} active workflow processes refer to this account"
    reference_params = {"char_type": "ACCT-ID"}


@register_algorithm_type("CCAL WFPREMR", spot=Spot.CENTRAL_ALERT)
class PremiseReferringWorkflowProcesses(_ReferringProcesses):
    """Count the active workflow processes that refer to the premise in context through a characteristic."""

    scope = "premise"
    default_message = "{count} active workflow processes refer to this premise"
    reference_params = {"char_type": "PREM-ID"}


@register_algorithm_type("F1-SYNRQALRT", spot=Spot.CENTRAL_ALERT)
class OutstandingSyncRequests(AlertType):
    """Count the sync requests still pending or in error for the account, person or premise in context."""

    default_message = "{count} outstanding sync requests"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        objects = Q()
        for kind, object_id in (
            (SyncRequest.ObjectKind.ACCOUNT, context.account_id),
            (SyncRequest.ObjectKind.PERSON, context.person_id),
            (SyncRequest.ObjectKind.PREMISE, context.premise_id),
        ):
            if object_id:
                objects |= Q(object_kind=kind, object_id=object_id)
        if not objects:
            return None
        return SyncRequest.objects.filter(objects, status__in=SyncRequest.OUTSTANDING)
