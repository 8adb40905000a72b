"""Central alert algorithm type over field activities: CCAL-FAERMSG, the activities with an outgoing
message still pending or in error."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.controlcentral.alerts import AlertType
from custcare.controlcentral.context import CentralContext
from custcare.fieldwork.models import FieldActivity, FieldActivityOutgoingMessage


@register_algorithm_type("CCAL-FAERMSG", spot=Spot.CENTRAL_ALERT)
class FieldActivitiesWithOutstandingMessages(AlertType):
    """Count the field activities of the account (or of the premise when no account is in context) that
    have an outgoing message pending or in error; an activity with several such messages counts once."""

    default_message = "{count} field activities with outstanding outgoing messages"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if context.account_id:
            activities = FieldActivity.objects.filter(account_id=context.account_id)
        elif context.premise_id:
            activities = FieldActivity.objects.filter(premise_id=context.premise_id)
        else:
            return None
        outstanding = FieldActivityOutgoingMessage.objects.filter(
            field_activity=OuterRef("pk"), status__in=FieldActivityOutgoingMessage.OUTSTANDING
        )
        return activities.filter(Exists(outstanding))
