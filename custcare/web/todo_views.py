"""To Do pages: the worklist, an entry with its actions, the supervisor summary and bulk work.

Thin adapters: reads through custcare.todo.selectors, writes through custcare.todo.services; a refused
action re-shows the entry page with the service's message next to the form, and nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from custcare.core.errors import AccessDenied, Conflict, ValidationFailed
from custcare.todo.models import ToDoEntry
from custcare.todo.selectors import (
    EntryFilters,
    info_texts,
    todo_assignable_users,
    todo_entry_detail,
    todo_entry_list,
    todo_role_list,
    todo_summary,
    todo_type_list,
    worklist,
)
from custcare.todo.services import (
    AssignmentWarnings,
    todo_assign,
    todo_bulk_complete,
    todo_bulk_forward,
    todo_complete,
    todo_forward,
    todo_log_add,
    todo_priority_set,
    todo_send_back,
    todo_take_next,
)
from custcare.web.forms import CsrForm, errors_apply
from custcare.web.views import csr_view

BULK_PAGE_SIZE = 100


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _user_choices() -> list[tuple[str, str]]:
    users = todo_assignable_users()
    return [("", "— choose —")] + [(u.username, f"{u.get_full_name() or u.username} ({u.username})") for u in users]


def _role_choices() -> list[tuple[str, str]]:
    return [("", "— choose —")] + [(r.code, f"{r.code} – {r.description}") for r in todo_role_list()]


class WorklistFilterForm(CsrForm):
    scope = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("all", "Mine and my roles'"),
            ("mine", "Mine (being worked on)"),
            ("roles", "My roles' open entries"),
        ],
    )
    todo_type = forms.ChoiceField(label="To Do type", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self, "todo_type", [("", "All types")] + [(t.code, f"{t.code} – {t.description}") for t in todo_type_list()]
        )


class AssignForm(CsrForm):
    user = forms.ChoiceField(label="Assign to")
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=500)
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "user", _user_choices())


class ForwardForm(CsrForm):
    role = forms.ChoiceField(label="To role", required=False)
    user = forms.ChoiceField(label="Or to user", required=False)
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=500)
    override = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "role", _role_choices())
        _set_choices(self, "user", _user_choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("role")) == bool(data.get("user")):
            raise forms.ValidationError("Choose a role or a user to forward to (one of them).")
        return data


class CommentForm(CsrForm):
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class OptionalCommentForm(CsrForm):
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=500)


class PriorityForm(CsrForm):
    priority = forms.IntegerField(label="Priority (1 highest, 100 lowest)", min_value=1, max_value=100)
    comment = forms.CharField(label="Reason (optional)", required=False, max_length=500)


class BulkForm(CsrForm):
    action = forms.ChoiceField(label="Action", choices=[("forward", "Forward"), ("complete", "Complete")])
    role = forms.ChoiceField(label="Forward to role", required=False)
    user = forms.ChoiceField(label="Or forward to user", required=False)
    comment = forms.CharField(label="Completion comment", required=False, max_length=4000)
    override = forms.BooleanField(label="Assign even when skills are missing", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "role", _role_choices())
        _set_choices(self, "user", _user_choices())


# Worklist


@csr_view
def worklist_page(request: HttpRequest) -> HttpResponse:
    form = WorklistFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = worklist(
        user=request.user,
        page=page_number,
        todo_type=data.get("todo_type") or "",
        scope=data.get("scope") or "all",
    )
    context = {"form": form, "page": page}
    if getattr(request, "htmx", False):
        return render(request, "web/todo/_worklist_table.html", context)
    return render(request, "web/todo/worklist.html", context)


@csr_view
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    entry = todo_take_next(user=request.user)
    if entry is None:
        messages.info(request, "Nothing to take: your roles have no open entry you have the skills for.")
        return redirect("todo:worklist")
    messages.success(request, f"To Do {entry.id} is yours now.")
    return redirect("todo:entry", entry_id=entry.id)


# One entry


def _entry_page(request: HttpRequest, entry_id: str, status: int = 200, **forms_: Any) -> HttpResponse:
    detail = todo_entry_detail(entry_id=entry_id, user=request.user)
    links = []
    e = detail.entry
    if e.contact_id and detail.contact_visible:
        links.append(("Customer contact", reverse("web:contact", args=[e.contact_id])))
    if e.person_id and detail.person_visible:
        links.append(
            (f"Person {e.person.primary_name if e.person else e.person_id}", reverse("web:person", args=[e.person_id]))
        )
    if e.account_id and detail.account_visible:
        links.append((f"Account {e.account_id}", reverse("web:account", args=[e.account_id])))
    context = {
        "detail": detail,
        "entry": e,
        "links": links,
        "assign_form": forms_.get("assign_form") or AssignForm(),
        "forward_form": forms_.get("forward_form") or ForwardForm(),
        "send_back_form": forms_.get("send_back_form") or OptionalCommentForm(prefix="back"),
        "note_form": forms_.get("note_form") or CommentForm(prefix="note"),
        "complete_form": forms_.get("complete_form") or CommentForm(prefix="done"),
        "priority_form": forms_.get("priority_form") or PriorityForm(initial={"priority": e.priority}),
        "warnings": forms_.get("warnings") or [],
        "warning_action": forms_.get("warning_action", ""),
    }
    return render(request, "web/todo/entry.html", context, status=status)


@csr_view
def entry_page(request: HttpRequest, entry_id: str) -> HttpResponse:
    return _entry_page(request, entry_id)


def _refused(form: forms.Form, exc: ValidationFailed | Conflict | AccessDenied) -> None:
    errors_apply(form, exc.fields, [(name, name) for name in form.fields])
    if not exc.fields or not any(k in form.fields for k in exc.fields):
        form.add_error(None, exc.message)


def _done(request: HttpRequest, entry_id: str, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("todo:entry", entry_id=entry_id)


@csr_view
@require_POST
def entry_assign(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = AssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            todo_assign(
                entry_id=entry_id,
                assignee=data["user"],
                user=request.user,
                override=data["override"],
                comment=data["comment"],
            )
        except AssignmentWarnings as exc:
            confirm = AssignForm(initial={**data, "override": True})
            return _entry_page(
                request, entry_id, 409, assign_form=confirm, warnings=exc.warnings, warning_action="assign"
            )
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            return _done(request, entry_id, f"To Do {entry_id} is assigned to {data['user']}.")
    return _entry_page(request, entry_id, 422, assign_form=form)


@csr_view
@require_POST
def entry_forward(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = ForwardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            todo_forward(
                entry_id=entry_id,
                user=request.user,
                role_code=data["role"] or None,
                to_user=data["user"] or None,
                override=data["override"],
                comment=data["comment"],
            )
        except AssignmentWarnings as exc:
            confirm = ForwardForm(initial={**data, "override": True})
            return _entry_page(
                request, entry_id, 409, forward_form=confirm, warnings=exc.warnings, warning_action="forward"
            )
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            return _done(request, entry_id, f"To Do {entry_id} is forwarded to {data['role'] or data['user']}.")
    return _entry_page(request, entry_id, 422, forward_form=form)


@csr_view
@require_POST
def entry_send_back(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = OptionalCommentForm(request.POST, prefix="back")
    if form.is_valid():
        try:
            entry = todo_send_back(entry_id=entry_id, user=request.user, comment=form.cleaned_data["comment"])
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            to = entry.assigned_to.get_username() if entry.assigned_to else f"role {entry.role_id}"
            return _done(request, entry_id, f"To Do {entry_id} is sent back to {to}.")
    return _entry_page(request, entry_id, 422, send_back_form=form)


@csr_view
@require_POST
def entry_note(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = CommentForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            todo_log_add(entry_id=entry_id, user=request.user, comment=form.cleaned_data["comment"])
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            return _done(request, entry_id, "Note added to the log.")
    return _entry_page(request, entry_id, 422, note_form=form)


@csr_view
@require_POST
def entry_complete(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = CommentForm(request.POST, prefix="done")
    if form.is_valid():
        try:
            todo_complete(entry_id=entry_id, user=request.user, comment=form.cleaned_data["comment"])
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            return _done(request, entry_id, f"To Do {entry_id} is complete.")
    return _entry_page(request, entry_id, 422, complete_form=form)


@csr_view
@require_POST
def entry_priority(request: HttpRequest, entry_id: str) -> HttpResponse:
    form = PriorityForm(request.POST)
    if form.is_valid():
        try:
            todo_priority_set(
                entry_id=entry_id,
                user=request.user,
                priority=form.cleaned_data["priority"],
                comment=form.cleaned_data["comment"],
            )
        except (ValidationFailed, Conflict, AccessDenied) as exc:
            _refused(form, exc)
        else:
            return _done(request, entry_id, f"Priority set to {form.cleaned_data['priority']}.")
    return _entry_page(request, entry_id, 422, priority_form=form)


# Supervisors


@csr_view
def summary_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/todo/summary.html", {"summary": todo_summary(user=request.user)})


@csr_view
def bulk_page(request: HttpRequest) -> HttpResponse:
    result = None
    form = BulkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ids = request.POST.getlist("ids")
        data = form.cleaned_data
        try:
            if not ids:
                raise ValidationFailed("Tick the entries first.")
            if data["action"] == "complete":
                result = todo_bulk_complete(entry_ids=ids, user=request.user, comment=data["comment"])
            else:
                result = todo_bulk_forward(
                    entry_ids=ids,
                    user=request.user,
                    role_code=data["role"] or None,
                    to_user=data["user"] or None,
                    override=data["override"],
                )
        except (ValidationFailed, AccessDenied) as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{len(result.done)} entries done, {len(result.failed)} refused.")
    role = request.GET.get("role") or None
    entries = list(
        todo_entry_list(user=request.user, filters=EntryFilters(role=role), supervised_only=True).exclude(
            status=ToDoEntry.Status.COMPLETE
        )[:BULK_PAGE_SIZE]
    )
    texts = info_texts(entries)
    rows = [(e, texts[e.id]) for e in entries]
    context = {"form": form, "rows": rows, "result": result, "roles": todo_role_list(), "role": role or ""}
    return render(request, "web/todo/bulk.html", context, status=422 if form.errors else 200)
