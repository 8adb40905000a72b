"""Central alert algorithm types over the credit records: the account's active overdue, collection
and severance processes and collection agency referrals."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import QuerySet

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.controlcentral.alerts import AlertType
from custcare.controlcentral.context import CentralContext
from custcare.credit.models import (
    CollectionAgencyReferral,
    CollectionProcess,
    OverdueProcess,
    ProcessStatus,
    SeveranceProcess,
)


class _ActiveOfAccount(AlertType):
    """Counts the account's records of `model` in the active status; no account in context, no alert."""

    model: ClassVar[type[models.Model]]

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return self.model._default_manager.filter(account_id=context.account_id, status=ProcessStatus.ACTIVE)


@register_algorithm_type("CI_OD-PROC", spot=Spot.CENTRAL_ALERT)
class ActiveOverdueProcesses(_ActiveOfAccount):
    """Count the account's active overdue processes."""

    model = OverdueProcess
    default_message = "{count} active overdue processes"


@register_algorithm_type("C1-COLL-DF", spot=Spot.CENTRAL_ALERT)
class ActiveCollectionProcesses(_ActiveOfAccount):
    """Count the account's active collection processes."""

    model = CollectionProcess
    default_message = "{count} active collection processes"


@register_algorithm_type("C1_COLLRF-DF", spot=Spot.CENTRAL_ALERT)
class ActiveCollectionAgencyReferrals(_ActiveOfAccount):
    """Count the account's active referrals to collection agencies."""

    model = CollectionAgencyReferral
    default_message = "{count} active collection agency referrals"


@register_algorithm_type("C1_SEVPR-DF", spot=Spot.CENTRAL_ALERT)
class ActiveSeveranceProcesses(_ActiveOfAccount):
    """Count the account's active severance processes."""

    model = SeveranceProcess
    default_message = "{count} active severance processes"
