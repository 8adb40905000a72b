"""Control Central alert algorithm types over the billing records (spot CC-ALERT).

Each returns the queryset of records that raise its alert for the account (or premise) in context; the
engine counts every plugged-in alert in one statement, so none of these may run a query of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from pydantic import Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.billing.models import (
    Bill,
    CreditRatingHistory,
    Declaration,
    MatchEvent,
    OffCycleBillGenerator,
    PayPlan,
    RebateClaim,
    effective_on,
)
from custcare.controlcentral.alerts import AlertParams, AlertType
from custcare.controlcentral.context import CentralContext
from custcare.customers.models import Account


class RecentDaysParams(AlertParams):
    days: int = Field(0, ge=0, description="Only pay plans that entered the status in the last so many days; 0: all.")


class _PayPlanStatusAlert(AlertType):
    status: ClassVar[str]

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        qs = PayPlan.objects.filter(account_id=context.account_id, status=self.status)
        days = getattr(self.params, "days", 0)
        if days:
            qs = qs.filter(status_date__gte=timezone.localdate() - dt.timedelta(days=days))
        return qs


@register_algorithm_type("PP-Active", spot=Spot.CENTRAL_ALERT)
class ActivePayPlans(_PayPlanStatusAlert):
    """Count the account's active pay plans."""

    status = PayPlan.Status.ACTIVE
    default_message = "{count} active pay plans"


@register_algorithm_type("PP-Broken", spot=Spot.CENTRAL_ALERT)
class BrokenPayPlans(_PayPlanStatusAlert):
    """Count the account's broken pay plans, optionally only those broken in recent days."""

    Params = RecentDaysParams
    status = PayPlan.Status.BROKEN
    default_message = "{count} broken pay plans"


@register_algorithm_type("PP-Kept", spot=Spot.CENTRAL_ALERT)
class KeptPayPlans(_PayPlanStatusAlert):
    """Count the account's kept pay plans, optionally only those kept in recent days."""

    Params = RecentDaysParams
    status = PayPlan.Status.KEPT
    default_message = "{count} kept pay plans"


@register_algorithm_type("CI_WO_BILL", spot=Spot.CENTRAL_ALERT)
class WrittenOffBills(AlertType):
    """Count the account's bills with a write-off (canceled bills aside)."""

    default_message = "{count} bills with a write-off"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return Bill.objects.filter(account_id=context.account_id, written_off_amount__gt=0).exclude(
            status=Bill.Status.CANCELED
        )


@register_algorithm_type("CI_OMF_DF", spot=Spot.CENTRAL_ALERT)
class OpenMatchEvents(AlertType):
    """Count the account's open and disputed match events."""

    default_message = "{count} open or disputed match events"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return MatchEvent.objects.filter(
            account_id=context.account_id, status__in=[MatchEvent.Status.OPEN, MatchEvent.Status.DISPUTED]
        )


@register_algorithm_type("C1-CCAL-CLM", spot=Spot.CENTRAL_ALERT)
class OpenRebateClaims(AlertType):
    """Count the account's open rebate claims."""

    default_message = "{count} open rebate claims"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return RebateClaim.objects.filter(account_id=context.account_id, status=RebateClaim.Status.OPEN)


@register_algorithm_type("C1-CCAL-OCBG", spot=Spot.CENTRAL_ALERT)
class PendingOffCycleBillGenerators(AlertType):
    """Count the account's off-cycle bill generators not yet generated."""

    default_message = "{count} pending off-cycle bill generators"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return OffCycleBillGenerator.objects.filter(
            account_id=context.account_id, status=OffCycleBillGenerator.Status.PENDING
        )


@register_algorithm_type("CCAL-DECL", spot=Spot.CENTRAL_ALERT)
class EffectiveDeclarations(AlertType):
    """Count the declarations effective today for the account and for the premise in context."""

    default_message = "{count} effective declarations"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        scope = Q()
        if context.account_id:
            scope |= Q(account_id=context.account_id)
        if context.premise_id:
            scope |= Q(premise_id=context.premise_id)
        if not scope:
            return None
        return Declaration.objects.filter(scope, effective_on(timezone.localdate()))


def effective_rating_subquery(day: dt.date) -> Subquery:
    """The sum of the points of the account's credit rating history entries effective on the day."""
    entries = (
        CreditRatingHistory.objects.filter(effective_on(day), account_id=OuterRef("pk"))
        .order_by()
        .values("account_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Subquery(entries, output_field=IntegerField())


def accounts_with_effective_rating(day: dt.date) -> QuerySet[Account]:
    """Accounts annotated with `effective_rating`: the base rating plus the history effective on the day."""
    return Account.objects.annotate(
        effective_rating=F("credit_rating") + Coalesce(effective_rating_subquery(day), Value(0))
    )


@register_algorithm_type("C1_CRRT-DF", spot=Spot.CENTRAL_ALERT)
class LowCreditRating(AlertType):
    """Warn that the account's effective credit rating is below a threshold."""

    class Params(AlertParams):
        threshold: int = Field(500, description="Raise the alert when the effective credit rating is below this.")

    default_message = "Credit rating {value}"
    value_field = "effective_rating"
    reference_params = {"threshold": 500}

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, self.Params)
        if not context.account_id:
            return None
        return accounts_with_effective_rating(timezone.localdate()).filter(
            Q(effective_rating__lt=params.threshold), pk=context.account_id
        )
