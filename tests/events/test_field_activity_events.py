"""The event framework through one kind: field-activity-completed with FARSPTOCUS."""

from __future__ import annotations

import pytest

from custcare.algorithms.services import algorithm_save
from custcare.contacts.models import CustomerContact
from custcare.core.errors import ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from custcare.fieldwork.models import FieldActivity, FieldActivityRemarkTypeAlgorithm

PARAMS = {
    "contact_class": "SVC",
    "contact_type": "FIELDVIS",
    "recipients": "MAIN",
    "stamp_char_type": "SOURCE-ID",
    "message": "Crew {crew} spoke to the customer: {remark_text}",
}


@pytest.fixture
def farsptocus(admin_user):
    alg = algorithm_save(
        code="FA-SPOKE",
        algorithm_type="FARSPTOCUS",
        description="Spoke to customer",
        parameters=PARAMS,
        user=admin_user,
    )
    FieldActivityRemarkTypeAlgorithm.objects.create(remark_type_id="SPOKE", algorithm=alg)
    return alg


def _payload(customer, **over):
    return {
        "field_activity_id": "FA-1001",
        "fa_type": "MTRCHK",
        "premise_id": customer["premise"].id,
        "account_id": customer["account"].id,
        "crew": "North 3",
        "remarks": [{"remark_type": "SPOKE", "text": "Customer will trim the hedge"}, {"remark_type": "DOG"}],
        **over,
    }


def test_a_spoke_to_customer_remark_creates_one_contact(integrator, customer, farsptocus):
    event, new = event_receive(
        kind="field-activity-completed", event_id="E-1", payload=_payload(customer), user=integrator
    )
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code) == ("SVC", "FIELDVIS")
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert contact.origin_reference == "FA-SPOKE:field-activity:FA-1001:SPOKE"
    assert contact.description == "Crew North 3 spoke to the customer: Customer will trim the hedge"
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {"SOURCE-ID": "FA-1001:SPOKE"}
    assert FieldActivity.objects.get(pk="FA-1001").status == FieldActivity.Status.COMPLETED
    # the same event again, and the same activity under another event id: still one contact
    again, new_again = event_receive(
        kind="field-activity-completed", event_id="E-1", payload=_payload(customer), user=integrator
    )
    assert (again.pk, new_again) == (event.pk, False)
    event_receive(kind="field-activity-completed", event_id="E-2", payload=_payload(customer), user=integrator)
    assert CustomerContact.objects.filter(origin_reference__startswith="FA-SPOKE:").count() == 1


def test_malformed_events_are_refused_and_nothing_is_recorded(integrator, customer, farsptocus):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind="field-activity-completed", event_id="E-3", payload={"fa_type": "MTRCHK"}, user=integrator)
    assert "field_activity_id" in exc.value.fields
    with pytest.raises(ValidationFailed):
        event_receive(kind="no-such-event", event_id="E-4", payload={}, user=integrator)
    assert SystemEvent.objects.count() == 0


def test_an_unresolvable_event_waits_in_the_error_queue_and_is_retried(integrator, admin_user, customer, farsptocus):
    from custcare.customers.models import AccountPerson

    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=False)
    event, _ = event_receive(
        kind="field-activity-completed", event_id="E-5", payload=_payload(customer), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and "found nobody to contact" in event.error
    assert not CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM).exists()
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=True)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and event.attempts == 2
    assert len(event.contact_ids) == 1


def test_dry_run_shows_the_contact_and_changes_nothing(admin_user, customer, farsptocus):
    outcome = event_dry_run(kind="field-activity-completed", payload=_payload(customer), user=admin_user)
    assert [(s.contact_type, s.person_id) for s in outcome.specs] == [("FIELDVIS", customer["person"].id)]
    assert not CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM).exists()
    assert not FieldActivity.objects.exists() and not SystemEvent.objects.exists()


def test_farsptocus_parameters_are_checked(admin_user):
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="BAD",
            algorithm_type="FARSPTOCUS",
            description="bad",
            parameters={**PARAMS, "contact_type": "NOPE"},
            user=admin_user,
        )
    assert "No contact type SVC/NOPE" in exc.value.fields["parameters"][0]
