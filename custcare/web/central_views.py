"""Control Central pages: the dashboard and its zones, each loaded on its own through HTMX so one
slow zone never holds up the others. Every zone resolves the context again through the selectors,
so a zone URL cannot show an account outside the user's access groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from custcare.contacts.models import Usage
from custcare.contacts.services import customer_contact_add
from custcare.controlcentral.selectors import (
    account_service_agreements,
    central_alerts_get,
    central_open_todo,
    central_timeline_get,
    central_view,
    shorthand_contact_types,
)
from custcare.controlcentral.timeline import timeline_sources
from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.security.roles import can
from custcare.web.views import csr_view

RECENT_CONTACTS = 5


def _ids(request: HttpRequest) -> dict[str, Any]:
    return {
        "account_id": request.GET.get("account") or None,
        "person_id": request.GET.get("person") or None,
        "premise_id": request.GET.get("premise") or None,
    }


def _query(view: Any) -> str:
    ctx = view.context
    parts = [
        f"{k}={v}"
        for k, v in (("person", ctx.person_id), ("account", ctx.account_id), ("premise", ctx.premise_id))
        if v
    ]
    return "&".join(parts)


def _dashboard(request: HttpRequest, **ids: Any) -> HttpResponse:
    view = central_view(user=request.user, **ids)
    context = {
        "view": view,
        "q": _query(view),
        "service_agreements": account_service_agreements(view),
        "kinds": [(s.kind, s.label) for s in timeline_sources()],
    }
    return render(request, "web/central/dashboard.html", context)


@csr_view
def central_account(request: HttpRequest, account_id: str) -> HttpResponse:
    return _dashboard(
        request,
        account_id=account_id,
        person_id=request.GET.get("person") or None,
        premise_id=request.GET.get("premise") or None,
    )


@csr_view
def central_person(request: HttpRequest, person_id: str) -> HttpResponse:
    return _dashboard(request, person_id=person_id, account_id=request.GET.get("account") or None)


@csr_view
def central_premise(request: HttpRequest, premise_id: str) -> HttpResponse:
    return _dashboard(
        request,
        premise_id=premise_id,
        person_id=request.GET.get("person") or None,
        account_id=request.GET.get("account") or None,
    )


@csr_view
def zone_alerts(request: HttpRequest) -> HttpResponse:
    view, alerts = central_alerts_get(user=request.user, **_ids(request))
    return render(request, "web/central/_alerts.html", {"alerts": alerts, "view": view})


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a date.", {name: ["Use YYYY-MM-DD."]}) from None


@csr_view
def zone_timeline(request: HttpRequest) -> HttpResponse:
    kinds = [k for k in request.GET.getlist("kind") if k]
    error = ""
    page = None
    view = None
    try:
        view, page = central_timeline_get(
            user=request.user,
            kinds=kinds or None,
            since=_date(request.GET.get("since"), "since"),
            until=_date(request.GET.get("until"), "until"),
            before=request.GET.get("before") or None,
            **_ids(request),
        )
    except ValidationFailed as exc:
        error = exc.message
    more = ""
    if page is not None and page.next_cursor and view is not None:
        params = request.GET.copy()
        params["before"] = page.next_cursor
        more = f"{reverse('central:timeline')}?{params.urlencode()}"
    template = "web/central/_timeline_rows.html" if request.GET.get("before") else "web/central/_timeline.html"
    return render(request, template, {"page": page, "error": error, "more": more, "kinds": kinds})


def _contacts_zone(request: HttpRequest, ids: dict[str, Any], **extra: Any) -> HttpResponse:
    view, page = central_timeline_get(user=request.user, kinds=["contact"], limit=RECENT_CONTACTS, **ids)
    context = {
        "view": view,
        "events": page.events,
        "q": _query(view),
        "quick_types": shorthand_contact_types(view) if can(request.user, "contact.write") else [],
        **extra,
    }
    return render(request, "web/central/_contacts.html", context)


@csr_view
def zone_contacts(request: HttpRequest) -> HttpResponse:
    return _contacts_zone(request, _ids(request))


@csr_view
@require_POST
def quick_contact(request: HttpRequest) -> HttpResponse:
    """One-click entry: record a contact of a shorthand type for the customer in context, with the type's
    default method and its shorthand as the description; the zone comes back with the outcome and the
    other zones refresh."""
    ids = {
        "account_id": request.POST.get("account") or None,
        "person_id": request.POST.get("person") or None,
        "premise_id": request.POST.get("premise") or None,
    }
    view = central_view(user=request.user, lists=False, **ids)
    try:
        type_id = int(request.POST.get("contact_type", ""))
    except ValueError:
        return _contacts_zone(request, ids, error="Choose a contact type.")
    ctype = next((t for t in shorthand_contact_types(view) if t.pk == type_id), None)
    if ctype is None:
        return _contacts_zone(request, ids, error="That contact type cannot be recorded in one click here.")
    try:
        contact = customer_contact_add(
            user=request.user,
            method=ctype.default_method,
            contact_type_id=ctype.pk,
            person_id=view.person.pk if view.person and ctype.person_usage != Usage.NOT_ALLOWED else None,
            account_id=view.account.pk if view.account and ctype.account_usage != Usage.NOT_ALLOWED else None,
            premise_id=view.premise.pk if view.premise and ctype.premise_usage != Usage.NOT_ALLOWED else None,
        )
    except (ValidationFailed, AccessDenied) as exc:
        details = " ".join(m for msgs in getattr(exc, "fields", {}).values() for m in msgs)
        return _contacts_zone(request, ids, error=f"{exc.message} {details}".strip())
    response = _contacts_zone(request, ids, recorded=contact, recorded_type=ctype)
    response["HX-Trigger"] = "contactAdded"
    return response


@csr_view
def zone_todo(request: HttpRequest) -> HttpResponse:
    view = central_view(user=request.user, lists=False, **_ids(request))
    return render(request, "web/central/_todo.html", {"entries": central_open_todo(view), "view": view})


@csr_view
def zone_finance(request: HttpRequest) -> HttpResponse:
    from custcare.billing.selectors import account_financial_summary

    view = central_view(user=request.user, lists=False, **_ids(request))
    summary = account_financial_summary(account_id=view.account.pk) if view.account else None
    return render(request, "web/central/_finance.html", {"summary": summary, "view": view})
