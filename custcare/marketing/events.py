"""Campaign order events and the algorithms that record a contact when an order is completed.

An order completes once; its completion runs the algorithms plugged into the order's campaign
(`CAOC-CCORDER`), then those plugged into the customer class of the order's account (`CREATE CC`),
each in sequence order. Both create their contacts for the person who placed the order by default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson, Person, Premise
from custcare.events.registry import (
    ContactAlgorithm,
    ContactParams,
    EventContext,
    EventKind,
    Trigger,
    register_event_kind,
)
from custcare.marketing.models import Campaign, CampaignAlgorithm, CampaignOrder, CustomerClassAlgorithm

RECIPIENTS_HELP = (
    "PERSON (default): the person who placed the order; MAIN: the account's main customer; NOTIFY: every "
    "person on the account who receives notifications."
)


class OrderContactParams(ContactParams):
    recipients: Literal["PERSON", "MAIN", "NOTIFY"] = Field("PERSON", description=RECIPIENTS_HELP)


@register_algorithm_type("CAOC-CCORDER", spot=Spot.CAMPAIGN_ORDER)
class CampaignOrderContact(ContactAlgorithm):
    """Creates a contact for the person and account of a completed campaign order."""

    Params: ClassVar[type[BaseModel]] = OrderContactParams


@register_algorithm_type("CREATE CC", spot=Spot.CUSTCLASS_ORDER)
class CustomerClassOrderContact(ContactAlgorithm):
    """Creates a contact when an order of an account in this customer class is completed."""

    Params: ClassVar[type[BaseModel]] = OrderContactParams


class CampaignOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str = Field(min_length=1, max_length=30, description="The order's id in the sending system.")
    campaign: str = Field(min_length=1, max_length=20, description="Code of the campaign the order was taken in.")
    person_id: str = Field(min_length=1, description="CustCare id of the person who placed the order.")
    account_id: str = Field(min_length=1, description="CustCare id of the account the order is for.")
    premise_id: str | None = Field(None, description="CustCare id of the premise the order concerns, if any.")
    order_date: dt.date = Field(description="The day the order was taken.")
    package: str = Field("", max_length=120, description="The package or product ordered.")


class CampaignOrderCompletedIn(CampaignOrderIn):
    completion_date: dt.date | None = Field(None, description="The day the order was completed; today if omitted.")


def _order_record(payload: CampaignOrderIn, *, status: str, completion_date: dt.date | None) -> CampaignOrder:
    """Check what the event names and update CustCare's copy of the order."""
    if not Campaign.objects.filter(pk=payload.campaign).exists():
        raise ValidationFailed(f"Unknown campaign '{payload.campaign}'.")
    if not Person.objects.filter(pk=payload.person_id).exists():
        raise ValidationFailed(f"Person {payload.person_id} is not known to CustCare.")
    if not Account.objects.filter(pk=payload.account_id).exists():
        raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
    if not AccountPerson.objects.filter(account_id=payload.account_id, person_id=payload.person_id).exists():
        raise ValidationFailed(f"Person {payload.person_id} is not on account {payload.account_id}.")
    if payload.premise_id and not Premise.objects.filter(pk=payload.premise_id).exists():
        raise ValidationFailed(f"Premise {payload.premise_id} is not known to CustCare.")
    order = CampaignOrder.objects.filter(pk=payload.order_id).first()
    if order is not None and order.campaign_id != payload.campaign:
        raise ValidationFailed(
            f"Order {payload.order_id} belongs to campaign {order.campaign_id}, not {payload.campaign}."
        )
    if order is not None and order.status == CampaignOrder.Status.COMPLETED and status == CampaignOrder.Status.PENDING:
        status, completion_date = order.status, order.completion_date  # a late "created" never reopens an order
    values = {
        "campaign_id": payload.campaign,
        "person_id": payload.person_id,
        "account_id": payload.account_id,
        "premise_id": payload.premise_id,
        "order_date": payload.order_date,
        "package": payload.package,
        "status": status,
        "completion_date": completion_date,
    }
    order, _ = CampaignOrder.objects.update_or_create(id=payload.order_id, defaults=values)
    return order


@register_event_kind("campaign-order-created", description="A customer placed an order in a campaign")
class CampaignOrderCreatedKind(EventKind):
    """Records the order as pending; no contact is created until the order is completed."""

    Payload = CampaignOrderIn
    partition_field = "order_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, CampaignOrderIn)
        order = _order_record(payload, status=CampaignOrder.Status.PENDING, completion_date=None)
        return f"campaign-order:{order.id}", []


@register_event_kind("campaign-order-completed", description="A campaign order was completed")
class CampaignOrderCompletedKind(EventKind):
    """Records the completion and runs the campaign's, then the customer class's, order algorithms."""

    Payload = CampaignOrderCompletedIn
    partition_field = "order_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, CampaignOrderCompletedIn)
        order = _order_record(
            payload,
            status=CampaignOrder.Status.COMPLETED,
            completion_date=payload.completion_date or timezone.localdate(),
        )
        account = Account.objects.select_related("customer_class").get(pk=order.account_id)
        campaign = Campaign.objects.get(pk=order.campaign_id)
        algorithms = [
            p.algorithm for p in CampaignAlgorithm.objects.filter(campaign=campaign).select_related("algorithm")
        ] + [
            p.algorithm
            for p in CustomerClassAlgorithm.objects.filter(
                customer_class_id=account.customer_class_id, spot=Spot.CUSTCLASS_ORDER.value
            ).select_related("algorithm")
        ]
        source = f"campaign-order:{order.id}"
        fields = {
            "order": order.id,
            "campaign": campaign.code,
            "campaign_description": campaign.description,
            "package": order.package,
            "order_date": order.order_date.isoformat(),
            "completion_date": order.completion_date.isoformat() if order.completion_date else "",
            "customer_class": account.customer_class_id,
        }
        triggers = [
            Trigger(
                algorithm=algorithm,
                context=EventContext(
                    source_reference=source,
                    account_id=order.account_id,
                    person_id=order.person_id,
                    premise_id=order.premise_id,
                    fields=fields,
                ),
            )
            for algorithm in algorithms
        ]
        return source, triggers
