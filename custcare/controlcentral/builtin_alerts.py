"""Central alert algorithm types over the records of the customers, contacts, To Do and cases apps.

The alerts over billing and collection records live with those records' apps (custcare.billing,
custcare.credit, custcare.workflow); they use the same base, `AlertType`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.cases.models import Case
from custcare.contacts.models import CustomerContact
from custcare.controlcentral.alerts import AlertParams, AlertType
from custcare.controlcentral.context import CentralContext
from custcare.customers.models import Account, Person, Premise, ServiceAgreement
from custcare.todo.models import ToDoEntry


@register_algorithm_type("CC-PPDENIAL", spot=Spot.CENTRAL_ALERT)
class PayPlanDenialContacts(AlertType):
    """Count the customer's pay plan denial contacts (a contact type), optionally within recent days."""

    class Params(AlertParams):
        contact_class: str = Field(..., description="The contact class of the pay plan denial contact type.")
        contact_type: str = Field(..., description="The contact type recorded when a pay plan is denied.")
        days: int = Field(0, ge=0, description="Only contacts of the last so many days; 0 for all.")

    default_message = "{count} pay plan denial contacts"
    reference_params = {"contact_class": "BILL", "contact_type": "PPDENY", "days": 365}

    @classmethod
    def check_references(cls, params: Any) -> dict[str, list[str]]:
        from custcare.contacts.models import ContactType

        if not ContactType.objects.filter(
            contact_class_id=params.contact_class, type_code=params.contact_type
        ).exists():
            return {"contact_type": [f"No contact type '{params.contact_class}/{params.contact_type}'."]}
        return {}

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, self.Params)
        if context.account_id:
            qs = CustomerContact.objects.filter(account_id=context.account_id)
        elif context.person_id:
            qs = CustomerContact.objects.filter(person_id=context.person_id)
        else:
            return None
        qs = qs.filter(contact_type__contact_class_id=params.contact_class, contact_type__type_code=params.contact_type)
        if params.days:
            qs = qs.filter(contact_datetime__gte=timezone.now() - dt.timedelta(days=params.days))
        return qs


@register_algorithm_type("CCAL-TD", spot=Spot.CENTRAL_ALERT)
class OutstandingToDoEntries(AlertType):
    """Count the To Do entries still open or being worked on for the account (or the person)."""

    class Params(AlertParams):
        todo_type: str = Field("", description="Only entries of this To Do type; empty for all.")

    default_message = "{count} outstanding To Do entries"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, self.Params)
        open_ = [ToDoEntry.Status.OPEN, ToDoEntry.Status.BEING_WORKED_ON]
        if context.account_id:
            qs = ToDoEntry.objects.filter(account_id=context.account_id, status__in=open_)
        elif context.person_id:
            qs = ToDoEntry.objects.filter(person_id=context.person_id, status__in=open_)
        else:
            return None
        return qs.filter(todo_type_id=params.todo_type) if params.todo_type else qs


@register_algorithm_type("CCAL-CASE", spot=Spot.CENTRAL_ALERT)
class OpenCases(AlertType):
    """Count the open cases (in a status flagged open on their case type) of the account, or of the premise."""

    class Params(AlertParams):
        scope: str = Field("account", pattern="^(account|premise)$", description="account or premise")

    default_message = "{count} open cases"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        params = self.params
        assert isinstance(params, self.Params)
        target = context.account_id if params.scope == "account" else context.premise_id
        if not target:
            return None
        return Case.objects.filter(**{f"{params.scope}_id": target, "status__is_open": True})


class _SAStatusAlert(AlertType):
    status: Any

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return ServiceAgreement.objects.filter(account_id=context.account_id, status=self.status)


@register_algorithm_type("CI_STOPSA-DF", spot=Spot.CENTRAL_ALERT)
class StoppedServiceAgreements(_SAStatusAlert):
    """Count the account's stopped service agreements (stopped, not yet closed)."""

    status = ServiceAgreement.Status.STOPPED
    default_message = "{count} stopped service agreements"


@register_algorithm_type("C1_PENDST-DF", spot=Spot.CENTRAL_ALERT)
class PendingStartServiceAgreements(_SAStatusAlert):
    """Count the account's service agreements waiting to start."""

    status = ServiceAgreement.Status.PENDING_START
    default_message = "{count} service agreements pending start"


@register_algorithm_type("C1_CASH-DF", spot=Spot.CENTRAL_ALERT)
class CashOnlyAccount(AlertType):
    """Warn that the account accepts cash payments only."""

    default_message = "Cash-only account"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.account_id:
            return None
        return Account.objects.filter(pk=context.account_id, cash_only=True)


@register_algorithm_type("C1_LSSL-DF", spot=Spot.CENTRAL_ALERT)
class PersonLifeSupport(AlertType):
    """Warn that the person in context depends on life support or a sensitive load."""

    default_message = "Life support / sensitive load: {value}"
    value_field = "life_support_description"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.person_id:
            return None
        return Person.objects.filter(pk=context.person_id, life_support=True)


@register_algorithm_type("C1_LSSLPR-DF", spot=Spot.CENTRAL_ALERT)
class PremiseLifeSupport(AlertType):
    """Warn that the premise in context has life support or sensitive load equipment."""

    default_message = "Premise life support / sensitive load: {value}"
    value_field = "life_support_description"

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        if not context.premise_id:
            return None
        return Premise.objects.filter(pk=context.premise_id, life_support=True)
