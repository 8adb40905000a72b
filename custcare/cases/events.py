"""The case-opened and case-status-changed events, and CASE-CC."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import Spot, register_algorithm_type
from custcare.cases.models import Case, CaseTransition, CaseType, CaseTypeStatus, CaseTypeStatusAlgorithm
from custcare.core.errors import ValidationFailed
from custcare.customers.models import Account, AccountPerson, Person, Premise, ServiceAgreement
from custcare.events.registry import ContactAlgorithm, EventContext, EventKind, Trigger, register_event_kind


@register_algorithm_type("CASE-CC", spot=Spot.CASE_TRANSITION)
class CaseTransitionContact(ContactAlgorithm):
    """Case Type transitions create contacts where configured: a case entering the status the algorithm
    is plugged into creates a contact for the case's person (PERSON; a case without a person then has
    nobody to contact and waits in the error queue), or the account's main customer or notified persons.
    One contact per case, status and person: a case that re-enters a status is not contacted twice."""


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _status(case_type: CaseType, code: str) -> CaseTypeStatus:
    statuses = {s.status: s for s in CaseTypeStatus.objects.filter(case_type=case_type)}
    if code not in statuses:
        raise ValidationFailed(
            f"{code} is not a status of case type {case_type.code}; its statuses are: "
            f"{', '.join(sorted(statuses)) or 'none'}."
        )
    return statuses[code]


def _enter(case: Case, status: CaseTypeStatus, *, at: dt.datetime, comment: str) -> None:
    """Move the case into the status and log it; a case already in it (a repeated event) is left alone."""
    if case.status_id == status.pk:
        return
    CaseTransition.objects.create(case=case, from_status_id=case.status_id, to_status=status, at=at, comment=comment)
    case.status = status
    case.closed_on = None if status.is_open else timezone.localdate(at)
    case.save(update_fields=["status", "closed_on", "updated_at"])


def _triggers(case: Case, status: CaseTypeStatus, *, comment: str) -> list[Trigger]:
    plugs = CaseTypeStatusAlgorithm.objects.filter(case_type_id=case.case_type_id, status=status).select_related(
        "algorithm"
    )
    context = EventContext(
        source_reference=f"case:{case.id}:{status.status}",
        account_id=case.account_id,
        person_id=case.person_id,
        premise_id=case.premise_id,
        fields={
            "case": case.id,
            "case_type": case.case_type_id,
            "case_type_description": case.case_type.description,
            "status": status.status,
            "status_description": status.description,
            "description": case.description,
            "comment": comment,
            "opened_on": case.opened_on.isoformat(),
        },
    )
    return [Trigger(algorithm=plug.algorithm, context=context) for plug in plugs]


class CaseOpenedPayload(BaseModel):
    """A case was opened in the sending system."""

    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=30, description="The sending system's id of the case.")
    case_type: str = Field(min_length=1, max_length=20, description="Code of a Case Type configured in CustCare.")
    status: str | None = Field(
        None, max_length=20, description="The status the case opens in; empty: the case type's initial status."
    )
    account_id: str = Field(min_length=1, max_length=10, description="CustCare account the case is about.")
    person_id: str | None = Field(
        None, max_length=10, description="CustCare person the case is about; must be a person of the account."
    )
    premise_id: str | None = Field(
        None,
        max_length=10,
        description="CustCare premise the case is about; must be the account's mailing premise or served by one "
        "of its service agreements.",
    )
    opened_on: dt.date | None = Field(None, description="The date the case was opened; empty: today.")
    description: str = Field("", max_length=250, description="What the case is about.")
    comment: str = Field("", max_length=2000, description="Logged with the opening; messages may use {comment}.")


class CaseStatusChangedPayload(BaseModel):
    """A case entered another status in the sending system."""

    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=30, description="The sending system's id of a case already opened.")
    status: str = Field(min_length=1, max_length=20, description="The status entered; a status of the case's type.")
    changed_at: dt.datetime | None = Field(None, description="When the case entered the status (ISO 8601); empty: now.")
    comment: str = Field("", max_length=2000, description="Logged with the change; messages may use {comment}.")


@register_event_kind("case-opened", description="A case was opened")
class CaseOpenedKind(EventKind):
    Payload = CaseOpenedPayload
    partition_field = "case_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, CaseOpenedPayload)
        case_type = CaseType.objects.filter(pk=payload.case_type).first()
        if case_type is None:
            raise ValidationFailed(f"Unknown case type '{payload.case_type}'.")
        if payload.status:
            status = _status(case_type, payload.status)
        else:
            initial = CaseTypeStatus.objects.filter(case_type=case_type, is_initial=True).first()
            if initial is None:
                raise ValidationFailed(f"Case type {case_type.code} has no initial status; the event must name one.")
            status = initial
        _check_parties(payload.account_id, payload.person_id, payload.premise_id)
        case = Case.objects.filter(pk=payload.case_id).select_related("case_type").first()
        if case is not None and case.case_type_id != case_type.code:
            raise ValidationFailed(f"Case {case.id} is of type {case.case_type_id}, not {case_type.code}.")
        if case is None:
            opened_on = payload.opened_on or timezone.localdate()
            case = Case.objects.create(
                id=payload.case_id,
                case_type=case_type,
                status=status,
                account_id=payload.account_id,
                person_id=payload.person_id,
                premise_id=payload.premise_id,
                description=payload.description,
                opened_on=opened_on,
                closed_on=None if status.is_open else opened_on,
            )
            opened_at = timezone.make_aware(dt.datetime.combine(opened_on, dt.time.min))
            CaseTransition.objects.create(
                case=case, from_status=None, to_status=status, at=opened_at, comment=payload.comment
            )
        return f"case:{case.id}", _triggers(case, status, comment=payload.comment)


def _check_parties(account_id: str, person_id: str | None, premise_id: str | None) -> None:
    if not Account.objects.filter(pk=account_id).exists():
        raise ValidationFailed(f"Account {account_id} is not known to CustCare.")
    if person_id:
        if not Person.objects.filter(pk=person_id).exists():
            raise ValidationFailed(f"Person {person_id} is not known to CustCare.")
        if not AccountPerson.objects.filter(account_id=account_id, person_id=person_id).exists():
            raise ValidationFailed(f"Person {person_id} is not a person of account {account_id}.")
    if premise_id:
        if not Premise.objects.filter(pk=premise_id).exists():
            raise ValidationFailed(f"Premise {premise_id} is not known to CustCare.")
        linked = Account.objects.filter(pk=account_id).filter(
            Q(mailing_premise_id=premise_id)
            | Q(pk__in=ServiceAgreement.objects.filter(premise_id=premise_id).values("account_id"))
        )
        if not linked.exists():
            raise ValidationFailed(f"Premise {premise_id} is not a premise of account {account_id}.")


@register_event_kind("case-status-changed", description="A case entered another status")
class CaseStatusChangedKind(EventKind):
    Payload = CaseStatusChangedPayload
    partition_field = "case_id"

    def apply(self, payload: Any, *, user: Any) -> tuple[str, list[Trigger]]:
        assert isinstance(payload, CaseStatusChangedPayload)
        case = Case.objects.select_for_update().filter(pk=payload.case_id).first()
        if case is None:
            raise ValidationFailed(
                f"Case {payload.case_id} is not known to CustCare; retry once its case-opened event is processed."
            )
        case_type = CaseType.objects.get(pk=case.case_type_id)
        status = _status(case_type, payload.status)
        _enter(case, status, at=_aware(payload.changed_at), comment=payload.comment)
        return f"case:{case.id}", _triggers(case, status, comment=payload.comment)
