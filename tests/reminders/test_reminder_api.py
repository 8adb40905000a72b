"""/api/v1/customer-contacts/{id}/reminders and /api/v1/reminders/{id}."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from custcare.contacts.models import ContactLogEntry, Reminder
from custcare.core.models import AuditEntry


def _url(contact) -> str:
    return f"/api/v1/customer-contacts/{contact.pk}/reminders"


def test_log_list_change_and_cancel_over_the_api(contact, csr, supervisor, api_as):
    api = api_as(csr)
    date = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    created = api.post(_url(contact), {"send_to_role": "BILLING", "trigger_date": date, "comment": "call back"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["send_to_role"], body["send_to_user"], body["trigger_date"]) == ("BILLING", None, date)
    assert (body["state"], body["todo_entry_id"], body["created_by"]) == ("PENDING", None, "csr1")
    rid = body["id"]

    listed = api.get(_url(contact))
    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [rid]

    changed = api.patch(f"/api/v1/reminders/{rid}", {"send_to_user": supervisor.username, "comment": "later"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["send_to_user"], changed.json()["send_to_role"], changed.json()["comment"]) == (
        "super1",
        None,
        "later",
    )

    canceled = api.post(f"/api/v1/reminders/{rid}/cancel", {"comment": "paid"})
    assert canceled.status_code == 200 and canceled.json()["state"] == "CANCELED"

    again = api.post(f"/api/v1/reminders/{rid}/cancel", {})
    assert again.status_code == 409 and "can no longer be changed" in again.json()["message"]


def test_the_api_defaults_role_and_date_from_the_contact_type(contact, csr, payarr, api_as):
    payarr.reminder_role = "FIELD"
    payarr.reminder_days = 2
    payarr.save()
    response = api_as(csr).post(_url(contact), {"comment": "check"})
    assert response.status_code == 201, response.content
    expected = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert (response.json()["send_to_role"], response.json()["trigger_date"]) == ("FIELD", expected)


def test_refusals_are_json_with_fields_and_change_nothing(contact, csr, csr_commercial, api_as):
    api, outsider = api_as(csr), api_as(csr_commercial)
    counts = (Reminder.objects.count(), ContactLogEntry.objects.count(), AuditEntry.objects.count())
    both = api.post(_url(contact), {"send_to_role": "BILLING", "send_to_user": "super1", "comment": "x"})
    assert both.status_code == 422 and "recipient" in both.json()["fields"]
    past = api.post(_url(contact), {"send_to_role": "BILLING", "trigger_date": "2020-01-01", "comment": "x"})
    assert past.status_code == 422 and "trigger_date" in past.json()["fields"]
    missing = api.post(_url(contact), {"send_to_role": "BILLING"})
    assert missing.status_code == 422 and "comment" in missing.json()["fields"]
    hidden = outsider.get(_url(contact))
    assert hidden.status_code == 404
    assert api.patch("/api/v1/reminders/424242", {"comment": "x"}).status_code == 404
    assert (Reminder.objects.count(), ContactLogEntry.objects.count(), AuditEntry.objects.count()) == counts
