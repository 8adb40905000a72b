"""The umbrella-agreement-renewed and service-agreement-activated events, CI_UARENEW and SAAT-NB."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.agreements.models import UmbrellaAgreement, UmbrellaAgreementType, UmbrellaAgreementTypeAlgorithm
from custcare.agreements.sa_activation import SATypeAlgorithm
from custcare.algorithms.registry import Spot, algorithm_type_get, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson, Person, ServiceAgreement
from custcare.customers.services import service_agreement_transition
from custcare.events.registry import (
    ContactAlgorithm,
    ContactParams,
    EventContext,
    EventKind,
    Trigger,
    register_event_kind,
)


@register_algorithm_type("CI_UARENEW", spot=Spot.UA_RENEWAL)
class UmbrellaRenewalContact(ContactAlgorithm):
    """An umbrella agreement's renewal creates a contact, once per agreement and renewal number.

    Plugged into an umbrella agreement type. PERSON contacts the agreement's person (an agreement
    without one then has nobody to contact and waits in the error queue); MAIN and NOTIFY the persons
    of the agreement's account."""


@register_algorithm_type("SAAT-NB", spot=Spot.SA_ACTIVATION)
class NonBilledActivationContact(ContactAlgorithm):
    """Activating a non-billed service agreement (e.g. a budget plan) creates a contact for the account.

    Only for SA types that are not billable: it cannot be plugged into a billable SA type, and when an
    SA type it is plugged into later becomes billable, activations of that type skip it (no contact, no
    error). The event names no person, so recipients are the account's main customer or notified
    persons (PERSON is refused)."""

    non_billed_only: ClassVar[bool] = True

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        errors = super().check_references(params)
        assert isinstance(params, ContactParams)
        if params.recipients == "PERSON":
            errors["recipients"] = ["A service agreement activation names no person: choose MAIN or NOTIFY."]
        return errors


def non_billed_only(algorithm: Any) -> bool:
    """Whether the algorithm's type is meant for non-billed SA types only (an uninstalled type is not:
    running it then reports the misconfiguration)."""
    try:
        return bool(getattr(algorithm_type_get(algorithm.algorithm_type), "non_billed_only", False))
    except KeyError:
        return False


class UmbrellaAgreementRenewedPayload(BaseModel):
    """An umbrella agreement was renewed in the sending system."""

    model_config = ConfigDict(extra="forbid")
    agreement_id: str = Field(min_length=1, max_length=30, description="The sending system's id of the agreement.")
    ua_type: str = Field(
        min_length=1, max_length=20, description="Code of an Umbrella Agreement Type configured in CustCare."
    )
    account_id: str = Field(min_length=1, max_length=10, description="CustCare account that holds the agreement.")
    person_id: str | None = Field(
        None, max_length=10, description="CustCare person who signed the agreement; must be a person of the account."
    )
    start_date: dt.date = Field(description="The agreement's original start date.")
    end_date: dt.date | None = Field(None, description="The end date after this renewal; empty: open-ended.")
    renewal_number: int = Field(
        ge=1,
        description="The sender's number of this renewal (1 for the first). It identifies the renewal: the same "
        "number sent again does not create a second contact.",
    )
    renewed_on: dt.date | None = Field(None, description="The date of the renewal; empty: today.")


@register_event_kind("umbrella-agreement-renewed", description="An umbrella agreement was renewed")
class UmbrellaAgreementRenewedKind(EventKind):
    Payload = UmbrellaAgreementRenewedPayload
    partition_field = "agreement_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, UmbrellaAgreementRenewedPayload)
        ua_type = UmbrellaAgreementType.objects.filter(pk=payload.ua_type).first()
        if ua_type is None:
            raise ValidationFailed(f"Unknown umbrella agreement type '{payload.ua_type}'.")
        if not Account.objects.filter(pk=payload.account_id).exists():
            raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
        if payload.person_id:
            if not Person.objects.filter(pk=payload.person_id).exists():
                raise ValidationFailed(f"Person {payload.person_id} is not known to CustCare.")
            if not AccountPerson.objects.filter(account_id=payload.account_id, person_id=payload.person_id).exists():
                raise ValidationFailed(f"Person {payload.person_id} is not a person of account {payload.account_id}.")
        if payload.end_date and payload.end_date < payload.start_date:
            raise ValidationFailed(f"Agreement {payload.agreement_id} would end before it starts.")
        renewed_on = payload.renewed_on or timezone.localdate()
        agreement = UmbrellaAgreement.objects.select_for_update().filter(pk=payload.agreement_id).first()
        if agreement is None:
            agreement = UmbrellaAgreement.objects.create(
                id=payload.agreement_id,
                ua_type=ua_type,
                account_id=payload.account_id,
                person_id=payload.person_id,
                start_date=payload.start_date,
                end_date=payload.end_date,
                renewal_count=payload.renewal_number,
                last_renewed_on=renewed_on,
            )
        else:
            if (agreement.ua_type_id, agreement.account_id) != (ua_type.code, payload.account_id):
                raise ValidationFailed(
                    f"Agreement {agreement.id} is a {agreement.ua_type_id} agreement of account "
                    f"{agreement.account_id}; the event says {ua_type.code} of account {payload.account_id}."
                )
            if payload.renewal_number > agreement.renewal_count:  # a late, older renewal changes nothing
                agreement.renewal_count = payload.renewal_number
                agreement.end_date = payload.end_date
                agreement.last_renewed_on = renewed_on
                agreement.person_id = payload.person_id or agreement.person_id
                agreement.save()
        context = EventContext(
            source_reference=f"umbrella-agreement:{agreement.id}:renewal-{payload.renewal_number}",
            account_id=agreement.account_id,
            person_id=payload.person_id or agreement.person_id,
            fields={
                "agreement": agreement.id,
                "ua_type": ua_type.code,
                "ua_type_description": ua_type.description,
                "renewal_number": payload.renewal_number,
                "start_date": payload.start_date.isoformat(),
                "end_date": payload.end_date.isoformat() if payload.end_date else "open-ended",
                "renewed_on": renewed_on.isoformat(),
            },
        )
        plugs = UmbrellaAgreementTypeAlgorithm.objects.filter(ua_type=ua_type).select_related("algorithm")
        return f"umbrella-agreement:{agreement.id}", [Trigger(algorithm=p.algorithm, context=context) for p in plugs]


class ServiceAgreementActivatedPayload(BaseModel):
    """A service agreement was activated (e.g. a budget plan started)."""

    model_config = ConfigDict(extra="forbid")
    sa_id: str = Field(
        min_length=1,
        max_length=10,
        description="CustCare service agreement id. A pending-start agreement becomes active; one already active "
        "is left as it is (a repeated event).",
    )
    activated_on: dt.date | None = Field(None, description="The activation date, for the message; empty: today.")


@register_event_kind("service-agreement-activated", description="A service agreement was activated")
class ServiceAgreementActivatedKind(EventKind):
    Payload = ServiceAgreementActivatedPayload
    partition_field = "sa_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        """`user` is the events system user: the activation is recorded and audited under it."""
        assert isinstance(payload, ServiceAgreementActivatedPayload)
        sa = ServiceAgreement.objects.select_for_update().filter(pk=payload.sa_id).first()
        if sa is None:
            raise ValidationFailed(f"Service agreement {payload.sa_id} is not known to CustCare.")
        if sa.status == ServiceAgreement.Status.PENDING_START:
            sa = service_agreement_transition(
                sa=sa, to_status=ServiceAgreement.Status.ACTIVE, user=user, raise_event=False
            )
        elif sa.status != ServiceAgreement.Status.ACTIVE:
            raise ValidationFailed(
                f"Service agreement {sa.id} is {sa.get_status_display().lower()}; only a pending-start agreement "
                "can be activated."
            )
        sa_type = sa.sa_type
        activated_on = payload.activated_on or timezone.localdate()
        context = EventContext(
            source_reference=f"service-agreement:{sa.id}:activation",
            account_id=sa.account_id,
            premise_id=sa.premise_id,
            fields={
                "sa": sa.id,
                "sa_type": sa_type.code,
                "sa_type_description": sa_type.description,
                "premise": sa.premise_id or "",
                "activated_on": activated_on.isoformat(),
            },
        )
        triggers = []
        for plug in SATypeAlgorithm.objects.filter(sa_type=sa_type).select_related("algorithm"):
            if sa_type.billable and non_billed_only(plug.algorithm):
                continue
            triggers.append(Trigger(algorithm=plug.algorithm, context=context))
        return f"service-agreement:{sa.id}", triggers
