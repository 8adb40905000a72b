"""Reading Control Central: the context, its alerts and its timeline, within the user's access groups.

These are the functions the API and the web pages call; each resolves the context first, so a CSR
never sees alerts or events of an account outside their access groups (NotFound instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from custcare.contacts.models import ContactType, Usage
from custcare.controlcentral.alerts import Alert, central_alerts
from custcare.controlcentral.context import CentralView, central_context_get
from custcare.controlcentral.timeline import TimelinePage, timeline_algorithm
from custcare.customers.models import ServiceAgreement
from custcare.todo.models import ToDoEntry


@dataclass
class Dashboard:
    view: CentralView
    alerts: list[Alert]
    timeline: TimelinePage
    service_agreements: list[ServiceAgreement]


def central_view(
    *,
    user: Any,
    account_id: str | None = None,
    person_id: str | None = None,
    premise_id: str | None = None,
    lists: bool = True,
) -> CentralView:
    return central_context_get(
        user=user, account_id=account_id, person_id=person_id, premise_id=premise_id, lists=lists
    )


def central_alerts_get(
    *, user: Any, account_id: str | None = None, person_id: str | None = None, premise_id: str | None = None
) -> tuple[CentralView, list[Alert]]:
    view = central_view(user=user, account_id=account_id, person_id=person_id, premise_id=premise_id, lists=False)
    return view, central_alerts(view.context)


def central_timeline_get(
    *,
    user: Any,
    account_id: str | None = None,
    person_id: str | None = None,
    premise_id: str | None = None,
    kinds: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    before: str | None = None,
    limit: int | None = None,
) -> tuple[CentralView, TimelinePage]:
    view = central_view(user=user, account_id=account_id, person_id=person_id, premise_id=premise_id, lists=False)
    page = timeline_algorithm().run(
        context=view.context, kinds=kinds, since=since, until=until, before=before, limit=limit
    )
    return view, page


def account_service_agreements(view: CentralView) -> list[ServiceAgreement]:
    if view.account is None:
        return []
    return list(
        ServiceAgreement.objects.filter(account=view.account)
        .select_related("sa_type", "premise")
        .order_by("-start_date", "id")
    )


OPEN_TODO_SHOWN = 10
SHORTHAND_SHOWN = 8


def shorthand_contact_types(view: CentralView) -> list[ContactType]:
    """Contact types a CSR can record in one click for the context: active, with a shorthand text, no
    required characteristic without a default, and every id the type requires in context."""
    types = (
        ContactType.objects.filter(active=True)
        .exclude(shorthand="")
        .exclude(characteristics__required=True, characteristics__default_value="")
        .select_related("contact_class")
        .order_by("contact_class_id", "type_code")
    )
    have = {"person": view.person is not None, "account": view.account is not None, "premise": view.premise is not None}
    usable = [
        t
        for t in types
        if all(getattr(t, f"{name}_usage") != Usage.REQUIRED or present for name, present in have.items())
    ]
    return usable[:SHORTHAND_SHOWN]


def central_open_todo(view: CentralView) -> list[ToDoEntry]:
    """The account's (or, with no account, the person's) open and being-worked To Do entries, oldest first."""
    open_ = [ToDoEntry.Status.OPEN, ToDoEntry.Status.BEING_WORKED_ON]
    if view.account is not None:
        entries = ToDoEntry.objects.filter(account=view.account, status__in=open_)
    elif view.person is not None:
        entries = ToDoEntry.objects.filter(person=view.person, status__in=open_)
    else:
        return []
    return list(
        entries.select_related("todo_type", "role", "assigned_to").order_by("created_at", "id")[:OPEN_TODO_SHOWN]
    )


def central_dashboard(
    *, user: Any, account_id: str | None = None, person_id: str | None = None, premise_id: str | None = None
) -> Dashboard:
    view = central_view(user=user, account_id=account_id, person_id=person_id, premise_id=premise_id)
    return Dashboard(
        view=view,
        alerts=central_alerts(view.context),
        timeline=timeline_algorithm().run(context=view.context),
        service_agreements=account_service_agreements(view),
    )
