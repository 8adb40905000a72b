"""The reminder panel on the contact page (steps 1.5–1.6): HTMX partials that list a contact's reminders
and log, change and cancel them through the contact services. Without JavaScript the forms post
normally and the browser is sent back to the contact page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from custcare.contacts.selectors import (
    contact_get,
    reminder_defaults,
    reminder_get,
    reminder_list_for_contact,
    todo_role_choices,
)
from custcare.contacts.services import reminder_cancel, reminder_log, reminder_update
from custcare.core.errors import Conflict, ValidationFailed
from custcare.security.roles import can
from custcare.web.forms import CsrForm, errors_apply
from custcare.web.views import csr_view

ERROR_RULES = [
    (r"send_to_role", "send_to_role"),
    (r"send_to_user", "send_to_user"),
    (r"recipient", "send_to_role"),
    (r"trigger_date", "trigger_date"),
    (r"comment", "comment"),
]


class ReminderForm(CsrForm):
    """Used with a prefix ("reminder", "edit"): the contact page has other forms with a comment field."""

    send_to_role = forms.ChoiceField(label="Send to To Do role", required=False)
    send_to_user = forms.CharField(
        label="or to user",
        required=False,
        max_length=150,
        help_text="A user name; leave the role empty.",
        widget=forms.TextInput(attrs={"list": "reminder-users", "autocomplete": "off"}),
    )
    trigger_date = forms.DateField(label="Trigger date", widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["send_to_role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(c, f"{c} – {d}") for c, d in todo_role_choices()]]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _todo_url(entry_id: str) -> str:
    """The To Do entry's page, when the To Do pages are installed."""
    for name in ("todo:entry", "web:todo_entry"):
        try:
            return reverse(name, args=[entry_id])
        except NoReverseMatch:
            continue
    return ""


def _rows(reminders: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for r in reminders:
        try:
            todo = r.todo_entry
        except Exception:  # no To Do entry yet
            todo = None
        rows.append({"reminder": r, "todo": todo, "todo_url": _todo_url(todo.id) if todo else ""})
    return rows


def _panel(
    request: HttpRequest,
    contact_id: str,
    *,
    form: ReminderForm | None = None,
    editing: int | None = None,
    edit_form: ReminderForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    contact = contact_get(contact_id=contact_id, user=request.user)
    if form is None:
        role, date = reminder_defaults(contact=contact)
        form = ReminderForm(prefix="reminder", initial={"send_to_role": role, "trigger_date": date})
    users = get_user_model().objects.filter(is_active=True, todo_role_memberships__isnull=False).distinct()
    context = {
        "contact": contact,
        "rows": _rows(reminder_list_for_contact(contact_id=contact_id, user=request.user)),
        "form": form,
        "editing": editing,
        "edit_form": edit_form,
        "error": error,
        "may_write": can(request.user, "contact.write"),
        "usernames": list(users.order_by("username").values_list("username", flat=True)[:200]),
    }
    # HTMX swaps only 2xx answers: a refused form is still shown, with its messages.
    return render(request, "web/reminders/panel.html", context, status=200 if _is_htmx(request) else status)


def _back(request: HttpRequest, contact_id: str, message: str) -> HttpResponse:
    if _is_htmx(request):
        return _panel(request, contact_id)
    messages.success(request, message)
    return redirect(reverse("web:contact", args=[contact_id]) + "#reminders")


def _recipient(data: dict[str, Any]) -> dict[str, Any]:
    return {"send_to_role": data["send_to_role"] or None, "send_to_user": (data["send_to_user"] or "").strip() or None}


@csr_view
def reminder_panel(request: HttpRequest, contact_id: str) -> HttpResponse:
    if request.method != "POST":
        return _panel(request, contact_id)
    contact = contact_get(contact_id=contact_id, user=request.user)
    form = ReminderForm(request.POST, prefix="reminder")
    if form.is_valid():
        data = form.cleaned_data
        try:
            reminder_log(
                contact=contact,
                user=request.user,
                trigger_date=data["trigger_date"],
                comment=data["comment"],
                **_recipient(data),
            )
        except ValidationFailed as exc:
            errors_apply(form, exc.fields, ERROR_RULES)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            return _back(request, contact_id, "Reminder logged.")
    return _panel(request, contact_id, form=form, status=422)


@csr_view
def reminder_edit(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = reminder_get(reminder_id=reminder_id, user=request.user)
    if request.method != "POST":
        initial = {
            "send_to_role": reminder.send_to_role_id or "",
            "send_to_user": reminder.send_to_user.get_username() if reminder.send_to_user_id else "",
            "trigger_date": reminder.trigger_date,
            "comment": reminder.comment,
        }
        return _panel(
            request, reminder.contact_id, editing=reminder.pk, edit_form=ReminderForm(prefix="edit", initial=initial)
        )
    form = ReminderForm(request.POST, prefix="edit")
    if form.is_valid():
        data = form.cleaned_data
        try:
            reminder_update(
                reminder_id=reminder.pk,
                user=request.user,
                trigger_date=data["trigger_date"],
                comment=data["comment"],
                **_recipient(data),
            )
        except Conflict as exc:
            return _panel(request, reminder.contact_id, error=exc.message, status=409)
        except ValidationFailed as exc:
            errors_apply(form, exc.fields, ERROR_RULES)
            if not exc.fields or "reminder" in exc.fields:
                form.add_error(None, exc.message)
        else:
            return _back(request, reminder.contact_id, "Reminder changed.")
    return _panel(request, reminder.contact_id, editing=reminder.pk, edit_form=form, status=422)


@csr_view
@require_POST
def reminder_cancel_view(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = reminder_get(reminder_id=reminder_id, user=request.user)
    try:
        reminder_cancel(reminder_id=reminder.pk, user=request.user, comment=request.POST.get("comment", ""))
    except Conflict as exc:
        return _panel(request, reminder.contact_id, error=exc.message, status=409)
    return _back(request, reminder.contact_id, "Reminder canceled.")
