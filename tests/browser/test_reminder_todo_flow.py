"""Issue 3 end to end in Chromium: a CSR logs a reminder for a To Do role on a contact, a batch operator
runs TD-CCCB from the batch page, the To Do appears in the role's worklist, a member of the role takes
and completes it, and the contact shows the reminder resolved."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from custcare.contacts.models import ContactType, Reminder
from custcare.contacts.services import customer_contact_add
from custcare.todo.models import ToDoEntry, ToDoRoleUser

pytestmark = pytest.mark.browser


@pytest.fixture
def contact(csr, customer):
    ctype = ContactType.objects.get(contact_class_id="INQ", type_code="PAYARR")
    return customer_contact_add(
        user=csr,
        contact_type_id=ctype.id,
        method="PHONE",
        person_id=customer["person"].id,
        account_id=customer["account"].id,
        description="Asked for a payment arrangement",
    )


def _sign_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_reminder_to_todo_to_resolved(page, login, csr, batch_operator, contact):
    ToDoRoleUser.objects.create(role_id="CSR-FOLLOWUP", user=csr)
    today = timezone.localdate().isoformat()

    # A CSR logs a reminder for the follow-up role on the contact.
    login(csr)
    page.goto(f"/contacts/{contact.pk}/")
    panel = page.locator("#reminders")
    expect(panel.get_by_role("heading", name="Reminders")).to_be_visible()  # loaded through HTMX
    expect(panel).to_contain_text("No reminders on this contact.")
    form = panel.get_by_role("form", name="Log a reminder")
    form.get_by_label("Send to To Do role").select_option("CSR-FOLLOWUP")
    form.get_by_label("Trigger date").fill(today)
    form.get_by_label("Comment").fill("Call back once the arrangement is set up")
    form.get_by_role("button", name="Log the reminder").click()
    reminder = panel.locator("tr[id^='reminder-']")
    expect(reminder).to_have_count(1)
    expect(reminder).to_contain_text("role CSR-FOLLOWUP")
    expect(reminder).to_contain_text("Pending")
    _sign_out(page)

    # A batch operator runs TD-CCCB for today from the batch page.
    login(batch_operator)
    page.goto("/batch/")
    page.get_by_label("Batch control").select_option("TD-CCCB")
    page.get_by_label("Process date").fill(today)
    page.get_by_role("button", name="Submit and run").click()
    expect(page).to_have_url(re.compile(r"/batch/runs/\d+/"))
    expect(page.locator("#tree-heading")).to_contain_text("Complete", timeout=30_000)
    _sign_out(page)

    # The To Do is in the role's worklist; a member takes it and completes it.
    entry = ToDoEntry.objects.get(reminder__contact=contact)
    login(csr)
    page.goto("/todo/")
    worklist = page.locator("#worklist")
    expect(worklist.get_by_role("link", name=f"TD-CCCB {entry.pk}")).to_be_visible()
    expect(worklist).to_contain_text("CSR-FOLLOWUP")
    page.get_by_role("button", name="Take next").click()
    expect(page).to_have_url(re.compile(rf"/todo/{entry.pk}/"))
    done = page.locator(f"form[action='/todo/{entry.pk}/complete/']")
    done.get_by_label("Comment").fill("Customer called back; arrangement confirmed")
    done.get_by_role("button", name="Complete").click()
    expect(page.locator(".messages")).to_be_visible()

    # The contact shows the reminder resolved, with its To Do.
    page.goto(f"/contacts/{contact.pk}/")
    row = page.locator("#reminders tr[id^='reminder-']")
    expect(row).to_contain_text("Resolved")
    expect(row.get_by_role("link", name=entry.pk)).to_have_attribute("href", f"/todo/{entry.pk}/")
    expect(row.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator("#log")).to_contain_text(f"To Do {entry.pk} completed")
    assert Reminder.objects.get(contact=contact).state == Reminder.State.RESOLVED
    entry.refresh_from_db()
    assert entry.status == ToDoEntry.Status.COMPLETE and entry.completed_by == csr
