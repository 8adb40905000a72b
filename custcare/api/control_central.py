"""/control-central: the customer at a glance for telephony and other front ends.

GET /control-central/accounts/{id} (and /persons/{id}, /premises/{id}) returns the resolved context
(person, account, premise, and what can be switched to), the alerts of the configured alert algorithms
in sequence, and the first page of the timeline; GET .../timeline pages further back with the
`next_cursor` of the previous page, filtered by kind and dates. Accounts outside the caller's access
groups answer 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from custcare.api.errors import ERRORS
from custcare.controlcentral.selectors import Dashboard, central_dashboard, central_timeline_get
from custcare.controlcentral.timeline import TimelinePage

router = Router()


class RefOut(Schema):
    id: str
    label: str


class SAOut(Schema):
    id: str
    sa_type: str
    status: str
    status_label: str
    premise_id: str | None
    start_date: dt.date
    end_date: dt.date | None


class ContextOut(Schema):
    person: RefOut | None
    account: RefOut | None
    premise: RefOut | None
    accounts: list[RefOut] = Field(..., description="The person's accounts (switch account).")
    premises: list[RefOut] = Field(..., description="The account's premises (switch premise).")
    service_agreements: list[SAOut]


class AlertOut(Schema):
    algorithm: str = Field(..., description="The configured alert algorithm that raised it.")
    text: str
    count: int
    value: str | None
    severity: str = Field(..., description="info, warning or critical.")
    link: str


class EventOut(Schema):
    at: dt.datetime
    kind: str = Field(..., description="contact, bill, payment, field-activity, case, todo, ...")
    id: str
    title: str
    detail: str
    link: str
    all_day: bool = Field(..., description="Placed by a date (bills, cases...) rather than a time.")


class TimelineOut(Schema):
    events: list[EventOut]
    next_cursor: str | None = Field(..., description="Pass as `before` for the next (older) page; null: no more.")
    kinds: list[str]


class DashboardOut(Schema):
    context: ContextOut
    alerts: list[AlertOut]
    timeline: TimelineOut


class TimelineQuery(Schema):
    kind: list[str] = Field(default_factory=list, description="Only these kinds (repeat the parameter).")
    since: dt.date | None = None
    until: dt.date | None = None
    before: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int | None = Field(None, ge=1, le=200, description="Events per page; default: the timeline's page size.")


def _ref(obj: Any) -> dict[str, str] | None:
    return None if obj is None else {"id": obj.pk, "label": str(obj)}


def _timeline(page: TimelinePage) -> dict[str, Any]:
    return {"events": [e.__dict__ for e in page.events], "next_cursor": page.next_cursor, "kinds": page.kinds}


def _dashboard(board: Dashboard) -> dict[str, Any]:
    view = board.view
    return {
        "context": {
            "person": _ref(view.person),
            "account": _ref(view.account),
            "premise": _ref(view.premise),
            "accounts": [{"id": ap.account_id, "label": str(ap.account)} for ap in view.accounts],
            "premises": [_ref(p) for p in view.premises],
            "service_agreements": [
                {
                    "id": sa.pk,
                    "sa_type": sa.sa_type_id,
                    "status": sa.status,
                    "status_label": sa.get_status_display(),
                    "premise_id": sa.premise_id,
                    "start_date": sa.start_date,
                    "end_date": sa.end_date,
                }
                for sa in board.service_agreements
            ],
        },
        "alerts": [a.__dict__ for a in board.alerts],
        "timeline": _timeline(board.timeline),
    }


_SCOPES = {"accounts": "account_id", "persons": "person_id", "premises": "premise_id"}


def _routes(scope: str, arg: str) -> None:
    def dashboard(request, record_id: str):  # type: ignore[no-untyped-def]
        return _dashboard(central_dashboard(user=request.user, **{arg: record_id}))

    def timeline(request, record_id: str, filters: Query[TimelineQuery]):  # type: ignore[no-untyped-def]
        _, page = central_timeline_get(
            user=request.user,
            kinds=filters.kind or None,
            since=filters.since,
            until=filters.until,
            before=filters.before,
            limit=filters.limit,
            **{arg: record_id},
        )
        return _timeline(page)

    noun = scope[:-1]
    dashboard.__name__ = f"control_central_{noun}"
    timeline.__name__ = f"control_central_{noun}_timeline"
    router.add_api_operation(
        f"/{scope}/{{record_id}}",
        ["GET"],
        dashboard,
        response={200: DashboardOut, **ERRORS},
        summary=f"Control Central for a {noun}: context, alerts, first timeline page",
        operation_id=f"control_central_{noun}",
    )
    router.add_api_operation(
        f"/{scope}/{{record_id}}/timeline",
        ["GET"],
        timeline,
        response={200: TimelineOut, **ERRORS},
        summary=f"The {noun}'s customer contact timeline, newest first, by page",
        operation_id=f"control_central_{noun}_timeline",
    )


for _scope, _arg in _SCOPES.items():
    _routes(_scope, _arg)
