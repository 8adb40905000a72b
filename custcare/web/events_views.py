"""Administrator tools for system events under /events/: the error queue (reason, payload, retry,
discard with a reason), and per configured event algorithm its contacts, its errors and a dry run
("what would this event create?") that changes nothing. Administrators only (config.write)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from custcare.core.errors import AccessDenied, NotFound, ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.registry import event_kinds
from custcare.events.selectors import (
    algorithm_contacts,
    algorithm_errors,
    dry_run_existing,
    event_algorithm_get,
    event_algorithm_list,
    system_event_get,
    system_event_list,
)
from custcare.events.services import event_discard, event_dry_run, event_retry
from custcare.security.context import user_security_context_load
from custcare.security.roles import can

PAGE_SIZE = 25
View = Callable[..., HttpResponse]


def admin_view(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user_security_context_load(request.user)
        if not can(request.user, "config.write"):
            raise PermissionDenied("Only administrators see system events (config.write).")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


class DryRunForm(forms.Form):
    kind = forms.ChoiceField(label="Event kind")
    payload = forms.CharField(label="Payload (JSON)", widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.code, f"{k.code} – {k.description}") for k in event_kinds()]

    def clean_payload(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["payload"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("The payload is a JSON object of the event's fields.")
        return value


@admin_view
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", SystemEvent.Status.ERROR)
    kind = request.GET.get("kind", "")
    events = system_event_list(user=request.user, kind=kind or None, status=status or None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/events/queue.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": SystemEvent.Status.choices,
            "kinds": [k.code for k in event_kinds()],
            "algorithms": event_algorithm_list(user=request.user),
        },
    )


@admin_view
def event_page(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = system_event_get(event_pk=event_pk, user=request.user)
    payload = json.dumps(event.payload, indent=2, sort_keys=True)
    return render(request, "web/events/event.html", {"event": event, "payload": payload})


@require_POST
@admin_view
def event_retry_view(request: HttpRequest, event_pk: int) -> HttpResponse:
    try:
        event = event_retry(event_pk=event_pk, user=request.user)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("events:event", event_pk=event_pk)
    if event.status == SystemEvent.Status.PROCESSED:
        messages.success(request, f"Event {event.event_id} processed: {len(event.contact_ids)} contact(s).")
    else:
        messages.warning(request, f"Event {event.event_id} is still in the error queue: {event.error}")
    return redirect("events:event", event_pk=event_pk)


@require_POST
@admin_view
def event_discard_view(request: HttpRequest, event_pk: int) -> HttpResponse:
    try:
        event = event_discard(event_pk=event_pk, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationFailed as exc:
        messages.error(request, f"{exc.message} Nothing changed.")
        return redirect("events:event", event_pk=event_pk)
    messages.success(request, f"Event {event.event_id} discarded.")
    return redirect("events:queue")


@admin_view
def algorithm_page(request: HttpRequest, code: str) -> HttpResponse:
    summary = event_algorithm_get(code=code, user=request.user)
    contacts = Paginator(algorithm_contacts(code=code, user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    errors = algorithm_errors(code=code, user=request.user)[:50]
    return render(
        request,
        "web/events/algorithm.html",
        {"summary": summary, "contacts": contacts, "errors": errors, "form": DryRunForm()},
    )


@admin_view
def dry_run(request: HttpRequest) -> HttpResponse:
    form = DryRunForm(request.POST or None, initial={"kind": request.GET.get("kind")})
    outcome = None
    rows: list[tuple[Any, bool]] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = event_dry_run(
                kind=form.cleaned_data["kind"], payload=form.cleaned_data["payload"], user=request.user
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
            for name, msgs in exc.fields.items():
                form.add_error(None, f"{name}: {' '.join(msgs)}")
        else:
            existing = dry_run_existing(outcome)
            rows = [(spec, i in existing) for i, spec in enumerate(outcome.specs)]
    return render(request, "web/events/dry_run.html", {"form": form, "outcome": outcome, "rows": rows})
