"""Event kinds and the algorithms that turn events into customer contacts (step 2.0).

An event kind names something that happens elsewhere (a field activity is completed, a membership is
activated...). Its `Payload` is the validated shape an integrator sends; `apply` records what the event
says on CustCare's own copy of the source records and returns the triggers: each an algorithm
configured on the source's entity (a remark type, a campaign, an SA type...) with the context it runs
in. Contact-creating algorithms share `ContactAlgorithm`: typed parameters naming the contact class and
type, method, recipients, message and an optional characteristic stamped with the source record's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import AlgorithmType
from custcare.core.errors import DomainError


@dataclass
class EventContext:
    """What an algorithm knows about the event it runs for."""

    source_reference: str  # e.g. "field-activity:FA-1001"; with the algorithm code it keys idempotence
    account_id: str | None = None
    person_id: str | None = None
    premise_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # values a message may use: {remark}, {campaign}...


@dataclass
class Trigger:
    algorithm: Algorithm
    context: EventContext


@dataclass
class ContactSpec:
    """A contact an algorithm asks for; the events service creates it once."""

    algorithm: str
    contact_class: str
    contact_type: str
    person_id: str | None
    account_id: str | None
    premise_id: str | None
    method: str
    direction: str
    description: str
    is_open: bool | None
    characteristics: dict[str, str]
    origin_reference: str
    letter_template: str = ""


class ContactParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_class: str = Field(description="Class of the contact created.")
    contact_type: str = Field(description="Type (within the class) of the contact created.")
    method: Literal["PHONE", "POSTAL", "EMAIL", "FAX", "SMS", "NA"] = "NA"
    direction: Literal["IN", "OUT"] = "OUT"
    recipients: Literal["PERSON", "MAIN", "NOTIFY"] = Field(
        "MAIN",
        description="PERSON: the person the event names; MAIN: the account's main customer; NOTIFY: every "
        "person on the account who receives notifications.",
    )
    message: str = Field("", description="The contact's description; {placeholders} take the event's values.")
    is_open: bool | None = Field(None, description="Open flag; empty takes the contact type's default.")
    stamp_char_type: str | None = Field(None, description="A characteristic of the type to stamp with the source id.")
    letter_template: str = Field("", description="Letter template to send (overrides the contact type's).")


class ContactAlgorithm(AlgorithmType):
    """Base of the algorithms that create customer contacts for events."""

    Params: ClassVar[type[BaseModel]] = ContactParams

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        from custcare.contacts.models import ContactType, ContactTypeCharacteristic

        assert isinstance(params, ContactParams)
        ctype = ContactType.objects.filter(contact_class_id=params.contact_class, type_code=params.contact_type).first()
        if ctype is None:
            return {"contact_type": [f"No contact type {params.contact_class}/{params.contact_type}."]}
        errors: dict[str, list[str]] = {}
        if not ctype.active:
            errors["contact_type"] = [f"Contact type {params.contact_class}/{params.contact_type} is inactive."]
        if params.recipients == "PERSON" and ctype.person_usage == "NA":
            errors["recipients"] = ["This contact type does not allow a person."]
        if (
            params.stamp_char_type
            and not ContactTypeCharacteristic.objects.filter(
                contact_type=ctype, char_type_id=params.stamp_char_type
            ).exists()
        ):
            errors["stamp_char_type"] = [f"{params.stamp_char_type} is not a characteristic of this contact type."]
        return errors

    def describe(self, context: EventContext) -> str:
        params = self.params
        assert isinstance(params, ContactParams)
        try:
            return params.message.format(**context.fields) if params.message else ""
        except (KeyError, IndexError, ValueError):
            return params.message

    def run(self, **kwargs: Any) -> list[ContactSpec]:
        """The contacts for `context`; `recipients` (person, account) pairs, when given, were resolved
        for a whole batch at once (see events_receive_many) and are not read again."""
        from custcare.events.recipients import recipients_resolve

        context: EventContext = kwargs["context"]
        params = self.params
        assert isinstance(params, ContactParams)
        chars = (
            {params.stamp_char_type: context.source_reference.split(":", 1)[-1][:120]} if params.stamp_char_type else {}
        )
        return [
            ContactSpec(
                algorithm=self.code,
                contact_class=params.contact_class,
                contact_type=params.contact_type,
                person_id=person_id,
                account_id=account_id,
                premise_id=context.premise_id,
                method=params.method,
                direction=params.direction,
                description=self.describe(context),
                is_open=params.is_open,
                characteristics=chars,
                origin_reference=f"{kwargs.get('algorithm_code', self.code)}:{context.source_reference}"[:80],
                letter_template=params.letter_template,
            )
            for person_id, account_id in (
                kwargs["recipients"]
                if kwargs.get("recipients") is not None
                else recipients_resolve(context=context, mode=params.recipients)
            )
        ]


@dataclass
class Prepared:
    """What one event will do, worked out before anything is written: its source reference, its
    triggers, and the rows `record_many` writes once the event is known to succeed."""

    source_reference: str
    triggers: list[Trigger]
    rows: Any = None


class EventKind:
    """A kind of system event: its payload schema and how it is applied.

    A kind may also offer set-based intake (`set_based = True`): `prepare_many` checks a whole batch of
    payloads and works out each event's triggers with a few queries and no writes, and `record_many`
    writes the source records of the events that succeeded in one statement per table. Bulk intake then
    decides which events fail (to the error queue) before anything is written, so a failing event never
    undoes the others and no savepoint per event is needed. Kinds without it apply each event of a batch
    in a savepoint; their recipients, contacts and audit entries are still worked out for the batch at once."""

    code: ClassVar[str]
    description: ClassVar[str] = ""
    Payload: ClassVar[type[BaseModel]]
    set_based: ClassVar[bool] = False
    # The payload field naming the source record the event is about (e.g. the field activity id), for
    # partition_key; None: the event id.
    partition_field: ClassVar[str | None] = None

    @classmethod
    def partition_key(cls, event_id: str, payload: dict[str, Any]) -> str:
        """Which events must be received one after the other, in file order: those about the same source
        record. Read from the raw (not yet validated) payload, so it costs nothing; a payload without the
        field (malformed, refused anyway) is keyed by its event id. `custcare events import --workers`
        sends all the events of one key to the same worker."""
        value = payload.get(cls.partition_field) if cls.partition_field else None
        if value is None or value == "":
            return f"event:{event_id}"
        return f"{cls.partition_field}:{value}"

    def apply(self, payload: BaseModel, *, user: Any) -> tuple[str, list[Trigger]]:
        """Record the event on the source records; return the source reference and the triggers."""
        if not self.set_based:
            raise NotImplementedError
        (prepared,) = self.prepare_many([payload], user=user)
        if isinstance(prepared, Exception):
            raise prepared
        self.record_many([prepared], user=user)
        return prepared.source_reference, prepared.triggers

    def prepare_many(self, payloads: list[BaseModel], *, user: Any) -> list[Prepared | DomainError]:
        """Each payload's Prepared, or the DomainError its event goes to the error queue with; no writes."""
        raise NotImplementedError

    def record_many(self, prepared: list[Prepared], *, user: Any) -> None:
        """Write what the given (successful) events say on the source records, in event order."""
        raise NotImplementedError


_KINDS: dict[str, type[EventKind]] = {}


def register_event_kind(code: str, *, description: str = ""):  # type: ignore[no-untyped-def]
    def wrap(cls: type[EventKind]) -> type[EventKind]:
        cls.code = code
        cls.description = description or (cls.__doc__ or "").strip().splitlines()[0]
        _KINDS[code] = cls
        return cls

    return wrap


def event_kind_get(code: str) -> type[EventKind] | None:
    return _KINDS.get(code)


def event_kinds() -> list[type[EventKind]]:
    return sorted(_KINDS.values(), key=lambda k: k.code)
