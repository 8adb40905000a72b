"""Logging, changing and canceling reminders (steps 1.5–1.6) at the service level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from custcare.contacts.models import ContactLogEntry, Reminder
from custcare.contacts.selectors import reminder_list_for_contact
from custcare.contacts.services import reminder_cancel, reminder_log, reminder_update
from custcare.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from custcare.core.models import AuditEntry
from custcare.todo.models import ToDoEntry
from tests.factories import account_make, person_make


def _counts():
    return (Reminder.objects.count(), ContactLogEntry.objects.count(), AuditEntry.objects.count())


def test_a_reminder_for_a_role_is_logged_with_its_log_entry_and_audited(contact, csr):
    date = timezone.localdate() + dt.timedelta(days=3)
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", trigger_date=date, comment=" call back ")
    reminder.refresh_from_db()
    assert (reminder.state, reminder.send_to_role_id, reminder.send_to_user_id) == ("PENDING", "BILLING", None)
    assert (reminder.trigger_date, reminder.comment, reminder.created_by) == (date, "call back", csr)
    log = reminder.log_entry
    assert log.contact == contact and log.user == csr and log.kind == ContactLogEntry.Kind.NOTE
    assert "role BILLING" in log.comment and "call back" in log.comment
    audit = AuditEntry.objects.get(entity_type="contacts.reminder", entity_id=str(reminder.pk))
    assert audit.action == "add" and audit.username == csr.username


def test_a_contact_may_carry_several_reminders(contact, csr, supervisor):
    reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="first")
    reminder_log(contact=contact, user=csr, send_to_user=supervisor.username, comment="second")
    rows = reminder_list_for_contact(contact_id=contact.pk, user=csr)
    assert [(r.comment, r.send_to_role_id, r.send_to_user_id) for r in rows] == [
        ("first", "BILLING", None),
        ("second", None, supervisor.pk),
    ]


def test_defaults_come_from_the_contact_type(contact, csr, payarr):
    payarr.reminder_role = "FIELD"
    payarr.reminder_days = 5
    payarr.save()
    reminder = reminder_log(contact=contact, user=csr, comment="check the meter")
    assert reminder.send_to_role_id == "FIELD"
    assert reminder.trigger_date == timezone.localdate() + dt.timedelta(days=5)


def test_without_days_on_the_type_the_trigger_date_is_tomorrow(contact, csr, payarr):
    assert payarr.reminder_days is None
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="x")
    assert reminder.trigger_date == timezone.localdate() + dt.timedelta(days=1)


def test_a_named_user_overrides_the_types_default_role(contact, csr, supervisor, payarr):
    payarr.reminder_role = "FIELD"
    payarr.save()
    reminder = reminder_log(contact=contact, user=csr, send_to_user=supervisor, comment="for you")
    assert (reminder.send_to_user_id, reminder.send_to_role_id) == (supervisor.pk, None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"send_to_role": "BILLING", "send_to_user": "super1"}, "recipient"),
        ({}, "recipient"),  # the type has no reminder role
        ({"send_to_role": "NOPE"}, "send_to_role"),
        ({"send_to_user": "nobody"}, "send_to_user"),
        ({"send_to_user": "gone"}, "send_to_user"),
        ({"send_to_role": "BILLING", "trigger_date": dt.date(2020, 1, 1)}, "trigger_date"),
        ({"send_to_role": "BILLING", "comment": "   "}, "comment"),
    ],
)
def test_refusals_change_nothing(contact, csr, supervisor, django_user_model, kwargs, field):
    django_user_model.objects.create_user("gone", password="x", is_active=False)
    before = _counts()
    args = {"comment": "call back", **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        reminder_log(contact=contact, user=csr, **args)
    assert field in exc.value.fields
    assert _counts() == before


def test_a_contact_the_user_may_not_see_is_refused(csr, csr_commercial, payarr):
    from custcare.contacts.services import customer_contact_add

    person = person_make(csr, name="Hidden, Harry")
    account = account_make(csr, person, access_group="RES")
    contact = customer_contact_add(
        user=csr, contact_type_id=payarr.id, method="PHONE", person_id=person.id, account_id=account.id
    )
    before = _counts()
    with pytest.raises(AccessDenied):
        reminder_log(contact=contact, user=csr_commercial, send_to_role="BILLING", comment="x")
    with pytest.raises(NotFound):
        reminder_list_for_contact(contact_id=contact.pk, user=csr_commercial)
    assert _counts() == before


def test_a_pending_reminder_can_be_changed_and_the_change_is_logged(contact, csr, supervisor):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="call back")
    new_date = timezone.localdate() + dt.timedelta(days=10)
    reminder_update(
        reminder_id=reminder.pk, user=csr, send_to_user=supervisor.username, trigger_date=new_date, comment="later"
    )
    reminder.refresh_from_db()
    assert (reminder.send_to_user_id, reminder.send_to_role_id) == (supervisor.pk, None)
    assert (reminder.trigger_date, reminder.comment, reminder.state) == (new_date, "later", "PENDING")
    entry = ContactLogEntry.objects.filter(contact=contact).latest("id")
    assert f"Reminder {reminder.pk} changed" in entry.comment
    assert entry.changes["before"]["send_to_role_id"] == "BILLING"
    assert entry.changes["after"]["send_to_user_id"] == supervisor.pk
    audit = AuditEntry.objects.filter(entity_type="contacts.reminder", action="change").get()
    assert audit.before["comment"] == "call back" and audit.after["comment"] == "later"


def test_a_refused_change_changes_nothing(contact, csr):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="call back")
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        reminder_update(reminder_id=reminder.pk, user=csr, trigger_date=dt.date(2020, 1, 1), comment="new")
    assert "trigger_date" in exc.value.fields
    with pytest.raises(ValidationFailed):
        reminder_update(reminder_id=reminder.pk, user=csr, comment="call back")  # no change
    reminder.refresh_from_db()
    assert (reminder.comment, reminder.trigger_date > dt.date(2020, 1, 1)) == ("call back", True)
    assert _counts() == before


def test_a_pending_reminder_can_be_canceled(contact, csr):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="call back")
    reminder_cancel(reminder_id=reminder.pk, user=csr, comment="customer paid")
    reminder.refresh_from_db()
    assert reminder.state == "CANCELED"
    entry = ContactLogEntry.objects.filter(contact=contact).latest("id")
    assert f"Reminder {reminder.pk} canceled" in entry.comment and "customer paid" in entry.comment
    assert AuditEntry.objects.filter(entity_type="contacts.reminder", action="cancel").count() == 1


@pytest.mark.parametrize("state", ["SENT", "RESOLVED", "CANCELED"])
def test_only_a_pending_reminder_can_be_changed_or_canceled(contact, csr, state):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="call back")
    Reminder.objects.filter(pk=reminder.pk).update(state=state)
    before = _counts()
    with pytest.raises(Conflict) as exc:
        reminder_update(reminder_id=reminder.pk, user=csr, comment="changed")
    assert "can no longer be changed" in exc.value.message
    with pytest.raises(Conflict):
        reminder_cancel(reminder_id=reminder.pk, user=csr)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.comment) == (state, "call back")
    assert _counts() == before


def test_a_reminder_on_a_hidden_contact_cannot_be_changed(contact, csr, csr_commercial):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="call back")
    before = _counts()
    with pytest.raises(NotFound):
        reminder_cancel(reminder_id=reminder.pk, user=csr_commercial)
    with pytest.raises(NotFound):
        reminder_update(reminder_id=999999, user=csr, comment="x")
    assert _counts() == before
    assert ToDoEntry.objects.count() == 0
