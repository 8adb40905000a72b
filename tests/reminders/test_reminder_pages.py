"""The reminder panel on the contact page: listed, logged, changed and canceled through HTMX partials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from custcare.contacts.models import Reminder
from custcare.contacts.services import reminder_log
from custcare.todo.models import ToDoEntry
from tests.conftest import PASSWORD

HTMX = {"HX-Request": "true"}


@pytest.fixture
def browser(csr) -> Client:
    client = Client()
    assert client.login(username=csr.username, password=PASSWORD)
    return client


def test_the_contact_page_loads_the_panel(browser, contact):
    page = browser.get(f"/contacts/{contact.pk}/")
    assert page.status_code == 200
    assert f'hx-get="/reminders/contact/{contact.pk}/"' in page.content.decode()


def test_the_panel_lists_reminders_and_defaults_the_form(browser, contact, csr, payarr):
    payarr.reminder_role = "BILLING"
    payarr.reminder_days = 3
    payarr.save()
    reminder_log(contact=contact, user=csr, send_to_role="FIELD", comment="Check the meter seal")
    panel = browser.get(f"/reminders/contact/{contact.pk}/", headers=HTMX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert "Check the meter seal" in html and "role FIELD" in html and "Pending" in html
    assert '<option value="BILLING" selected>' in html
    assert (timezone.localdate() + dt.timedelta(days=3)).isoformat() in html


def test_logging_a_reminder_from_the_panel(browser, contact):
    date = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = browser.post(
        f"/reminders/contact/{contact.pk}/",
        {
            "reminder-send_to_role": "BILLING",
            "reminder-send_to_user": "",
            "reminder-trigger_date": date,
            "reminder-comment": "Call about the plan",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    reminder = Reminder.objects.get(contact=contact)
    assert (reminder.send_to_role_id, reminder.trigger_date.isoformat(), reminder.comment) == (
        "BILLING",
        date,
        "Call about the plan",
    )
    assert f'id="reminder-{reminder.pk}"' in response.content.decode()


def test_a_refused_reminder_keeps_what_was_typed(browser, contact):
    response = browser.post(
        f"/reminders/contact/{contact.pk}/",
        {
            "reminder-send_to_role": "BILLING",
            "reminder-send_to_user": "super1",
            "reminder-trigger_date": "2020-01-01",
            "reminder-comment": "Keep me",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200  # HTMX swaps only 2xx answers
    assert "Nothing was saved" in html and "one of the two" in html and "cannot be in the past" in html
    assert "Keep me" in html
    assert Reminder.objects.count() == 0
    plain = browser.post(
        f"/reminders/contact/{contact.pk}/",
        {"reminder-send_to_role": "", "reminder-trigger_date": "2020-01-01", "reminder-comment": "x"},
    )
    assert plain.status_code == 422 and Reminder.objects.count() == 0


def test_editing_and_canceling_a_pending_reminder(browser, contact, csr):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="first")
    form = browser.get(f"/reminders/{reminder.pk}/edit/", headers=HTMX)
    assert form.status_code == 200 and f"Change reminder {reminder.pk}" in form.content.decode()
    date = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    saved = browser.post(
        f"/reminders/{reminder.pk}/edit/",
        {"edit-send_to_role": "FIELD", "edit-send_to_user": "", "edit-trigger_date": date, "edit-comment": "second"},
        headers=HTMX,
    )
    assert saved.status_code == 200
    reminder.refresh_from_db()
    assert (reminder.send_to_role_id, reminder.trigger_date.isoformat(), reminder.comment) == ("FIELD", date, "second")
    canceled = browser.post(f"/reminders/{reminder.pk}/cancel/", headers=HTMX)
    assert canceled.status_code == 200 and "Canceled" in canceled.content.decode()
    reminder.refresh_from_db()
    assert reminder.state == "CANCELED"
    assert f"/reminders/{reminder.pk}/edit/" not in canceled.content.decode()


def test_a_sent_reminder_shows_its_todo_and_cannot_be_changed(browser, contact, csr):
    reminder = reminder_log(contact=contact, user=csr, send_to_role="BILLING", comment="first")
    Reminder.objects.filter(pk=reminder.pk).update(state="SENT")
    todo = ToDoEntry.objects.create(
        id="0000000042", todo_type_id="TD-CCCB", role_id="BILLING", reminder=reminder, contact=contact
    )
    panel = browser.get(f"/reminders/contact/{contact.pk}/", headers=HTMX).content.decode()
    assert f'href="/todo/{todo.pk}/"' in panel and "To Do created" in panel
    refused = browser.post(f"/reminders/{reminder.pk}/cancel/", headers=HTMX)
    assert refused.status_code == 200 and "can no longer be changed" in refused.content.decode()
    reminder.refresh_from_db()
    assert reminder.state == "SENT"


def test_a_hidden_contacts_panel_is_not_found(contact, csr_commercial):
    client = Client()
    assert client.login(username=csr_commercial.username, password=PASSWORD)
    assert client.get(f"/reminders/contact/{contact.pk}/", headers=HTMX).status_code == 404
