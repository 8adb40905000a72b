"""service-agreement-activated events with SAAT-NB: a non-billed budget SA's activation creates a contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from custcare.agreements.sa_activation import SATypeAlgorithm
from custcare.agreements.services import agreements_reference_load
from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.core.models import AuditEntry
from custcare.customers.models import SAType, ServiceAgreement
from custcare.customers.services import service_agreement_create
from custcare.events.models import SystemEvent
from custcare.events.services import SYSTEM_USERNAME, event_dry_run, event_receive

KIND = "service-agreement-activated"


@pytest.fixture
def budget_sa(reference, csr, customer):
    agreements_reference_load()
    return service_agreement_create(
        account=customer["account"],
        sa_type="BUDGET",
        premise=customer["premise"],
        start_date=dt.date(2026, 3, 1),
        user=csr,
    )


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_activating_a_budget_sa_makes_it_active_and_creates_one_contact(integrator, customer, budget_sa):
    assert budget_sa.status == ServiceAgreement.Status.PENDING_START
    event, new = event_receive(
        kind=KIND, event_id="E-1", payload={"sa_id": budget_sa.id, "activated_on": "2026-03-01"}, user=integrator
    )
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    budget_sa.refresh_from_db()
    assert budget_sa.status == ServiceAgreement.Status.ACTIVE
    audit = AuditEntry.objects.get(entity_type="customers.serviceagreement", entity_id=budget_sa.id, action="status-AC")
    assert audit.username == SYSTEM_USERNAME
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method, contact.direction) == (
        "BILL",
        "BUDGETON",
        "NA",
        "OUT",
    )
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert contact.origin_reference == f"SA-BUDGET:service-agreement:{budget_sa.id}:activation"
    assert contact.description == f"Budget plan {budget_sa.id} activated on 2026-03-01."
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {
        "SOURCE-ID": f"{budget_sa.id}:activation"
    }
    # the contact type's defaults: a budget review reminder for BILLING in 30 days, no letter
    reminder = Reminder.objects.get(contact=contact)
    assert (reminder.send_to_role_id, reminder.trigger_date) == (
        "BILLING",
        timezone.localdate() + dt.timedelta(days=30),
    )
    assert not contact.print_letter and not contact.is_open


def test_the_same_activation_twice_or_under_a_new_event_id_creates_one_contact(integrator, budget_sa):
    payload = {"sa_id": budget_sa.id}
    first, _ = event_receive(kind=KIND, event_id="E-1", payload=payload, user=integrator)
    again, new_again = event_receive(kind=KIND, event_id="E-1", payload=payload, user=integrator)
    assert (again.pk, new_again) == (first.pk, False)
    resent, _ = event_receive(kind=KIND, event_id="E-2", payload=payload, user=integrator)
    assert resent.status == SystemEvent.Status.PROCESSED and resent.contact_ids == first.contact_ids
    assert _generated().count() == 1 and Reminder.objects.count() == 1
    assert AuditEntry.objects.filter(entity_id=budget_sa.id, action="status-AC").count() == 1


def test_a_billable_sa_type_is_skipped(integrator, budget_sa):
    # plugged while BUDGET was non-billed; an administrator later made it billable
    SAType.objects.filter(pk="BUDGET").update(billable=True)
    event, _ = event_receive(kind=KIND, event_id="E-1", payload={"sa_id": budget_sa.id}, user=integrator)
    assert event.status == SystemEvent.Status.PROCESSED and event.contact_ids == [] and event.algorithms == []
    budget_sa.refresh_from_db()
    assert budget_sa.status == ServiceAgreement.Status.ACTIVE and not _generated().exists()


def test_saat_nb_cannot_be_plugged_into_a_billable_sa_type(budget_sa):
    plug = SATypeAlgorithm(sa_type_id="E-RES", algorithm_id="SA-BUDGET")
    with pytest.raises(ValidationError) as exc:
        plug.full_clean()
    assert "SA-BUDGET is for non-billed SA types; E-RES is billable" in str(exc.value)
    SATypeAlgorithm(sa_type_id="BUDGET", algorithm_id="SA-BUDGET", sequence=20).full_clean()
    with pytest.raises(ValidationError):
        SATypeAlgorithm(sa_type_id="BUDGET", algorithm_id="CC-DESC20").full_clean()


def test_unknown_or_stopped_sas_wait_in_the_error_queue(integrator, csr, customer, budget_sa):
    event, _ = event_receive(kind=KIND, event_id="E-1", payload={"sa_id": "NOPE"}, user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "Service agreement NOPE is not known" in event.error
    ServiceAgreement.objects.filter(pk=budget_sa.id).update(status=ServiceAgreement.Status.CANCELED)
    event, _ = event_receive(kind=KIND, event_id="E-2", payload={"sa_id": budget_sa.id}, user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "is canceled; only a pending-start" in event.error
    assert not _generated().exists()


def test_a_misconfigured_algorithm_leaves_the_sa_pending(integrator, budget_sa):
    good = Algorithm.objects.get(code="SA-BUDGET").parameters
    Algorithm.objects.filter(code="SA-BUDGET").update(parameters={**good, "contact_class": None})
    event, _ = event_receive(kind=KIND, event_id="E-1", payload={"sa_id": budget_sa.id}, user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "SA-BUDGET is misconfigured" in event.error
    budget_sa.refresh_from_db()
    assert budget_sa.status == ServiceAgreement.Status.PENDING_START and not _generated().exists()


def test_saat_nb_refuses_person_recipients(admin_user, budget_sa):
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="SA-BAD",
            algorithm_type="SAAT-NB",
            description="bad",
            parameters={**Algorithm.objects.get(code="SA-BUDGET").parameters, "recipients": "PERSON"},
            user=admin_user,
        )
    assert "names no person" in " ".join(exc.value.fields["parameters"])


def test_malformed_activations_are_refused(integrator, budget_sa):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="E-1", payload={"sa_id": budget_sa.id, "status": "AC"}, user=integrator)
    assert "status" in exc.value.fields
    assert not SystemEvent.objects.exists()


def test_dry_run_shows_the_contact_and_changes_nothing(admin_user, customer, budget_sa):
    outcome = event_dry_run(kind=KIND, payload={"sa_id": budget_sa.id}, user=admin_user)
    assert [(s.contact_type, s.person_id) for s in outcome.specs] == [("BUDGETON", customer["person"].id)]
    budget_sa.refresh_from_db()
    assert budget_sa.status == ServiceAgreement.Status.PENDING_START
    assert not _generated().exists() and not SystemEvent.objects.exists()


def test_admin_sa_type_page_lists_activation_algorithms(budget_sa):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client = Client()
    client.force_login(root)
    page = client.get("/admin/customers/satype/BUDGET/change/").content.decode()
    assert "SA-BUDGET" in page and "activated (spot SA-ACTIV)" in page
