"""The customer contact timeline (CI_TL-CUSTCO on Installation Options, spot CC-TIMELINE).

One chronological stream, newest first, of the customer's contacts and the account's other events:
field activities, cases, To Do entries, and what other apps register (bills, payments, letters,
calls...). Each app describes its events once as a `TimelineSource`: which records belong to the
context, the date or date-time that places them, and how they read. A page reads at most `limit + 1`
rows from each source by an index on (context, date) and merges them, so the first page and every
later page cost the same however many years of history the account has. Paging is by keyset: the
cursor is the (time, kind, id) of the last event shown.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from custcare.algorithms.models import InstallationAlgorithm
from custcare.algorithms.registry import AlgorithmType, Spot, register_algorithm_type
from custcare.algorithms.services import algorithm_instance
from custcare.cases.models import Case
from custcare.contacts.models import CustomerContact
from custcare.controlcentral.context import CentralContext
from custcare.core.errors import ValidationFailed
from custcare.fieldwork.models import FieldActivity
from custcare.todo.models import ToDoEntry

MAX_PAGE = 200


@dataclass(frozen=True)
class TimelineSource:
    kind: str  # "contact", "bill"...: shown as the event's kind and used in filters
    label: str
    # The context's records, unordered: one queryset, or several whose union they are (each is read by
    # its own ordered index scan, which an OR across two indexes would not allow), or None.
    records: Callable[[CentralContext], QuerySet[Any] | list[QuerySet[Any]] | None]
    at_field: str  # a DateField or DateTimeField of the model
    title: Callable[[Any], str]
    detail: Callable[[Any], str] = lambda r: ""
    link: Callable[[Any], str] = lambda r: ""
    order: int = 100  # position in the kind filter


_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    if source.kind in _SOURCES and _SOURCES[source.kind] is not source:
        raise ValueError(f"Timeline source {source.kind} is registered twice")
    _SOURCES[source.kind] = source
    return source


def timeline_sources() -> list[TimelineSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.kind))


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str
    id: str
    title: str
    detail: str
    link: str
    all_day: bool = False  # placed by a date, not a time (shown without a time)


@dataclass(frozen=True)
class TimelinePage:
    events: list[TimelineEvent]
    next_cursor: str | None  # None: no older events
    kinds: list[str]  # the kinds the page was read from


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def cursor_encode(event: TimelineEvent) -> str:
    raw = f"{event.at.isoformat()}|{event.kind}|{event.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, kind, record_id = raw.split("|", 2)
        return dt.datetime.fromisoformat(at), kind, record_id
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(
            "The timeline cursor is not valid.", {"before": ["Use the next_cursor of a timeline page."]}
        ) from None


def _is_date(model: type[models.Model], name: str) -> bool:
    field = model._meta.get_field(name)
    return isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)


def _older_than(source: TimelineSource, model: type[models.Model], cursor: tuple[dt.datetime, str, str]) -> Q:
    """Rows of this source that sort after the cursor in (time, kind, id) descending order."""
    at, kind, record_id = cursor
    name = source.at_field
    if _is_date(model, name):
        day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
        midnight = _as_datetime(day)
        if at > midnight:  # the source's rows of that day sort at its midnight, before the cursor
            return Q(**{f"{name}__lte": day})
        strictly, same = Q(**{f"{name}__lt": day}), Q(**{name: day})
    else:
        strictly, same = Q(**{f"{name}__lt": at}), Q(**{name: at})
    if source.kind < kind:
        return strictly | same
    if source.kind == kind:
        return strictly | (same & Q(pk__lt=record_id))
    return strictly


def _bounds(source: TimelineSource, model: type[models.Model], since: dt.date | None, until: dt.date | None) -> Q:
    name = source.at_field
    q = Q()
    if _is_date(model, name):
        if since:
            q &= Q(**{f"{name}__gte": since})
        if until:
            q &= Q(**{f"{name}__lte": until})
    else:
        if since:
            q &= Q(**{f"{name}__gte": _as_datetime(since)})
        if until:
            q &= Q(**{f"{name}__lt": _as_datetime(until + dt.timedelta(days=1))})
    return q


def timeline_page(
    context: CentralContext,
    *,
    kinds: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    before: str | None = None,
    limit: int = 50,
) -> TimelinePage:
    """A page of the context's timeline, newest first, `limit` events at most, older than `before`."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"Ask for 1 to {MAX_PAGE} events.", {"limit": [f"1 to {MAX_PAGE}."]})
    known = {s.kind: s for s in timeline_sources()}
    unknown = sorted(set(kinds or []) - set(known))
    if unknown:
        raise ValidationFailed(
            f"Unknown timeline kinds: {', '.join(unknown)}.", {"kind": [f"Choose from {', '.join(known)}."]}
        )
    if since and until and since > until:
        raise ValidationFailed("The start date is after the end date.", {"since": ["On or before 'until'."]})
    cursor = cursor_decode(before) if before else None
    chosen = [known[k] for k in kinds] if kinds else list(known.values())
    events: list[TimelineEvent] = []
    reads: list[tuple[TimelineSource, QuerySet[Any]]] = []
    for source in chosen:
        found = source.records(context)
        if found is None:
            continue
        reads.extend((source, qs) for qs in (found if isinstance(found, list) else [found]))
    for source, qs in reads:
        model = qs.model
        qs = qs.filter(_bounds(source, model, since, until))
        if cursor:
            qs = qs.filter(_older_than(source, model, cursor))
        all_day = _is_date(model, source.at_field)
        for row in qs.order_by(f"-{source.at_field}", "-pk")[: limit + 1]:
            events.append(
                TimelineEvent(
                    at=_as_datetime(getattr(row, source.at_field)),
                    kind=source.kind,
                    id=str(row.pk),
                    title=source.title(row),
                    detail=source.detail(row),
                    link=source.link(row),
                    all_day=all_day,
                )
            )
    events.sort(key=lambda e: (e.at, e.kind, e.id), reverse=True)
    more = len(events) > limit
    events = events[:limit]
    return TimelinePage(
        events=events,
        next_cursor=cursor_encode(events[-1]) if more and events else None,
        kinds=[s.kind for s in chosen],
    )


class TimelineParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: list[str] = Field(
        default_factory=list, description="The kinds of events the timeline shows, e.g. contact, bill; empty: all."
    )
    page_size: int = Field(50, ge=1, le=MAX_PAGE, description="Events per page.")

    @field_validator("kinds")
    @classmethod
    def known(cls, value: list[str]) -> list[str]:
        registered = {s.kind for s in timeline_sources()}
        unknown = sorted(set(value) - registered)
        if unknown and registered:
            raise ValueError(f"unknown kinds {', '.join(unknown)}; choose from {', '.join(sorted(registered))}")
        return value


@register_algorithm_type("CI_TL-CUSTCO", spot=Spot.CONTACT_TIMELINE)
class CustomerContactTimeline(AlgorithmType):
    """Show the customer's contacts with the account's other events in one chronological timeline."""

    Params = TimelineParams

    def run(self, **kwargs: Any) -> TimelinePage:
        params = self.params
        assert isinstance(params, TimelineParams)
        wanted = kwargs.get("kinds") or params.kinds or None
        if wanted and params.kinds:
            allowed = set(params.kinds)
            refused = sorted(set(wanted) - allowed)
            if refused:
                raise ValidationFailed(
                    f"The timeline does not show {', '.join(refused)}.",
                    {"kind": [f"Choose from {', '.join(params.kinds)}."]},
                )
        return timeline_page(
            kwargs["context"],
            kinds=wanted,
            since=kwargs.get("since"),
            until=kwargs.get("until"),
            before=kwargs.get("before"),
            limit=kwargs.get("limit") or params.page_size,
        )


def timeline_algorithm() -> CustomerContactTimeline:
    """The timeline algorithm plugged into Installation Options, or the default (all kinds, 50 a page)."""
    plugged = (
        InstallationAlgorithm.objects.filter(options_id=1, spot=Spot.CONTACT_TIMELINE.value, enabled=True)
        .select_related("algorithm")
        .order_by("sequence", "id")
        .first()
    )
    if plugged is not None:
        inst = algorithm_instance(plugged.algorithm)
        if isinstance(inst, CustomerContactTimeline):
            return inst
    return CustomerContactTimeline(TimelineParams.model_validate({}))


# The sources of the apps Control Central already depends on; other apps register theirs.


def _contacts(context: CentralContext) -> QuerySet[Any] | list[QuerySet[Any]] | None:
    qs = CustomerContact.objects.select_related("contact_type")
    if context.account_id and context.person_id:
        # The account's contacts and the person's contacts that name no account: two ordered reads.
        return [qs.filter(account_id=context.account_id), qs.filter(person_id=context.person_id, account__isnull=True)]
    if context.account_id:
        return qs.filter(account_id=context.account_id)
    if context.person_id:
        return qs.filter(person_id=context.person_id)
    return None


register_timeline_source(
    TimelineSource(
        kind="contact",
        label="Customer contacts",
        records=_contacts,
        at_field="contact_datetime",
        title=lambda c: f"{c.contact_type.description} ({c.get_method_display()}, {c.get_direction_display()})",
        detail=lambda c: (c.description or "")[:200],
        link=lambda c: reverse("web:contact", args=[c.pk]),
        order=10,
    )
)

register_timeline_source(
    TimelineSource(
        kind="field-activity",
        label="Field activities",
        records=lambda ctx: (
            FieldActivity.objects.filter(
                account_id=ctx.account_id, status=FieldActivity.Status.COMPLETED
            ).select_related("fa_type")
            if ctx.account_id
            else None
        ),
        at_field="completed_at",
        title=lambda fa: f"Field activity {fa.fa_type.description} completed",
        detail=lambda fa: f"{fa.id}" + (f", crew {fa.crew}" if fa.crew else ""),
        order=50,
    )
)

register_timeline_source(
    TimelineSource(
        kind="case",
        label="Cases",
        records=lambda ctx: (
            Case.objects.filter(account_id=ctx.account_id).select_related("case_type", "status")
            if ctx.account_id
            else None
        ),
        at_field="opened_on",
        title=lambda c: f"Case {c.case_type.description} opened",
        detail=lambda c: f"{c.id}: {c.status.description}" + (f" – {c.description}" if c.description else ""),
        order=60,
    )
)

register_timeline_source(
    TimelineSource(
        kind="todo",
        label="To Do entries",
        records=lambda ctx: (
            ToDoEntry.objects.filter(account_id=ctx.account_id).select_related("todo_type") if ctx.account_id else None
        ),
        at_field="created_at",
        title=lambda t: f"To Do {t.todo_type.description} ({t.get_status_display()})",
        detail=lambda t: t.message,
        link=lambda t: reverse("todo:entry", args=[t.pk]),
        order=70,
    )
)
