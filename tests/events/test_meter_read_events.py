"""meter-read events with MRRCRESVCCC: a reader's remark creates a service contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from custcare.metering.models import MeterRead, MeterReaderRemarkTypeAlgorithm
from custcare.metering.services import metering_reference_load
from tests.factories import account_make, person_make

KIND = "meter-read"


@pytest.fixture
def metering(reference):
    metering_reference_load()


def _payload(customer, **over):
    return {
        "meter_read_id": "MR-1",
        "premise_id": customer["premise"].id,
        "meter_number": "12345678",
        "read_at": "2026-03-02T09:15:00",
        "reading": "4521.5",
        "reader": "R. Diaz",
        "remarks": [{"remark_type": "SVCREQ", "text": "Customer asks for a meter relocation"}, {"remark_type": "DOG"}],
        **over,
    }


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_a_service_request_remark_creates_one_service_contact(integrator, customer, metering):
    event, new = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    assert event.algorithms == ["MR-SVCREQ"]  # DOG has no algorithm
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method, contact.direction) == (
        "SVC",
        "MRREMARK",
        "NA",
        "OUT",
    )
    # the read names no account: the main customer of the account served at the premise
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert contact.origin_reference == "MR-SVCREQ:meter-read:MR-1:SVCREQ"
    assert contact.description == (
        "Meter reader R. Diaz (2026-03-02 09:15): Customer asks for service. Customer asks for a meter relocation"
    )
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {
        "SOURCE-ID": "MR-1:SVCREQ",
        "METER-NO": "12345678",
        "READING": "4521.5",
    }
    # the contact type's defaults: open, a reminder for the FIELD role in 2 days, no letter
    assert contact.is_open and not contact.print_letter and contact.letter_template == ""
    reminder = Reminder.objects.get(contact=contact)
    assert (reminder.send_to_role_id, reminder.trigger_date) == ("FIELD", timezone.localdate() + dt.timedelta(days=2))
    read = MeterRead.objects.get(pk="MR-1")
    assert (read.premise_id, read.account_id, str(read.reading), read.reader) == (
        customer["premise"].id,
        None,
        "4521.5000",
        "R. Diaz",
    )
    assert sorted(read.remarks.values_list("remark_type_id", flat=True)) == ["DOG", "SVCREQ"]


def test_the_same_read_twice_or_under_a_new_event_id_creates_one_contact(integrator, customer, metering):
    event, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    again, new_again = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert (again.pk, new_again) == (event.pk, False)
    other, new_other = event_receive(kind=KIND, event_id="E-2", payload=_payload(customer), user=integrator)
    assert new_other and other.status == SystemEvent.Status.PROCESSED
    assert other.contact_ids == event.contact_ids
    assert _generated().count() == 1 and Reminder.objects.count() == 1
    assert MeterRead.objects.count() == 1 and MeterRead.objects.get().remarks.count() == 2


def test_a_named_account_is_contacted_and_sa_service_picks_the_accounts_at_the_premise(
    integrator, admin_user, csr, customer, metering
):
    # a second customer takes gas at the same premise
    gas_person = person_make(csr, name="Chen, Li", phone="(555) 201-9999")
    gas_account = account_make(csr, gas_person, premise=customer["premise"], sa_types=("G-RES",))
    event, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert {c.person_id for c in _generated()} == {customer["person"].id, gas_person.id}
    alg = Algorithm.objects.get(code="MR-SVCREQ")
    algorithm_save(
        code="MR-SVCREQ",
        algorithm_type="MRRCRESVCCC",
        description=alg.description,
        parameters={**alg.parameters, "sa_service": "G"},
        user=admin_user,
    )
    event, _ = event_receive(
        kind=KIND, event_id="E-2", payload=_payload(customer, meter_read_id="MR-2"), user=integrator
    )
    assert [(c.person_id, c.account_id) for c in _generated().filter(pk__in=event.contact_ids)] == [
        (gas_person.id, gas_account.id)
    ]
    # the read names the account: its main customer only, whatever the premise serves
    event, _ = event_receive(
        kind=KIND,
        event_id="E-3",
        payload=_payload(customer, meter_read_id="MR-3", account_id=customer["account"].id),
        user=integrator,
    )
    assert [c.person_id for c in _generated().filter(pk__in=event.contact_ids)] == [customer["person"].id]


def test_an_unknown_premise_or_remark_type_waits_in_the_error_queue(integrator, customer, metering):
    event, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer, premise_id="NOPE"), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "Premise NOPE is not known" in event.error
    event, _ = event_receive(
        kind=KIND,
        event_id="E-2",
        payload=_payload(customer, remarks=[{"remark_type": "UFO"}]),
        user=integrator,
    )
    assert event.status == SystemEvent.Status.ERROR and "Unknown meter reader remark types: UFO" in event.error
    assert not MeterRead.objects.exists() and not _generated().exists()


def test_a_premise_nobody_is_served_at_waits_in_the_error_queue(integrator, csr, customer, metering):
    from tests.factories import premise_make

    empty = premise_make(csr, house_number="99")
    event, _ = event_receive(
        kind=KIND, event_id="E-1", payload=_payload(customer, premise_id=empty.id), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and "found nobody to contact" in event.error
    assert not MeterRead.objects.exists() and not _generated().exists()


def test_a_misconfigured_algorithm_waits_in_the_error_queue_and_is_retried(integrator, admin_user, customer, metering):
    good = Algorithm.objects.get(code="MR-SVCREQ").parameters
    Algorithm.objects.filter(code="MR-SVCREQ").update(parameters={**good, "recipients": "EVERYONE"})
    event, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "MR-SVCREQ is misconfigured" in event.error
    assert not MeterRead.objects.exists() and not _generated().exists()
    Algorithm.objects.filter(code="MR-SVCREQ").update(parameters=good)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and len(event.contact_ids) == 1


def test_malformed_reads_are_refused_and_nothing_is_recorded(integrator, customer, metering):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="E-1", payload=_payload(customer, reading="-3", odometer=1), user=integrator)
    assert {"reading", "odometer"} <= set(exc.value.fields)
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="E-2", payload={"premise_id": customer["premise"].id}, user=integrator)
    assert {"meter_read_id", "read_at"} <= set(exc.value.fields)
    assert not SystemEvent.objects.exists() and not MeterRead.objects.exists()


def test_dry_run_shows_the_contact_and_changes_nothing(admin_user, customer, metering):
    outcome = event_dry_run(kind=KIND, payload=_payload(customer), user=admin_user)
    assert [(s.contact_type, s.person_id, s.origin_reference) for s in outcome.specs] == [
        ("MRREMARK", customer["person"].id, "MR-SVCREQ:meter-read:MR-1:SVCREQ")
    ]
    assert outcome.created == 1
    assert not _generated().exists() and not Reminder.objects.exists()
    assert not MeterRead.objects.exists() and not SystemEvent.objects.exists()


def test_mrrcresvccc_parameters_are_checked(admin_user, metering):
    base = Algorithm.objects.get(code="MR-SVCREQ").parameters
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="MR-BAD",
            algorithm_type="MRRCRESVCCC",
            description="bad",
            parameters={**base, "recipients": "PERSON", "meter_char_type": "COMPL-RSN"},
            user=admin_user,
        )
    messages = " ".join(exc.value.fields["parameters"])
    assert "names no person" in messages and "COMPL-RSN is not a characteristic" in messages
    assert not Algorithm.objects.filter(code="MR-BAD").exists()


def test_a_remark_type_accepts_only_remark_algorithms(metering):
    plug = MeterReaderRemarkTypeAlgorithm(remark_type_id="DOG", algorithm_id="CC-DESC20")
    with pytest.raises(ValidationError) as exc:
        plug.full_clean()
    assert "does not serve the spot MR-REMARK" in str(exc.value)


def test_admin_shows_remark_types_with_their_algorithms(customer, metering):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client = Client()
    client.force_login(root)
    page = client.get("/admin/metering/meterreaderremarktype/SVCREQ/change/")
    assert page.status_code == 200 and "MR-SVCREQ" in page.content.decode()
    assert client.get("/admin/metering/meterread/").status_code == 200
