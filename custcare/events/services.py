"""Receiving system events and turning them into customer contacts (step 2.0).

`event_receive` is what the intake API, the bulk import and CustCare's own modules call. An event is
validated against its kind's payload schema first: a malformed event is refused with the field errors
and nothing is stored. A well-formed event is always stored: processed, with the contacts it created;
or, when its person cannot be resolved or an algorithm is misconfigured, in the error queue with the
reason, to be retried once the cause is fixed. The same (kind, event id) is processed once; repeats
return the stored outcome. Each contact is keyed by algorithm + source record + person, so retries
and repeats never create a second one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticError

from custcare.algorithms.services import algorithm_instance
from custcare.contacts.models import ContactType, CustomerContact
from custcare.contacts.services import customer_contact_add, reminder_log
from custcare.core.audit import audit_record, audit_record_many
from custcare.core.errors import DomainError, NotFound, ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.registry import ContactSpec, EventKind, Trigger, event_kind_get, event_kinds
from custcare.security.roles import require

SYSTEM_USERNAME = "custcare-events"


def events_system_user() -> Any:
    """The user system-generated contacts are recorded under: sees every access group, cannot log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "CustCare", "last_name": "events", "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _kind(kind: str) -> type[EventKind]:
    cls = event_kind_get(kind)
    if cls is None:
        known = ", ".join(k.code for k in event_kinds())
        raise ValidationFailed(f"Unknown event kind '{kind}'.", {"kind": [f"Choose one of: {known}."]})
    return cls


def _payload(cls: type[EventKind], payload: dict[str, Any]) -> Any:
    try:
        return cls.Payload.model_validate(payload)
    except PydanticError as exc:
        fields: dict[str, list[str]] = {}
        for err in exc.errors():
            fields.setdefault(".".join(str(p) for p in err["loc"]) or "payload", []).append(err["msg"])
        raise ValidationFailed(f"The {cls.code} event is not valid; nothing was recorded.", fields) from exc


def _contact_for(spec: ContactSpec, *, user: Any) -> tuple[CustomerContact, bool]:
    """The contact for this spec: the existing one (same origin and person or premise), or a new one."""
    existing = CustomerContact.objects.filter(origin_reference=spec.origin_reference)
    existing = (
        existing.filter(person_id=spec.person_id)
        if spec.person_id
        else existing.filter(person__isnull=True, premise_id=spec.premise_id)
    )
    found = existing.first()
    if found is not None:
        return found, False
    ctype = ContactType.objects.filter(contact_class_id=spec.contact_class, type_code=spec.contact_type).first()
    if ctype is None:
        raise ValidationFailed(f"Algorithm {spec.algorithm}: no contact type {spec.contact_class}/{spec.contact_type}.")
    premise_id = spec.premise_id if ctype.premise_usage != "NA" else None
    account_id = spec.account_id if ctype.account_usage != "NA" else None
    try:
        with transaction.atomic():
            contact = customer_contact_add(
                user=user,
                contact_type_id=ctype.id,
                method=spec.method,
                person_id=spec.person_id if ctype.person_usage != "NA" else None,
                account_id=account_id,
                premise_id=premise_id,
                description=spec.description,
                direction=spec.direction,
                is_open=spec.is_open,
                characteristics=spec.characteristics,
                origin=CustomerContact.Origin.ALGORITHM,
                origin_reference=spec.origin_reference,
            )
    except IntegrityError:  # created at the same moment by a concurrent delivery
        found = existing.first()
        if found is None:
            raise
        return found, False
    except ValidationFailed as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
        raise ValidationFailed(
            f"Algorithm {spec.algorithm} could not create its contact: {exc.message} {details}"
        ) from exc
    if spec.letter_template and not (contact.print_letter and contact.letter_template == spec.letter_template):
        contact.print_letter, contact.letter_template = True, spec.letter_template
        contact.save(update_fields=["print_letter", "letter_template"])
    if ctype.reminder_role:
        reminder_log(contact=contact, comment=f"Follow up: {spec.description or ctype.description}", user=user)
    return contact, True


@dataclass
class Outcome:
    source_reference: str
    algorithms: list[str] = field(default_factory=list)
    specs: list[ContactSpec] = field(default_factory=list)
    contacts: list[CustomerContact] = field(default_factory=list)
    created: int = 0


def _process(cls: type[EventKind], payload: Any, *, user: Any) -> Outcome:
    source_reference, triggers = cls().apply(payload, user=user)
    outcome = Outcome(source_reference=source_reference)
    for trigger in triggers:
        outcome.algorithms.append(trigger.algorithm.code)
        outcome.specs.extend(_run(trigger))
    for spec in outcome.specs:
        contact, created = _contact_for(spec, user=user)
        outcome.contacts.append(contact)
        outcome.created += int(created)
    return outcome


def _run(trigger: Trigger) -> list[ContactSpec]:
    try:
        instance = algorithm_instance(trigger.algorithm)
    except Exception as exc:  # stored parameters no longer valid for the type
        raise ValidationFailed(f"Algorithm {trigger.algorithm.code} is misconfigured: {exc}") from exc
    specs = instance.run(context=trigger.context, algorithm_code=trigger.algorithm.code)
    if not specs:
        raise ValidationFailed(
            f"Algorithm {trigger.algorithm.code} found nobody to contact for {trigger.context.source_reference}: "
            "the account has no main customer or no person receives notifications."
        )
    return specs


def event_receive(*, kind: str, event_id: str, payload: dict[str, Any], user: Any) -> tuple[SystemEvent, bool]:
    """Record and process one event. Returns the stored event and whether it is new."""
    require(user, "contact.write")
    cls = _kind(kind)
    if not event_id or len(event_id) > 80:
        raise ValidationFailed("Every event needs an id of 1 to 80 characters.", {"event_id": ["Required."]})
    parsed = _payload(cls, payload)
    existing = SystemEvent.objects.filter(kind=kind, event_id=event_id).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        event = SystemEvent(kind=kind, event_id=event_id, payload=payload, received_by=user)
        _attempt(event, cls, parsed)
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:  # the same event delivered twice at once: the other delivery won
            return SystemEvent.objects.get(kind=kind, event_id=event_id), False
        audit_record(entity=event, action="receive", user=user, summary=f"{kind} {event_id}: {event.status}")
    return event, True


def _attempt(event: SystemEvent, cls: type[EventKind], parsed: Any) -> None:
    system = events_system_user()
    try:
        with transaction.atomic():
            outcome = _process(cls, parsed, user=system)
    except DomainError as exc:
        event.status = SystemEvent.Status.ERROR
        event.error = exc.message[:4000]
        return
    event.status = SystemEvent.Status.PROCESSED
    event.error = ""
    event.source_reference = outcome.source_reference
    event.algorithms = outcome.algorithms
    event.contact_ids = [c.pk for c in outcome.contacts]
    event.processed_at = timezone.now()


@transaction.atomic
def event_retry(*, event_pk: int, user: Any) -> SystemEvent:
    """Process an event from the error queue again, after its cause was fixed."""
    require(user, "config.write")
    event = SystemEvent.objects.select_for_update().filter(pk=event_pk).first()
    if event is None:
        raise NotFound(f"No system event {event_pk}.")
    if event.status != SystemEvent.Status.ERROR:
        raise ValidationFailed(f"Event {event.kind} {event.event_id} is not in the error queue.")
    cls = _kind(event.kind)
    event.attempts += 1
    _attempt(event, cls, _payload(cls, event.payload))
    event.save()
    audit_record(entity=event, action="retry", user=user, summary=f"{event.kind} {event.event_id}: {event.status}")
    return event


@transaction.atomic
def event_discard(*, event_pk: int, reason: str, user: Any) -> SystemEvent:
    require(user, "config.write")
    event = SystemEvent.objects.select_for_update().filter(pk=event_pk, status=SystemEvent.Status.ERROR).first()
    if event is None:
        raise NotFound(f"No system event {event_pk} in the error queue.")
    if not reason.strip():
        raise ValidationFailed("Say why the event is discarded.", {"reason": ["Required."]})
    event.status = SystemEvent.Status.DISCARDED
    event.error = f"{event.error}\nDiscarded: {reason.strip()}"
    event.save(update_fields=["status", "error"])
    audit_record(entity=event, action="discard", user=user, summary=reason)
    return event


class _DryRun(Exception):
    pass


def event_dry_run(*, kind: str, payload: dict[str, Any], user: Any) -> Outcome:
    """What this event would create, computed for real and then rolled back: nothing changes."""
    require(user, "config.read")
    cls = _kind(kind)
    parsed = _payload(cls, payload)
    result: Outcome | None = None
    try:
        with transaction.atomic():
            result = _process(cls, parsed, user=events_system_user())
            raise _DryRun
    except _DryRun:
        pass
    assert result is not None
    return result


def events_receive_many(
    *, kind: str, items: list[tuple[str, dict[str, Any]]], user: Any
) -> list[tuple[SystemEvent, bool] | DomainError]:
    """Bulk intake: the events of one kind in one transaction, each with the outcome event_receive
    would give it (the stored event and whether it is new), or the refusal of a malformed one — which
    stores nothing and does not undo the others. Repeats (already stored, or earlier in `items`) are
    found in one query; the new events and their audit entries are written in one statement each."""
    require(user, "contact.write")
    cls = _kind(kind)
    results: list[tuple[SystemEvent, bool] | DomainError | None] = [None] * len(items)
    parsed: dict[int, Any] = {}
    for i, (event_id, payload) in enumerate(items):
        try:
            if not event_id or len(event_id) > 80:
                raise ValidationFailed("Every event needs an id of 1 to 80 characters.", {"event_id": ["Required."]})
            parsed[i] = _payload(cls, payload)
        except ValidationFailed as exc:
            results[i] = exc
    ids = {items[i][0] for i in parsed}
    stored = {e.event_id: e for e in SystemEvent.objects.filter(kind=kind, event_id__in=ids)} if ids else {}
    fresh: dict[str, SystemEvent] = {}
    try:
        with transaction.atomic():
            for i in sorted(parsed):
                event_id, payload = items[i]
                if event_id in stored or event_id in fresh:
                    results[i] = (stored.get(event_id) or fresh[event_id], False)
                    continue
                event = SystemEvent(kind=kind, event_id=event_id, payload=payload, received_by=user)
                _attempt(event, cls, parsed[i])
                fresh[event_id] = event
                results[i] = (event, True)
            SystemEvent.objects.bulk_create(fresh.values())
            audit_record_many(entities=list(fresh.values()), action="receive", user=user, summary=f"{kind} (bulk)")
    except IntegrityError:  # another delivery stored some of these events meanwhile: one by one instead
        return [
            result
            if isinstance(result, DomainError)
            else _receive_or_refusal(kind=kind, event_id=items[i][0], payload=items[i][1], user=user)
            for i, result in enumerate(results)
        ]
    return [r for r in results if r is not None]


def _receive_or_refusal(
    *, kind: str, event_id: str, payload: dict[str, Any], user: Any
) -> tuple[SystemEvent, bool] | DomainError:
    try:
        return event_receive(kind=kind, event_id=event_id, payload=payload, user=user)
    except ValidationFailed as exc:
        return exc
