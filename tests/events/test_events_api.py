"""The /api/v1/events endpoints: intake per kind, repeats, malformed events, the error queue, dry runs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from custcare.contacts.models import CustomerContact
from custcare.customers.models import AccountPerson
from custcare.events import registry
from custcare.events.models import SystemEvent
from custcare.fieldwork.models import FieldActivity
from tests.events.test_field_activity_events import _payload, farsptocus  # noqa: F401

URL = "/api/v1/events/field-activity-completed"


def _generated():
    return CustomerContact.objects.filter(origin_reference__startswith="FA-SPOKE:")


def test_intake_creates_the_contact_once_and_answers_repeats_with_the_stored_outcome(
    api_as,
    integrator,
    customer,
    farsptocus,  # noqa: F811
):
    api = api_as(integrator)
    first = api.post(URL, {"event_id": "E-1", **_payload(customer)})
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "PROCESSED" and body["kind"] == "field-activity-completed"
    contact = CustomerContact.objects.get(pk=body["contact_ids"][0])
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin_reference == "FA-SPOKE:field-activity:FA-1001:SPOKE"
    again = api.post(URL, {"event_id": "E-1", **_payload(customer)})
    assert again.status_code == 200
    assert again.json() == body
    assert _generated().count() == 1 and SystemEvent.objects.count() == 1
    read = api.get(f"/api/v1/events/{body['id']}")
    assert read.status_code == 200 and read.json()["contact_ids"] == body["contact_ids"]


def test_a_malformed_event_is_refused_with_its_fields_and_nothing_is_stored(
    api_as,
    integrator,
    customer,
    farsptocus,  # noqa: F811
):
    api = api_as(integrator)
    missing = api.post(URL, {"event_id": "E-2", "fa_type": "MTRCHK"})
    assert missing.status_code == 422
    assert {"field_activity_id", "premise_id"} <= set(missing.json()["fields"])
    no_id = api.post(URL, _payload(customer))
    assert no_id.status_code == 422 and "event_id" in no_id.json()["fields"]
    extra = api.post(URL, {"event_id": "E-3", **_payload(customer), "surprise": 1})
    assert extra.status_code == 422
    assert not SystemEvent.objects.exists() and not FieldActivity.objects.exists() and not _generated().exists()


def test_only_roles_that_write_contacts_send_events(api_as, batch_operator, customer, farsptocus):  # noqa: F811
    response = api_as(batch_operator).post(URL, {"event_id": "E-4", **_payload(customer)})
    assert response.status_code == 403
    assert not SystemEvent.objects.exists()


def test_error_queue_retry_and_discard_for_administrators(
    api_as,
    integrator,
    admin_user,
    customer,
    farsptocus,  # noqa: F811
):
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=False)
    sent = api_as(integrator).post(URL, {"event_id": "E-5", **_payload(customer)})
    assert sent.status_code == 201 and sent.json()["status"] == "ERROR"
    assert "found nobody to contact" in sent.json()["error"]
    api_as(integrator).post(URL, {"event_id": "E-6", **_payload(customer, field_activity_id="FA-2")})

    assert api_as(integrator).get("/api/v1/events", status="ERROR").status_code == 403
    admin = api_as(admin_user)
    queue = admin.get("/api/v1/events", status="ERROR")
    assert queue.status_code == 200
    assert [e["event_id"] for e in queue.json()["items"]] == ["E-6", "E-5"]
    assert admin.get("/api/v1/events", status="PROCESSED").json()["count"] == 0

    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=True)
    retried = admin.post(f"/api/v1/events/{sent.json()['id']}/retry", {})
    assert retried.status_code == 200
    assert retried.json()["status"] == "PROCESSED" and retried.json()["attempts"] == 2
    assert _generated().count() == 1
    again = admin.post(f"/api/v1/events/{sent.json()['id']}/retry", {})
    assert again.status_code == 422

    other = SystemEvent.objects.get(event_id="E-6")
    assert admin.post(f"/api/v1/events/{other.pk}/discard", {"reason": " "}).status_code == 422
    assert SystemEvent.objects.get(pk=other.pk).status == SystemEvent.Status.ERROR
    dropped = admin.post(f"/api/v1/events/{other.pk}/discard", {"reason": "Test activity"})
    assert dropped.status_code == 200 and dropped.json()["status"] == "DISCARDED"
    assert "Discarded: Test activity" in dropped.json()["error"]


def test_dry_run_shows_the_contacts_and_changes_nothing(api_as, admin_user, customer, farsptocus):  # noqa: F811
    response = api_as(admin_user).post("/api/v1/events/dry-run/field-activity-completed", _payload(customer))
    assert response.status_code == 200, response.content
    [contact] = response.json()["contacts"]
    assert (contact["contact_type"], contact["person_id"], contact["already_exists"]) == (
        "FIELDVIS",
        customer["person"].id,
        False,
    )
    assert response.json()["algorithms"] == ["FA-SPOKE"]
    assert not SystemEvent.objects.exists() and not FieldActivity.objects.exists() and not _generated().exists()


def test_every_registered_kind_has_an_endpoint_with_its_schema(api_as, admin_user):
    schema = api_as(admin_user).get("/api/v1/openapi.json").json()
    for kind in registry.event_kinds():
        assert f"/api/v1/events/{kind.code}" in schema["paths"]
    body = schema["components"]["schemas"]["FieldActivityCompletedEvent"]
    assert {"event_id", "field_activity_id", "remarks"} <= set(body["properties"])


def test_a_kind_registered_later_gets_its_endpoint_when_the_router_is_built():
    from custcare.api.events import events_router

    class Late(BaseModel):
        model_config = ConfigDict(extra="forbid")
        thing: str

    @registry.register_event_kind("test-late-kind", description="A kind registered after import")
    class LateKind(registry.EventKind):
        Payload = Late

    try:
        router = events_router()
        assert "/test-late-kind" in router.path_operations
        assert "/dry-run/test-late-kind" in router.path_operations
    finally:
        registry._KINDS.pop("test-late-kind")


def test_batch_intake_answers_each_event_in_order_and_a_malformed_one_undoes_nothing(
    api_as,
    integrator,
    customer,
    farsptocus,  # noqa: F811
):
    api = api_as(integrator)
    api.post(URL, {"event_id": "E-0", **_payload(customer, field_activity_id="FA-0")})
    events = [
        {"event_id": "E-1", **_payload(customer, field_activity_id="FA-1")},
        {"event_id": "E-2", "fa_type": "MTRCHK"},  # malformed
        {"event_id": "E-0", **_payload(customer, field_activity_id="FA-0")},  # received before
        {"event_id": "E-3", **_payload(customer, field_activity_id="FA-3", premise_id="NOPE")},  # error queue
        {**_payload(customer, field_activity_id="FA-4")},  # no event id
    ]
    response = api.post(f"{URL}/batch", {"events": events})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(item["event_id"], item["status"]) for item in body] == [
        ("E-1", 201),
        ("E-2", 422),
        ("E-0", 200),
        ("E-3", 201),
        (None, 422),
    ]
    assert body[0]["event"]["status"] == "PROCESSED" and body[0]["error"] is None
    assert body[1]["event"] is None and {"field_activity_id", "premise_id"} <= set(body[1]["error"]["fields"])
    assert body[2]["event"]["id"] == SystemEvent.objects.get(event_id="E-0").pk
    assert body[3]["event"]["status"] == "ERROR" and "Premise NOPE is not known" in body[3]["event"]["error"]
    assert "event_id" in body[4]["error"]["fields"]
    assert sorted(SystemEvent.objects.values_list("event_id", flat=True)) == ["E-0", "E-1", "E-3"]
    assert sorted(FieldActivity.objects.values_list("id", flat=True)) == ["FA-0", "FA-1"]
    contact = CustomerContact.objects.get(pk=body[0]["event"]["contact_ids"][0])
    assert contact.origin_reference == "FA-SPOKE:field-activity:FA-1:SPOKE"


def test_batch_intake_limits_and_permissions(api_as, integrator, batch_operator, customer, farsptocus):  # noqa: F811
    one = {"event_id": "E-1", **_payload(customer)}
    assert api_as(batch_operator).post(f"{URL}/batch", {"events": [one]}).status_code == 403
    assert api_as(integrator).post(f"{URL}/batch", {"events": []}).status_code == 422
    too_many = api_as(integrator).post(f"{URL}/batch", {"events": [one] * 1001})
    assert too_many.status_code == 422 and "events" in too_many.json()["fields"]
    assert not SystemEvent.objects.exists()
