"""Issue 4 end to end in Chromium: an administrator configures FARSPTOCUS in the admin site (the
algorithm with its parameters, plugged into the "spoke to customer" remark type); the field work system
posts a completed field activity with that remark to the intake API with its token; the contact appears
in the customer's history on the person page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from custcare.contacts.models import CustomerContact
from custcare.fieldwork.models import FieldActivityRemarkTypeAlgorithm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PARAMS = {
    "contact_class": "SVC",
    "contact_type": "FIELDVIS",
    "recipients": "MAIN",
    "message": "Crew {crew} spoke to the customer: {remark_text}",
}


def test_farsptocus_configured_in_admin_creates_a_contact_in_the_history(
    page, login, live_server, admin_user, integrator, customer
):
    # An administrator creates the algorithm with its parameters...
    login(admin_user)
    page.goto("/admin/algorithms/algorithm/add/")
    page.get_by_label("Code").fill("FA-SPOKE-UI")
    page.get_by_label("Description").fill("Crew spoke to the customer")
    page.get_by_label("Algorithm type").select_option("FARSPTOCUS")
    page.get_by_label("Parameters").fill(json.dumps(PARAMS))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # ...and plugs it into the remark type "spoke to customer".
    page.goto("/admin/fieldwork/fieldactivityremarktype/SPOKE/change/")
    page.locator("select[name='algorithms-0-algorithm']").select_option("FA-SPOKE-UI")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert FieldActivityRemarkTypeAlgorithm.objects.filter(remark_type_id="SPOKE", algorithm_id="FA-SPOKE-UI").exists()

    # The field work system sends the completed activity with its token.
    token = page.request.post(
        f"{live_server.url}/api/v1/auth/token", data={"username": integrator.username, "password": PASSWORD}
    ).json()["token"]
    sent = page.request.post(
        f"{live_server.url}/api/v1/events/field-activity-completed",
        data={
            "event_id": "FW-2026-0001",
            "field_activity_id": "FA-7001",
            "fa_type": "MTRCHK",
            "premise_id": customer["premise"].id,
            "account_id": customer["account"].id,
            "crew": "North 3",
            "remarks": [{"remark_type": "SPOKE", "text": "Customer will keep the dog inside"}],
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status == 201, sent.text()
    assert sent.json()["status"] == "PROCESSED", sent.json()
    contact_id = sent.json()["contact_ids"][0]

    # The contact is in the customer's history.
    page.goto(f"/persons/{customer['person'].id}/")
    history = page.locator("#history")
    row = history.locator(f"a[href='/contacts/{contact_id}/']").first
    expect(row).to_be_visible()
    expect(history).to_contain_text("Crew North 3 spoke to the customer: Customer will keep the dog inside")
    row.click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact_id}/"))
    expect(page.locator("main")).to_contain_text("FA-SPOKE-UI:field-activity:FA-7001:SPOKE")
    assert CustomerContact.objects.get(pk=contact_id).person_id == customer["person"].id
