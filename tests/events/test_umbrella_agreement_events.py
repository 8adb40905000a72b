"""umbrella-agreement-renewed events with CI_UARENEW: a renewal creates a contact (here a letter)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from custcare.agreements.models import UmbrellaAgreement
from custcare.agreements.services import agreements_reference_load
from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.customers.models import AccountPerson
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from tests.factories import person_make

KIND = "umbrella-agreement-renewed"


@pytest.fixture
def agreements(reference):
    agreements_reference_load()


def _payload(customer, **over):
    return {
        "agreement_id": "UA-1",
        "ua_type": "MULTISITE",
        "account_id": customer["account"].id,
        "start_date": "2024-01-01",
        "end_date": "2027-12-31",
        "renewal_number": 1,
        "renewed_on": "2026-01-02",
        **over,
    }


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_a_renewal_creates_one_letter_contact_for_the_main_customer(integrator, customer, agreements):
    event, new = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method, contact.direction) == (
        "GEN",
        "UARENEW",
        "POSTAL",
        "OUT",
    )
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        None,
    )
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert contact.origin_reference == "UA-RENEWAL:umbrella-agreement:UA-1:renewal-1"
    assert contact.description == (
        "Umbrella agreement UA-1 (Multi-site supply agreement) renewed, renewal 1, until 2027-12-31."
    )
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {"SOURCE-ID": "UA-1:renewal-1"}
    # the contact type's defaults: a confirmation letter, closed, no reminder
    assert contact.print_letter and contact.letter_template == "UA-RENEWAL"
    assert not contact.is_open and not Reminder.objects.exists()
    agreement = UmbrellaAgreement.objects.get(pk="UA-1")
    assert (agreement.renewal_count, agreement.end_date, agreement.last_renewed_on) == (
        1,
        dt.date(2027, 12, 31),
        dt.date(2026, 1, 2),
    )


def test_each_renewal_number_is_contacted_once(integrator, customer, agreements):
    first, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    again, new_again = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert (again.pk, new_again) == (first.pk, False)
    resent, _ = event_receive(kind=KIND, event_id="E-2", payload=_payload(customer), user=integrator)
    assert resent.contact_ids == first.contact_ids and _generated().count() == 1
    second, _ = event_receive(
        kind=KIND, event_id="E-3", payload=_payload(customer, renewal_number=2, end_date="2029-12-31"), user=integrator
    )
    assert second.status == SystemEvent.Status.PROCESSED and second.contact_ids != first.contact_ids
    assert _generated().count() == 2
    # renewal 1 arriving late under yet another id: no contact, and the agreement keeps renewal 2
    event_receive(kind=KIND, event_id="E-4", payload=_payload(customer), user=integrator)
    agreement = UmbrellaAgreement.objects.get(pk="UA-1")
    assert (agreement.renewal_count, agreement.end_date) == (2, dt.date(2029, 12, 31))
    assert _generated().count() == 2


def test_person_recipients_contact_the_person_who_signed(integrator, admin_user, csr, customer, agreements):
    partner = person_make(csr, name="Rivera, Tomas", phone="(555) 201-4455")
    AccountPerson.objects.create(account=customer["account"], person=partner, relationship_type="SPOUSE")
    algorithm_save(
        code="UA-RENEWAL",
        algorithm_type="CI_UARENEW",
        description="to the signer",
        parameters={**Algorithm.objects.get(code="UA-RENEWAL").parameters, "recipients": "PERSON"},
        user=admin_user,
    )
    event, _ = event_receive(
        kind=KIND, event_id="E-1", payload=_payload(customer, person_id=partner.id), user=integrator
    )
    assert [(c.person_id, c.account_id) for c in _generated()] == [(partner.id, customer["account"].id)]
    assert UmbrellaAgreement.objects.get(pk="UA-1").person_id == partner.id
    # an agreement without a signer has nobody to contact
    event, _ = event_receive(
        kind=KIND, event_id="E-2", payload=_payload(customer, agreement_id="UA-2"), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and "found nobody to contact" in event.error
    assert not UmbrellaAgreement.objects.filter(pk="UA-2").exists()


def test_unknown_or_unrelated_parties_wait_in_the_error_queue(integrator, csr, customer, agreements):
    stranger = person_make(csr, name="Stone, Ada", phone="(555) 777-1212")
    for event_id, over, reason in [
        ("E-1", {"person_id": "NOPE"}, "Person NOPE is not known"),
        ("E-2", {"person_id": stranger.id}, f"Person {stranger.id} is not a person of account"),
        ("E-3", {"account_id": "NOPE"}, "Account NOPE is not known"),
        ("E-4", {"ua_type": "NOPE"}, "Unknown umbrella agreement type 'NOPE'"),
        ("E-5", {"end_date": "2023-01-01"}, "would end before it starts"),
    ]:
        event, _ = event_receive(kind=KIND, event_id=event_id, payload=_payload(customer, **over), user=integrator)
        assert event.status == SystemEvent.Status.ERROR and reason in event.error, (event_id, event.error)
    assert not UmbrellaAgreement.objects.exists() and not _generated().exists()


def test_an_agreement_named_for_another_account_waits_in_the_error_queue(integrator, csr, customer, agreements):
    from tests.factories import account_make

    other = account_make(csr, person_make(csr, name="Stone, Ada", phone="(555) 777-1212"))
    event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    event, _ = event_receive(
        kind=KIND, event_id="E-2", payload=_payload(customer, account_id=other.id, renewal_number=2), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and f"the event says MULTISITE of account {other.id}" in event.error
    assert UmbrellaAgreement.objects.get(pk="UA-1").renewal_count == 1 and _generated().count() == 1


def test_a_misconfigured_algorithm_waits_in_the_error_queue_and_is_retried(
    integrator, admin_user, customer, agreements
):
    good = Algorithm.objects.get(code="UA-RENEWAL").parameters
    Algorithm.objects.filter(code="UA-RENEWAL").update(parameters={**good, "method": "PIGEON"})
    event, _ = event_receive(kind=KIND, event_id="E-1", payload=_payload(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "UA-RENEWAL is misconfigured" in event.error
    assert not UmbrellaAgreement.objects.exists()
    Algorithm.objects.filter(code="UA-RENEWAL").update(parameters=good)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and len(event.contact_ids) == 1


def test_malformed_renewals_are_refused(integrator, customer, agreements):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="E-1", payload=_payload(customer, renewal_number=0), user=integrator)
    assert "renewal_number" in exc.value.fields
    assert not SystemEvent.objects.exists()


def test_dry_run_shows_the_contact_and_changes_nothing(admin_user, customer, agreements):
    outcome = event_dry_run(kind=KIND, payload=_payload(customer), user=admin_user)
    assert [(s.contact_type, s.person_id, s.letter_template) for s in outcome.specs] == [
        ("UARENEW", customer["person"].id, "")
    ]
    assert [c.letter_template for c in outcome.contacts] == ["UA-RENEWAL"]
    assert not UmbrellaAgreement.objects.exists() and not _generated().exists() and not SystemEvent.objects.exists()


def test_admin_shows_agreement_types_with_their_algorithms(agreements):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client = Client()
    client.force_login(root)
    assert "UA-RENEWAL" in client.get("/admin/agreements/umbrellaagreementtype/MULTISITE/change/").content.decode()
    assert client.get("/admin/agreements/umbrellaagreement/").status_code == 200
