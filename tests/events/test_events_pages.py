"""Administrator pages for system events: the error queue, retry, discard, per-algorithm view, dry run;
and the admin site: read-only system events with the retry action, remark types with algorithms inline."""

from __future__ import annotations

import json

from django.test import Client

from custcare.contacts.models import CustomerContact
from custcare.customers.models import AccountPerson
from custcare.events.models import SystemEvent
from custcare.events.services import event_receive
from custcare.fieldwork.models import FieldActivity, FieldActivityRemarkTypeAlgorithm
from tests.events.test_field_activity_events import _payload, farsptocus  # noqa: F401

KIND = "field-activity-completed"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _error_event(integrator, customer, event_id="W-1"):
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=False)
    event, _ = event_receive(kind=KIND, event_id=event_id, payload=_payload(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR
    return event


def test_only_administrators_see_the_event_pages(csr, integrator, customer, farsptocus):  # noqa: F811
    event = _error_event(integrator, customer)
    for user in (csr, integrator):
        client = _client(user)
        assert client.get("/events/").status_code == 403
        assert client.get(f"/events/{event.pk}/").status_code == 403
        assert client.post(f"/events/{event.pk}/retry/").status_code == 403
    assert SystemEvent.objects.get(pk=event.pk).attempts == 1


def test_error_queue_shows_the_reason_and_retry_processes_the_event(
    admin_user,
    integrator,
    customer,
    farsptocus,  # noqa: F811
):
    event = _error_event(integrator, customer)
    client = _client(admin_user)
    queue = client.get("/events/")
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "W-1" in html and "found nobody to contact" in html and "FA-SPOKE" in html
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "FA-1001" in page and "Retry" in page and "Reason for discarding" in page

    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=True)
    response = client.post(f"/events/{event.pk}/retry/", follow=True)
    assert "processed: 1 contact" in response.content.decode()
    assert SystemEvent.objects.get(pk=event.pk).status == SystemEvent.Status.PROCESSED
    assert CustomerContact.objects.filter(origin_reference__startswith="FA-SPOKE:").count() == 1


def test_discard_needs_a_reason(admin_user, integrator, customer, farsptocus):  # noqa: F811
    event = _error_event(integrator, customer)
    client = _client(admin_user)
    refused = client.post(f"/events/{event.pk}/discard/", {"reason": ""}, follow=True)
    assert "Say why the event is discarded" in refused.content.decode()
    assert SystemEvent.objects.get(pk=event.pk).status == SystemEvent.Status.ERROR
    client.post(f"/events/{event.pk}/discard/", {"reason": "Duplicate from the old system"})
    event.refresh_from_db()
    assert event.status == SystemEvent.Status.DISCARDED and "Duplicate from the old system" in event.error


def test_algorithm_page_lists_its_contacts_and_errors(admin_user, integrator, customer, farsptocus):  # noqa: F811
    done, _ = event_receive(kind=KIND, event_id="W-2", payload=_payload(customer), user=integrator)
    _error_event(integrator, customer, "W-3")
    html = _client(admin_user).get("/events/algorithms/FA-SPOKE/").content.decode()
    assert done.contact_ids[0] in html and "FA-SPOKE:field-activity:FA-1001:SPOKE" in html
    assert "W-3" in html and "Its errors (1)" in html
    assert _client(admin_user).get("/events/algorithms/NOPE/").status_code == 404


def test_dry_run_page_shows_the_contacts_and_changes_nothing(admin_user, customer, farsptocus):  # noqa: F811
    client = _client(admin_user)
    response = client.post("/events/dry-run/", {"kind": KIND, "payload": json.dumps(_payload(customer))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 contact for field-activity:FA-1001" in html and "SVC/FIELDVIS" in html and customer["person"].id in html
    assert not FieldActivity.objects.exists() and not SystemEvent.objects.exists()
    assert not CustomerContact.objects.filter(origin_reference__startswith="FA-SPOKE:").exists()
    bad = client.post("/events/dry-run/", {"kind": KIND, "payload": '{"fa_type": "MTRCHK"}'}).content.decode()
    assert "field_activity_id" in bad


def test_admin_site_shows_events_read_only_and_retries_them(
    admin_user,
    integrator,
    customer,
    farsptocus,  # noqa: F811
):
    event = _error_event(integrator, customer)
    client = _client(admin_user)
    assert client.get("/admin/events/systemevent/").status_code == 200
    assert client.get(f"/admin/events/systemevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/events/systemevent/add/").status_code == 403
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=True)
    response = client.post(
        "/admin/events/systemevent/",
        {"action": "retry_selected", "_selected_action": [event.pk]},
        follow=True,
    )
    assert "1 processed, 0 still in the error queue" in response.content.decode()
    assert SystemEvent.objects.get(pk=event.pk).status == SystemEvent.Status.PROCESSED


def test_remark_type_admin_plugs_an_algorithm_and_refuses_the_wrong_spot(admin_user, farsptocus):  # noqa: F811
    from custcare.algorithms.services import algorithm_save

    algorithm_save(
        code="CC-OTHER",
        algorithm_type="CC-DESCREQ",
        description="not a remark algorithm",
        parameters={"min_length": 5},
        user=admin_user,
    )
    client = _client(admin_user)
    form = {
        "code": "DOG",
        "description": "Dog on premise",
        "algorithms-TOTAL_FORMS": "1",
        "algorithms-INITIAL_FORMS": "0",
        "algorithms-0-spot": "FA-REMARK",
        "algorithms-0-sequence": "10",
        "algorithms-0-algorithm": "CC-OTHER",
    }
    refused = client.post("/admin/fieldwork/fieldactivityremarktype/DOG/change/", form)
    assert refused.status_code == 200 and "does not serve the spot" in refused.content.decode()
    assert not FieldActivityRemarkTypeAlgorithm.objects.filter(remark_type_id="DOG").exists()
    form["algorithms-0-algorithm"] = "FA-SPOKE"
    assert client.post("/admin/fieldwork/fieldactivityremarktype/DOG/change/", form).status_code == 302
    assert list(
        FieldActivityRemarkTypeAlgorithm.objects.filter(remark_type_id="DOG").values_list("algorithm_id", flat=True)
    ) == ["FA-SPOKE"]
