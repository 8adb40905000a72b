"""Reading system events and what the event algorithms did: the error queue, one event, and per
configured algorithm its contacts and errors. Administrators see everything; an integrator sees the
events they sent (to follow up on their own deliveries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot, algorithm_types
from custcare.contacts.models import CustomerContact
from custcare.core.errors import NotFound
from custcare.events.models import SystemEvent
from custcare.security.roles import can, require

EVENT_SPOTS = {
    Spot.FA_REMARK,
    Spot.MR_REMARK,
    Spot.CAMPAIGN_ORDER,
    Spot.CUSTCLASS_ORDER,
    Spot.SCM_ACTIVATION,
    Spot.SCM_CREATION,
    Spot.SA_ACTIVATION,
    Spot.UA_RENEWAL,
    Spot.CASE_TRANSITION,
    Spot.AUTOPAY_EXPIRY,
}


def system_event_list(*, user: Any, kind: str | None = None, status: str | None = None) -> QuerySet[SystemEvent]:
    require(user, "config.write")
    events = SystemEvent.objects.select_related("received_by")
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events


def system_event_get(*, event_pk: int, user: Any) -> SystemEvent:
    require(user, "contact.write")
    event = SystemEvent.objects.select_related("received_by").filter(pk=event_pk).first()
    if event is None or not (can(user, "config.write") or event.received_by_id == user.pk):
        raise NotFound(f"No system event {event_pk} that you may see.")
    return event


@dataclass
class AlgorithmSummary:
    algorithm: Algorithm
    spot: Spot
    errors: int


def event_algorithm_list(*, user: Any) -> list[AlgorithmSummary]:
    """The configured algorithms of the event spots, with how many events wait in the error queue
    naming them (the events service names the algorithm in every error it causes)."""
    require(user, "config.write")
    types = {t.code: t.spot for t in algorithm_types() if t.spot in EVENT_SPOTS}
    algorithms = list(Algorithm.objects.filter(algorithm_type__in=types))
    errors: dict[str, int] = {}
    if algorithms:
        row = SystemEvent.objects.filter(status=SystemEvent.Status.ERROR).aggregate(
            **{f"a{i}": Count("id", filter=Q(error__contains=a.code)) for i, a in enumerate(algorithms)}
        )
        errors = {a.code: row[f"a{i}"] for i, a in enumerate(algorithms)}
    return [AlgorithmSummary(a, types[a.algorithm_type], errors.get(a.code, 0)) for a in algorithms]


def event_algorithm_get(*, code: str, user: Any) -> AlgorithmSummary:
    require(user, "config.write")
    for summary in event_algorithm_list(user=user):
        if summary.algorithm.code == code:
            return summary
    raise NotFound(f"No event algorithm {code}.")


def algorithm_contacts(*, code: str, user: Any) -> QuerySet[CustomerContact]:
    """The contacts the algorithm created, newest first (origin reference "<code>:...")."""
    require(user, "config.write")
    return (
        CustomerContact.objects.filter(origin_reference__startswith=f"{code}:")
        .exclude(origin=CustomerContact.Origin.USER)
        .select_related("contact_type")
        .order_by("-contact_datetime", "-id")
    )


def algorithm_errors(*, code: str, user: Any) -> QuerySet[SystemEvent]:
    require(user, "config.write")
    return SystemEvent.objects.filter(status=SystemEvent.Status.ERROR, error__contains=code)


def dry_run_existing(outcome: Any) -> set[int]:
    """Which of a dry run's contacts (by position) exist already: the event would not add them again."""
    keys = [(spec.origin_reference, spec.person_id, spec.premise_id) for spec in outcome.specs]
    if not keys:
        return set()
    query = Q()
    for ref, person, premise in keys:
        query |= Q(origin_reference=ref, person_id=person) if person else Q(origin_reference=ref, premise_id=premise)
    found = set(
        CustomerContact.objects.exclude(origin=CustomerContact.Origin.USER)
        .filter(query)
        .values_list("origin_reference", "person_id", "premise_id")
    )
    return {
        i
        for i, (ref, person, premise) in enumerate(keys)
        if any(f[0] == ref and (f[1] == person if person else f[2] == premise) for f in found)
    }
