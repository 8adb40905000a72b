"""Service credit membership events and the algorithms that record contacts for them.

`membership-created` runs the algorithms plugged into the membership type at the creation spot
(`SCMC-SENDLTR`: a contact that sends the welcome letter); `membership-activated` runs those at the
activation spot (`SCMA-CC`). Both contact the member by default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson, Person
from custcare.events.registry import (
    ContactAlgorithm,
    ContactParams,
    EventContext,
    EventKind,
    Trigger,
    register_event_kind,
)
from custcare.programs.models import Membership, ServiceCreditMembershipType, ServiceCreditMembershipTypeAlgorithm

RECIPIENTS_HELP = (
    "PERSON (default): the member; MAIN: the account's main customer; NOTIFY: every person on the account "
    "who receives notifications."
)


class MembershipContactParams(ContactParams):
    recipients: Literal["PERSON", "MAIN", "NOTIFY"] = Field("PERSON", description=RECIPIENTS_HELP)


class MembershipLetterParams(MembershipContactParams):
    method: Literal["PHONE", "POSTAL", "EMAIL", "FAX", "SMS", "NA"] = "POSTAL"
    letter_template: str = Field(
        min_length=1, max_length=30, description="Letter template the contact sends (required)."
    )


@register_algorithm_type("SCMA-CC", spot=Spot.SCM_ACTIVATION)
class MembershipActivatedContact(ContactAlgorithm):
    """Creates a contact when a service credit membership is activated."""

    Params: ClassVar[type[BaseModel]] = MembershipContactParams


@register_algorithm_type("SCMC-SENDLTR", spot=Spot.SCM_CREATION)
class MembershipCreatedLetter(ContactAlgorithm):
    """Creates a Send Letter contact when a service credit membership is created."""

    Params: ClassVar[type[BaseModel]] = MembershipLetterParams

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        """Letters go to persons: a contact type that cannot name a person could never be printed."""
        from custcare.contacts.models import ContactType, Usage

        errors = super().check_references(params)
        assert isinstance(params, MembershipLetterParams)
        ctype = ContactType.objects.filter(contact_class_id=params.contact_class, type_code=params.contact_type).first()
        if ctype is not None and ctype.person_usage == Usage.NOT_ALLOWED:
            errors.setdefault("contact_type", []).append(
                f"Contact type {params.contact_class}/{params.contact_type} is not person-based; letters go to persons."
            )
        return errors


class MembershipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    membership_id: str = Field(min_length=1, max_length=30, description="The membership's id in the programme system.")
    membership_type: str = Field(min_length=1, max_length=20, description="Code of the service credit membership type.")
    account_id: str = Field(min_length=1, description="CustCare id of the account the membership credits.")
    person_id: str = Field(min_length=1, description="CustCare id of the member (a person on the account).")


class MembershipCreatedIn(MembershipIn):
    created_date: dt.date | None = Field(None, description="The day the membership was created; today if omitted.")


class MembershipActivatedIn(MembershipIn):
    activation_date: dt.date | None = Field(None, description="The day the membership became active; today if omitted.")


def _check(payload: MembershipIn) -> Membership | None:
    """Refuse an event naming records CustCare does not know; return the membership already recorded."""
    if not ServiceCreditMembershipType.objects.filter(pk=payload.membership_type).exists():
        raise ValidationFailed(f"Unknown service credit membership type '{payload.membership_type}'.")
    if not Person.objects.filter(pk=payload.person_id).exists():
        raise ValidationFailed(f"Person {payload.person_id} is not known to CustCare.")
    if not Account.objects.filter(pk=payload.account_id).exists():
        raise ValidationFailed(f"Account {payload.account_id} is not known to CustCare.")
    if not AccountPerson.objects.filter(account_id=payload.account_id, person_id=payload.person_id).exists():
        raise ValidationFailed(f"Person {payload.person_id} is not on account {payload.account_id}.")
    membership = Membership.objects.filter(pk=payload.membership_id).first()
    if membership is not None and membership.membership_type_id != payload.membership_type:
        raise ValidationFailed(
            f"Membership {membership.id} is of type {membership.membership_type_id}, not {payload.membership_type}."
        )
    return membership


def _triggers(membership: Membership, spot: Spot) -> tuple[str, list[Trigger]]:
    source = f"membership:{membership.id}"
    mtype = ServiceCreditMembershipType.objects.get(pk=membership.membership_type_id)
    fields = {
        "membership": membership.id,
        "membership_type": mtype.code,
        "membership_type_description": mtype.description,
        "created_date": membership.created_date.isoformat(),
        "activation_date": membership.activation_date.isoformat() if membership.activation_date else "",
    }
    plugs = ServiceCreditMembershipTypeAlgorithm.objects.filter(membership_type=mtype, spot=spot.value)
    triggers = [
        Trigger(
            algorithm=plug.algorithm,
            context=EventContext(
                source_reference=source,
                account_id=membership.account_id,
                person_id=membership.person_id,
                fields=fields,
            ),
        )
        for plug in plugs.select_related("algorithm")
    ]
    return source, triggers


@register_event_kind("membership-created", description="A service credit membership was created")
class MembershipCreatedKind(EventKind):
    """Records the membership and runs the type's creation algorithms."""

    Payload = MembershipCreatedIn
    partition_field = "membership_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, MembershipCreatedIn)
        membership = _check(payload)
        created_date = payload.created_date or timezone.localdate()
        if membership is None:
            membership = Membership.objects.create(
                id=payload.membership_id,
                membership_type_id=payload.membership_type,
                account_id=payload.account_id,
                person_id=payload.person_id,
                status=Membership.Status.CREATED,
                created_date=created_date,
            )
        else:  # known already (an activation arrived first, or a repeat): keep its status
            membership.account_id, membership.person_id = payload.account_id, payload.person_id
            membership.created_date = created_date
            membership.save(update_fields=["account", "person", "created_date"])
        return _triggers(membership, Spot.SCM_CREATION)


@register_event_kind("membership-activated", description="A service credit membership became active")
class MembershipActivatedKind(EventKind):
    """Marks the membership active (recording it if its creation was never received) and runs the type's
    activation algorithms."""

    Payload = MembershipActivatedIn
    partition_field = "membership_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, MembershipActivatedIn)
        membership = _check(payload)
        activation_date = payload.activation_date or timezone.localdate()
        if membership is not None and membership.status == Membership.Status.ENDED:
            raise ValidationFailed(f"Membership {membership.id} has ended; it cannot be activated.")
        membership, _ = Membership.objects.update_or_create(
            id=payload.membership_id,
            defaults={
                "membership_type_id": payload.membership_type,
                "account_id": payload.account_id,
                "person_id": payload.person_id,
                "status": Membership.Status.ACTIVE,
                "activation_date": activation_date,
            },
            create_defaults={
                "membership_type_id": payload.membership_type,
                "account_id": payload.account_id,
                "person_id": payload.person_id,
                "status": Membership.Status.ACTIVE,
                "activation_date": activation_date,
                "created_date": activation_date,
            },
        )
        return _triggers(membership, Spot.SCM_ACTIVATION)
