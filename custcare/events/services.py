"""Receiving system events and turning them into customer contacts (step 2.0).

`event_receive` is what the intake API, the bulk import and CustCare's own modules call. An event is
validated against its kind's payload schema first: a malformed event is refused with the field errors
and nothing is stored. A well-formed event is always stored: processed, with the contacts it created;
or, when its person cannot be resolved or an algorithm is misconfigured, in the error queue with the
reason, to be retried once the cause is fixed. The same (kind, event id) is processed once; repeats
return the stored outcome. Each contact is keyed by algorithm + source record + person, so retries
and repeats never create a second one.

Speed (issue 4 intake targets): one event and a batch of events go through the same code, a batch of
one being the single case. Contacts are checked set-based, as rows rather than model instances, and
written with one INSERT per table (custcare.contacts.services.generated_contacts_*); on PostgreSQL the
new contacts and their audit entries are one statement, and the new events and theirs another (see
custcare.core.rows.audit_rows_insert), elsewhere the audit entries are one INSERT. One event of a
set-based kind is received as a batch of one (_receive_set_based: read and decided, then written), and
on PostgreSQL all it writes (source records, contacts, characteristics, the event, the audit entries)
is one statement (custcare.core.rows.rows_written_together). Python's cyclic
garbage collector is paused while a batch is received (see _collector_paused). An event that fails
rolls back its whole transaction and is then stored in the error queue on its own, so the successful
path needs no savepoint. Bulk intake of a set-based kind decides which events fail before anything is
written, then writes the others together; bulk intake of any other kind applies each event in a
savepoint and does the rest (recipients, contact checks, contacts, events, audit) for the batch at
once. CustCare's own services raise events with `event_raise`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticError

from custcare.algorithms.registry import AlgorithmType
from custcare.algorithms.services import algorithm_instance
from custcare.contacts.models import CustomerContact
from custcare.contacts.selectors import (
    CONFIG_VERSION_SQL,
    ContactTypeConfig,
    config_version_known,
    contact_type_config_get,
)
from custcare.contacts.services import (
    NewContact,
    generated_contacts_check,
    generated_contacts_save,
    reminder_log,
)
from custcare.core.audit import audit_record
from custcare.core.errors import DomainError, NotFound, ValidationFailed
from custcare.core.models import AuditEntry
from custcare.core.rows import (
    array_cursor,
    audit_rows_insert,
    rows_copy,
    sql_in,
    sql_in_set,
    write_transaction,
    write_transaction_begin,
)
from custcare.core.sql import fetch_prepared
from custcare.customers.models import AccountPerson, ServiceAgreement
from custcare.events.models import SystemEvent
from custcare.events.recipients import LIVE_SA
from custcare.events.registry import (
    ContactAlgorithm,
    ContactParams,
    ContactSpec,
    EventContext,
    EventKind,
    Prepared,
    Trigger,
    event_kind_get,
    event_kinds,
)
from custcare.security.roles import require
from custcare.security.services import system_user_ensure

SYSTEM_USERNAME = "custcare-events"

# The events system user per database, kept for the life of the process. Intake checks that it still
# exists in the statement that looks for repeats (see _intake_state), and reads it again when not.
_system_users: dict[str, Any] = {}


def events_system_user() -> Any:
    """The user system-generated contacts are recorded under: sees every access group, cannot log in."""
    user = system_user_ensure(username=SYSTEM_USERNAME, first_name="CustCare", last_name="events", sees_everything=True)
    _system_users[connection.settings_dict["NAME"]] = user
    return user


def _intake_state(
    kind: str, event_ids: list[str], *, draw_id: bool = False
) -> tuple[dict[str, SystemEvent], Any, int | None, int | None]:
    """The events among `event_ids` already stored, the events system user, with `draw_id` (one
    event id, on PostgreSQL) the id the event is to be stored under when it is new (None for a
    repeat: no sequence value is drawn for it), and the contact type configuration version (for
    config_version_known: the contact types the events need are then read from the process's cache
    without a statement of their own). The repeat check, the check that the cached system user still
    exists, the new event's id and the version are one statement, prepared on PostgreSQL (a second one
    reads the stored events when there are repeats, which is rare)."""
    cached = _system_users.get(connection.settings_dict["NAME"])
    table, users = SystemEvent._meta.db_table, get_user_model()._meta.db_table
    among, params = sql_in("event_id", event_ids)
    draw = "NULL"
    if draw_id and connection.vendor == "postgresql":
        draw = f"CASE WHEN s.repeats = 0 THEN nextval('{_event_sequence()}'::regclass) END"
    ((repeats, user_ok, drawn, config_version),) = fetch_prepared(
        f"SELECT s.repeats, s.user_ok, {draw}, {CONFIG_VERSION_SQL} FROM (SELECT"
        f" (SELECT COUNT(*) FROM {table} WHERE kind = %s AND {among}) AS repeats,"
        f" (SELECT COUNT(*) FROM {users} WHERE id = %s AND is_active) AS user_ok) s",
        [kind, *params, cached.pk if cached is not None else -1],
    )
    stored = (
        {e.event_id: e for e in SystemEvent.objects.filter(kind=kind).extra(where=[among], params=params)}
        if repeats
        else {}
    )
    return stored, cached if user_ok else events_system_user(), drawn, config_version


_sequences: dict[str, str] = {}


def _event_sequence() -> str:
    """The name of the sequence SystemEvent ids come from, per database, read once per process."""
    database = connection.settings_dict["NAME"]
    if database not in _sequences:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [SystemEvent._meta.db_table])
            _sequences[database] = cur.fetchone()[0]
    return _sequences[database]


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


def _check_id(event_id: str) -> None:
    if not event_id or len(event_id) > 80:
        raise ValidationFailed("Every event needs an id of 1 to 80 characters.", {"event_id": ["Required."]})


@dataclass
class Outcome:
    source_reference: str
    algorithms: list[str] = field(default_factory=list)
    specs: list[ContactSpec] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # its contacts: rows giving at least the id
    contacts: list[CustomerContact] = field(default_factory=list)  # the same as instances: event_dry_run only
    created: int = 0
    audit: list[dict[str, Any]] = field(default_factory=list)  # its contacts' "add" entries still to write


# --- from triggers to contact specs ------------------------------------------------------------------


def _instances(triggers: list[Trigger]) -> dict[str, AlgorithmType | DomainError]:
    """Each configured algorithm once per batch (its parameters validated once)."""
    out: dict[str, AlgorithmType | DomainError] = {}
    for trigger in triggers:
        code = trigger.algorithm.code
        if code not in out:
            try:
                out[code] = algorithm_instance(trigger.algorithm)
            except Exception as exc:  # stored parameters no longer valid for the type
                out[code] = ValidationFailed(f"Algorithm {code} is misconfigured: {exc}")
    return out


def _recipients_many(wanted: list[tuple[EventContext, str]]) -> list[list[tuple[str | None, str | None]]]:
    """recipients_resolve for many contexts with two queries at most (service agreements at premises
    without an account, then the accounts' persons): the same pairs in the same order."""
    premises = {c.premise_id for c, mode in wanted if mode != "PERSON" and not c.account_id and c.premise_id}
    by_premise: dict[str, set[str]] = {}
    if premises:
        for premise_id, account_id in ServiceAgreement.objects.filter(
            premise_id__in=premises, status__in=LIVE_SA
        ).values_list("premise_id", "account_id"):
            by_premise.setdefault(premise_id, set()).add(account_id)
    accounts_of: list[list[str]] = []
    for c, mode in wanted:
        if mode == "PERSON":
            accounts_of.append([])
        elif c.account_id:
            accounts_of.append([c.account_id])
        else:
            accounts_of.append(sorted(by_premise.get(c.premise_id or "", set())))
    every = {a for accounts in accounts_of for a in accounts}
    links: dict[str, list[tuple[str, bool, bool]]] = {}
    if every:
        among, params = sql_in_set("account_id", sorted(every))
        with array_cursor() as cur:
            cur.execute(
                "SELECT person_id, account_id, main_customer, receives_notifications"
                f" FROM {AccountPerson._meta.db_table} WHERE {among}",
                params,
            )
            for person_id, account_id, main, notify in cur.fetchall():
                links.setdefault(account_id, []).append((person_id, bool(main), bool(notify)))
    out: list[list[tuple[str | None, str | None]]] = []
    for (c, mode), accounts in zip(wanted, accounts_of, strict=True):
        if mode == "PERSON":
            out.append([(c.person_id, c.account_id)] if c.person_id else [])
            continue
        pairs = {
            (person_id, account_id)
            for account_id in accounts
            for person_id, main, notify in links.get(account_id, [])
            if (main if mode == "MAIN" else notify)
        }
        out.append(sorted(pairs))  # type: ignore[arg-type]
    return out


def _standard_recipients(inst: AlgorithmType | DomainError) -> bool:
    """An algorithm that picks its recipients the standard way (its type keeps ContactAlgorithm.run),
    whose recipients can therefore be read for the whole batch at once."""
    return (
        isinstance(inst, ContactAlgorithm)
        and type(inst).run is ContactAlgorithm.run
        and isinstance(inst.params, ContactParams)
    )


def _specs_many(triggers_of: list[list[Trigger]]) -> list[tuple[list[str], list[ContactSpec]] | DomainError]:
    """Each event's algorithm codes and contact specs, or the reason it cannot be processed; the
    recipients of the whole batch are read at once."""
    instances = _instances([t for triggers in triggers_of for t in triggers])
    wanted: list[tuple[EventContext, str]] = []
    for triggers in triggers_of:
        for t in triggers:
            inst = instances[t.algorithm.code]
            if _standard_recipients(inst):
                wanted.append((t.context, inst.params.recipients))  # type: ignore[union-attr]
    resolved = iter(_recipients_many(wanted)) if wanted else iter([])
    out: list[tuple[list[str], list[ContactSpec]] | DomainError] = []
    for triggers in triggers_of:
        codes: list[str] = []
        specs: list[ContactSpec] = []
        failure: DomainError | None = None
        for t in triggers:
            inst = instances[t.algorithm.code]
            recipients = None
            if _standard_recipients(inst):
                recipients = next(resolved)
            if failure is not None:
                continue
            if isinstance(inst, DomainError):
                failure = inst
                continue
            codes.append(t.algorithm.code)
            found = inst.run(context=t.context, algorithm_code=t.algorithm.code, recipients=recipients)
            if not found:
                failure = ValidationFailed(
                    f"Algorithm {t.algorithm.code} found nobody to contact for {t.context.source_reference}: "
                    "the account has no main customer or no person receives notifications."
                )
                continue
            specs.extend(found)
        out.append(failure if failure is not None else (codes, specs))
    return out


# --- from specs to contacts ------------------------------------------------------------------------


def _key(spec: ContactSpec) -> tuple[str, str | None, str | None]:
    """What makes a generated contact the same one (the unique constraints on CustomerContact)."""
    if spec.person_id:
        return (spec.origin_reference, spec.person_id, None)
    return (spec.origin_reference, None, spec.premise_id)


@dataclass
class _Planned:
    """An event's contacts once checked: existing ones, and new ones to write (not yet saved), as rows
    (see generated_contacts_check; an existing one's row gives just its id)."""

    contacts: list[dict[str, Any]]
    new: list[tuple[dict[str, Any], dict[str, str]]]
    reminders: list[tuple[dict[str, Any], str]]


def _generated_contacts_sql(refs: list[str]) -> tuple[str, list[Any]]:
    """The read of the generated contacts stored under these origin references: the generated-contact
    conditions of the two partial unique indexes, so that they are used (the origin as a literal: a
    generic plan can only use a partial index whose condition the statement's text implies; one
    event's one reference as `= %s`, see sql_in). Prepared on PostgreSQL: a key lookup, planned once
    per connection."""
    among, params = sql_in("origin_reference", refs)
    user_origin = CustomerContact.Origin.USER.value
    assert user_origin.isalpha()
    return (
        f"SELECT id, origin_reference, person_id, premise_id FROM {CustomerContact._meta.db_table}"
        f" WHERE NOT (origin = '{user_origin}') AND NOT (origin_reference = '')"
        f" AND (person_id IS NOT NULL OR person_id IS NULL) AND {among} ORDER BY id",
        params,
    )


def _contacts_plan(groups: list[list[ContactSpec]], *, user: Any) -> list[_Planned | DomainError]:
    """For each event (a group of specs), its contacts as one-by-one processing would give them: a
    contact found by its key (stored, or created by an earlier successful event of the batch) is
    reused; a new one is checked by customer_contact_add's rules; the first spec that fails fails the
    event. Reads: one per contact type, one for the existing contacts, one or a few for the records
    the contacts name. Nothing is written."""
    specs = [s for g in groups for s in g]
    configs: dict[tuple[str, str], ContactTypeConfig | None] = {}
    for s in specs:
        if (s.contact_class, s.contact_type) not in configs:
            try:
                configs[(s.contact_class, s.contact_type)] = contact_type_config_get(
                    contact_class=s.contact_class, type_code=s.contact_type, shared=True
                )
            except ValidationFailed:
                configs[(s.contact_class, s.contact_type)] = None
    stored: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    refs = sorted({s.origin_reference for s in specs})
    if refs:
        rows = fetch_prepared(*_generated_contacts_sql(refs))
        for pk, reference, person_id, premise_id in rows:
            key: tuple[str, str | None, str | None] = (
                (reference, person_id, None) if person_id else (reference, None, premise_id)
            )
            stored.setdefault(key, {"id": pk})
    # check every spec that may need a new contact, all at once
    requests: list[NewContact] = []
    index: dict[tuple[int, int], int] = {}
    for g, group in enumerate(groups):
        for n, s in enumerate(group):
            config = configs[(s.contact_class, s.contact_type)]
            if _key(s) in stored or config is None:
                continue
            ctype = config.contact_type
            index[(g, n)] = len(requests)
            requests.append(
                NewContact(
                    config=config,
                    method=s.method,
                    person_id=s.person_id if ctype.person_usage != "NA" else None,
                    account_id=s.account_id if ctype.account_usage != "NA" else None,
                    premise_id=s.premise_id if ctype.premise_usage != "NA" else None,
                    description=s.description,
                    direction=s.direction,
                    is_open=s.is_open,
                    characteristics=s.characteristics,
                    origin=CustomerContact.Origin.ALGORITHM,
                    origin_reference=s.origin_reference,
                    letter_template=s.letter_template,
                )
            )
    checked = generated_contacts_check(user=user, requests=requests) if requests else []
    made: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}  # by earlier successful events
    out: list[_Planned | DomainError] = []
    for g, group in enumerate(groups):
        planned = _Planned([], [], [])
        mine: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
        failure: DomainError | None = None
        for n, s in enumerate(group):
            key_s = _key(s)
            found = stored.get(key_s) or made.get(key_s) or mine.get(key_s)
            if found is not None:
                planned.contacts.append(found)
                continue
            config = configs[(s.contact_class, s.contact_type)]
            if config is None:
                failure = ValidationFailed(
                    f"Algorithm {s.algorithm}: no contact type {s.contact_class}/{s.contact_type}."
                )
                break
            result = checked[index[(g, n)]]
            if isinstance(result, ValidationFailed):
                details = "; ".join(f"{k}: {' '.join(v)}" for k, v in result.fields.items())
                failure = ValidationFailed(
                    f"Algorithm {s.algorithm} could not create its contact: {result.message} {details}"
                )
                break
            if isinstance(result, DomainError):
                failure = result
                break
            contact, values = result  # each request was checked into a contact of its own
            mine[key_s] = contact
            planned.contacts.append(contact)
            planned.new.append((contact, values))
            if config.contact_type.reminder_role:
                planned.reminders.append((contact, f"Follow up: {s.description or config.contact_type.description}"))
        if failure is not None:
            out.append(failure)
            continue
        made.update(mine)
        out.append(planned)
    return out


def _contacts_write(planned: list[_Planned], *, user: Any) -> list[dict[str, Any]]:
    """Write the planned new contacts with their audit entries (see generated_contacts_save) and their
    reminders; returns the audit entries (rows) left for the caller to write with its own."""
    entries = generated_contacts_save(contacts=[n for p in planned for n in p.new], user=user)
    if any(p.reminders for p in planned):
        write_transaction_begin()  # reminder_log is an atomic block of its own
    for p in planned:
        for row, comment in p.reminders:
            reminder_log(contact=CustomerContact(**row), comment=comment, user=user)
    return entries


def _process(cls: type[EventKind], payload: Any, *, user: Any) -> Outcome:
    """One event, start to finish; raises the DomainError that sends it to the error queue."""
    source_reference, triggers = cls().apply(payload, user=user)
    (specs,) = _specs_many([triggers])
    if isinstance(specs, DomainError):
        raise specs
    outcome = Outcome(source_reference=source_reference, algorithms=specs[0], specs=specs[1])
    (planned,) = _contacts_plan([outcome.specs], user=user)
    if isinstance(planned, DomainError):
        raise planned
    outcome.audit = _contacts_write([planned], user=user)
    outcome.rows = planned.contacts
    outcome.created = len(planned.new)
    return outcome


def _mark_processed(event: SystemEvent, outcome: Outcome) -> None:
    event.status = SystemEvent.Status.PROCESSED
    event.error = ""
    event.source_reference = outcome.source_reference
    event.algorithms = outcome.algorithms
    event.contact_ids = [c["id"] for c in outcome.rows]
    event.processed_at = timezone.now()


def _mark_error(event: SystemEvent, exc: DomainError) -> None:
    event.status = SystemEvent.Status.ERROR
    event.error = exc.message[:4000]


def event_receive(*, kind: str, event_id: str, payload: dict[str, Any], user: Any) -> tuple[SystemEvent, bool]:
    """Record and process one event. Returns the stored event and whether it is new."""
    require(user, "contact.write")
    cls = _kind(kind)
    _check_id(event_id)
    parsed = _payload(cls, payload)
    stored, system, event_pk, config_version = _intake_state(kind, [event_id], draw_id=True)
    if event_id in stored:
        return stored[event_id], False
    try:
        if cls.set_based:  # as a batch of one: decided, then written in one statement (PostgreSQL)
            # which is then the transaction: no BEGIN and COMMIT round trips (see write_transaction)
            with write_transaction(), config_version_known(config_version):
                event = _event_new(kind=kind, event_id=event_id, payload=payload, sender_id=user.pk, now=timezone.now())
                event.pk = event_pk
                audit = _receive_set_based(cls, [event], [parsed], system=system)
                summary = f"{kind} {event_id}: {event.status}"
                rows_copy(AuditEntry, [*audit, *_events_insert([event], user=user, summary=summary)])
            return event, True
        with transaction.atomic(), config_version_known(config_version):
            outcome = _process(cls, parsed, user=system)
            event = _event_new(kind=kind, event_id=event_id, payload=payload, sender_id=user.pk, now=timezone.now())
            event.pk = event_pk
            _mark_processed(event, outcome)
            summary = f"{kind} {event_id}: {event.status}"
            rows_copy(AuditEntry, [*outcome.audit, *_events_insert([event], user=user, summary=summary)])
        return event, True
    except DomainError as exc:  # everything the event did is rolled back; it waits in the error queue
        failure = exc
    except IntegrityError:  # a concurrent delivery of this event (it won) or of one of its contacts
        again = SystemEvent.objects.filter(kind=kind, event_id=event_id).first()
        if again is not None:
            return again, False
        return _receive_careful(kind=kind, event_id=event_id, payload=payload, parsed=parsed, cls=cls, user=user)
    with transaction.atomic():
        event = SystemEvent(pk=event_pk, kind=kind, event_id=event_id, payload=payload, received_by=user)
        _mark_error(event, failure)
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            return SystemEvent.objects.get(kind=kind, event_id=event_id), False
        audit_record(entity=event, action="receive", user=user, summary=f"{kind} {event_id}: {event.status}")
    return event, True


def event_raise(*, kind: str, event_id: str, payload: dict[str, Any], user: Any) -> SystemEvent:
    """An event one of CustCare's own services raises about a change it has just made, processed in the
    caller's transaction (its contacts commit or roll back with the change). As for an event received
    from outside: stored with its outcome, processed once per event id, contacts recorded under the
    events system user; `user` (who made the change) is recorded as the event's sender. The caller has
    checked the user's permission for its change; raising needs none of its own. An event that cannot
    be processed (nobody to contact, a misconfigured algorithm) waits in the error queue without
    undoing the caller's change. A malformed payload is a programming error and raises ValidationFailed."""
    cls = _kind(kind)
    _check_id(event_id)
    parsed = _payload(cls, payload)
    stored, _system, _, _ = _intake_state(kind, [event_id])
    if event_id in stored:
        return stored[event_id]
    sender = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        event = SystemEvent(kind=kind, event_id=event_id, payload=payload, received_by=sender)
        _attempt(event, cls, parsed)
        event.save(force_insert=True)
        summary = f"{kind} {event_id}: {event.status} (raised by CustCare)"
        rows_copy(AuditEntry, [*event._audit, _audit_row(event, user=user, summary=summary)])  # type: ignore[attr-defined]
    return event


def service_agreement_activated_raise(*, sa: ServiceAgreement, user: Any) -> SystemEvent:
    """Raise service-agreement-activated for an SA just activated in CustCare (see
    service_agreement_transition): its SA type's activation algorithms (e.g. SAAT-NB) run as for an
    activation the billing system reports. The event id names the SA, so one activation raises one event."""
    return event_raise(
        kind="service-agreement-activated",
        event_id=f"custcare:sa-activated:{sa.pk}",
        payload={"sa_id": sa.pk, "activated_on": timezone.localdate().isoformat()},
        user=user,
    )


def _receive_careful(
    *, kind: str, event_id: str, payload: dict[str, Any], parsed: Any, cls: type[EventKind], user: Any
) -> tuple[SystemEvent, bool]:
    """The event again after a unique-key clash with a concurrent delivery: each step in its own
    savepoint, so the contact the other delivery created is found and reused."""
    with transaction.atomic():
        event = SystemEvent(kind=kind, event_id=event_id, payload=payload, received_by=user)
        _attempt(event, cls, parsed)
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            return SystemEvent.objects.get(kind=kind, event_id=event_id), False
        summary = f"{kind} {event_id}: {event.status}"
        rows_copy(AuditEntry, [*event._audit, _audit_row(event, user=user, summary=summary)])  # type: ignore[attr-defined]
    return event, True


def _attempt(event: SystemEvent, cls: type[EventKind], parsed: Any) -> None:
    """Process in a savepoint: on failure the event goes to the error queue and its writes are undone.
    The contacts' audit entries are left on `event._audit` for the caller to write."""
    system = events_system_user()
    event._audit = []  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            outcome = _process(cls, parsed, user=system)
    except DomainError as exc:
        _mark_error(event, exc)
        return
    _mark_processed(event, outcome)
    event._audit = outcome.audit  # type: ignore[attr-defined]


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
    rows_copy(AuditEntry, event._audit)  # type: ignore[attr-defined]
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
            found = CustomerContact.objects.in_bulk([c["id"] for c in result.rows])
            result.contacts = [found[c["id"]] for c in result.rows]
            raise _DryRun
    except _DryRun:
        pass
    assert result is not None
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (as it was, after). A batch allocates
    tens of thousands of short-lived objects, which trigger collections, and a full collection walks
    every object of the process (Django's and the app's, ~140,000): ~70 ms each, a tenth of a batch's
    time. What a batch allocates is freed by reference counting; the few cycles wait for the next
    collection."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def events_receive_many(
    *, kind: str, items: list[tuple[str, dict[str, Any]]], user: Any
) -> list[tuple[SystemEvent, bool] | DomainError]:
    with _collector_paused():
        return _receive_many(kind=kind, items=items, user=user)


def _receive_many(
    *, kind: str, items: list[tuple[str, dict[str, Any]]], user: Any
) -> list[tuple[SystemEvent, bool] | DomainError]:
    """Bulk intake: the events of one kind in one transaction, each with the outcome event_receive
    would give it (the stored event and whether it is new), or the refusal of a malformed one — which
    stores nothing and does not undo the others. Repeats (already stored, or earlier in `items`) are
    found in one query. For a set-based kind the batch is worked out with a few queries and written
    with one INSERT per table (see _receive_set_based); other kinds apply each event in a savepoint and
    then have their recipients, contacts and audit worked out and written for the batch at once (see
    _receive_applied). Should a write clash with a concurrent delivery, the batch is redone one by one."""
    require(user, "contact.write")
    cls = _kind(kind)
    results: list[tuple[SystemEvent, bool] | DomainError | None] = [None] * len(items)
    parsed: dict[int, Any] = {}
    for i, (event_id, payload) in enumerate(items):
        try:
            _check_id(event_id)
            parsed[i] = _payload(cls, payload)
        except ValidationFailed as exc:
            results[i] = exc
    if not parsed:
        return [r for r in results if r is not None]
    stored, system, _, config_version = _intake_state(kind, sorted({items[i][0] for i in parsed}))
    fresh: dict[str, SystemEvent] = {}
    order: list[int] = []
    now = timezone.now()
    for i in sorted(parsed):
        event_id, payload = items[i]
        if event_id in stored or event_id in fresh:
            results[i] = (stored.get(event_id) or fresh[event_id], False)
            continue
        fresh[event_id] = _event_new(kind=kind, event_id=event_id, payload=payload, sender_id=user.pk, now=now)
        order.append(i)
        results[i] = (fresh[event_id], True)
    try:
        with transaction.atomic(), config_version_known(config_version):
            events = [fresh[items[i][0]] for i in order]
            payloads = [parsed[i] for i in order]
            if cls.set_based:
                audit = _receive_set_based(cls, events, payloads, system=system)
            else:
                audit = _receive_applied(cls, events, payloads, system=system)
            rows_copy(AuditEntry, [*audit, *_events_insert(events, user=user, summary=f"{kind} (bulk)")])
    except (IntegrityError, DomainError):  # a clash with a concurrent delivery, a failed reminder: one by one
        return [
            result
            if isinstance(result, DomainError)
            else _receive_or_refusal(kind=kind, event_id=items[i][0], payload=items[i][1], user=user)
            for i, result in enumerate(results)
        ]
    return [r for r in results if r is not None]


def _events_insert(events: list[SystemEvent], *, user: Any, summary: str) -> list[dict[str, Any]]:
    """Insert new events with their "receive" audit entries. On PostgreSQL the ids of events without
    one are drawn from the table's sequence in one statement and the events written with their audit
    entries in one more (see custcare.core.rows.audit_rows_insert); elsewhere the events are written
    with bulk_create and their audit entries returned, as rows, for the caller to write."""
    if not events:
        return []
    if connection.vendor != "postgresql":
        SystemEvent.objects.bulk_create(events)
        return [_audit_row(e, user=user, summary=summary) for e in events]
    unnumbered = [e for e in events if e.pk is None]
    if unnumbered:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [SystemEvent._meta.db_table, len(unnumbered)],
            )
            for event, (pk,) in zip(unnumbered, cur.fetchall(), strict=True):
                event.pk = pk
    return audit_rows_insert(
        SystemEvent,
        [{name: getattr(e, name) for name in _EVENT_FIELDS} for e in events],
        action="receive",
        user=user,
        summaries=[summary] * len(events),
    )


_ENCODER = DjangoJSONEncoder()


def _json_ready(value: Any) -> Any:
    return _ENCODER.default(value) if isinstance(value, dt.datetime | dt.date) else value


def _audit_row(event: SystemEvent, *, user: Any, summary: str) -> dict[str, Any]:
    """The "receive" audit entry of a new event as a row: what _audit_entry gives, without a model
    instance and with the event's snapshot built from its values (payload, ids and lists are already
    JSON values)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return {
        "at": timezone.now(),
        "user_id": user.pk if authenticated else None,
        "username": user.get_username() if authenticated else "system",
        "action": "receive",
        "entity_type": "events.systemevent",
        "entity_id": str(event.pk),
        "summary": summary[:300],
        "before": None,
        "after": {name: _json_ready(getattr(event, name)) for name in _EVENT_FIELDS},
    }


_EVENT_FIELDS = [f.attname for f in SystemEvent._meta.concrete_fields]
_EVENT_ORDER = ["id", "kind", "event_id", "payload", "status", "error", "attempts", "source_reference"]
_EVENT_ORDER += ["contact_ids", "algorithms", "received_at", "processed_at", "received_by_id"]
if _EVENT_FIELDS != _EVENT_ORDER:
    raise RuntimeError(f"_event_new builds SystemEvent from {_EVENT_ORDER}; its fields are now {_EVENT_FIELDS}.")


def _event_new(*, kind: str, event_id: str, payload: dict[str, Any], sender_id: Any, now: dt.datetime) -> SystemEvent:
    """A new event, as SystemEvent(kind=..., event_id=..., payload=..., received_by=<sender>) gives it
    (received now), built from its values in field order: a third of the time, with no keyword or
    relation handling, which counts in a batch of thousands."""
    return SystemEvent(None, kind, event_id, payload, "", "", 1, "", [], [], now, None, sender_id)


def _receive_applied(
    cls: type[EventKind], events: list[SystemEvent], payloads: list[Any], *, system: Any
) -> list[dict[str, Any]]:
    """Process new events of a kind that applies itself one event at a time (EventKind.apply), with
    everything after apply done for the batch at once: each event is applied in its own savepoint (an
    event whose apply fails is undone and goes to the error queue), then the recipients, contacts
    and their checks of all the applied events are worked out together, as _receive_set_based does.
    An event that fails only there (nobody to contact, a contact refused, a misconfigured algorithm)
    had its apply written already: the batch's applies are then undone and done again without it, so
    the outcome is the one-by-one outcome (later events never see what a failed event wrote). Returns
    the contacts' audit entries, for the caller to write with the events'."""
    kind = cls()
    late: dict[int, DomainError] = {}  # failed after apply: not applied again
    while True:
        mark = transaction.savepoint()
        failed: dict[int, DomainError] = dict(late)
        applied: dict[int, tuple[str, list[Trigger]]] = {}
        for i, payload in enumerate(payloads):
            if i in failed:
                continue
            try:
                with transaction.atomic():
                    applied[i] = kind.apply(payload, user=system)
            except DomainError as exc:
                failed[i] = exc
        live = sorted(applied)
        specs_of = _specs_many([applied[i][1] for i in live])
        outcomes: dict[int, Outcome] = {}
        fresh: dict[int, DomainError] = {}  # failed after apply in this round
        for i, specs in zip(live, specs_of, strict=True):
            if isinstance(specs, DomainError):
                fresh[i] = specs
            else:
                outcomes[i] = Outcome(source_reference=applied[i][0], algorithms=specs[0], specs=specs[1])
        live = sorted(outcomes)
        plans = _contacts_plan([outcomes[i].specs for i in live], user=system)
        for i, plan in zip(live, plans, strict=True):
            if isinstance(plan, DomainError):
                fresh[i] = plan
        if fresh:  # undo this round's applies and do them again without the events that failed late
            transaction.savepoint_rollback(mark)
            late.update(fresh)
            continue
        transaction.savepoint_commit(mark)
        break
    good = [p for p in plans if not isinstance(p, DomainError)]
    for i, plan in zip(live, plans, strict=True):
        if not isinstance(plan, DomainError):
            outcomes[i].rows = plan.contacts
            outcomes[i].created = len(plan.new)
    audit = _contacts_write(good, user=system)
    for i, event in enumerate(events):
        if i in failed:
            _mark_error(event, failed[i])
        else:
            _mark_processed(event, outcomes[i])
    return audit


def _receive_set_based(
    cls: type[EventKind], events: list[SystemEvent], payloads: list[Any], *, system: Any
) -> list[dict[str, Any]]:
    """Process new events of a set-based kind together: the kind checks the payloads and works out the
    triggers (prepare_many), the recipients and contacts of the whole batch are read and checked at
    once, and each event is decided — processed, or to the error queue with the reason one-by-one
    processing would give — before anything is written. Then the source records (record_many), the
    contacts and their characteristics are written in one statement per table. Returns the contacts'
    audit entries, for the caller to write with the events'."""
    kind = cls()
    prepared = kind.prepare_many(payloads, user=system)
    failed: dict[int, DomainError] = {i: p for i, p in enumerate(prepared) if isinstance(p, DomainError)}
    live = [i for i in range(len(events)) if i not in failed]
    ready: dict[int, Prepared] = {i: prepared[i] for i in live}  # type: ignore[misc]
    specs_of = _specs_many([ready[i].triggers for i in live])
    outcomes: dict[int, Outcome] = {}
    for i, specs in zip(live, specs_of, strict=True):
        if isinstance(specs, DomainError):
            failed[i] = specs
        else:
            outcomes[i] = Outcome(source_reference=ready[i].source_reference, algorithms=specs[0], specs=specs[1])
    live = sorted(outcomes)
    plans = _contacts_plan([outcomes[i].specs for i in live], user=system)
    good: list[int] = []
    for i, plan in zip(live, plans, strict=True):
        if isinstance(plan, DomainError):
            failed[i] = plan
            continue
        outcomes[i].rows = plan.contacts
        outcomes[i].created = len(plan.new)
        good.append(i)
    if good:
        kind.record_many([ready[i] for i in good], user=system)
    audit = _contacts_write([p for p in plans if not isinstance(p, DomainError)], user=system)
    for i, event in enumerate(events):
        if i in failed:
            _mark_error(event, failed[i])
        else:
            _mark_processed(event, outcomes[i])
    return audit


def _receive_or_refusal(
    *, kind: str, event_id: str, payload: dict[str, Any], user: Any
) -> tuple[SystemEvent, bool] | DomainError:
    try:
        return event_receive(kind=kind, event_id=event_id, payload=payload, user=user)
    except ValidationFailed as exc:
        return exc
