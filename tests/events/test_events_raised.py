"""CustCare's own services raise events (a CSR activating a service agreement raises
service-agreement-activated, so SAAT-NB records its contact), and bulk intake of a kind that applies
itself event by event gives exactly the one-by-one outcome."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from custcare.agreements.services import agreements_reference_load
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import DomainError
from custcare.core.models import AuditEntry
from custcare.customers.models import AccountPerson, ServiceAgreement
from custcare.customers.services import service_agreement_create, service_agreement_transition
from custcare.events.models import SystemEvent
from custcare.events.services import SYSTEM_USERNAME, event_receive, events_receive_many
from tests.factories import account_make, person_make, premise_make

KIND = "service-agreement-activated"


class _Undo(Exception):
    pass


def _budget(csr: Any, account: Any, premise: Any) -> ServiceAgreement:
    return service_agreement_create(
        account=account, sa_type="BUDGET", premise=premise, start_date=dt.date(2026, 3, 1), user=csr
    )


@pytest.fixture
def budget_sa(reference, csr, customer):
    agreements_reference_load()
    return _budget(csr, customer["account"], customer["premise"])


@pytest.fixture
def orphan_sa(csr, budget_sa):
    """A pending budget SA of an account without a main customer: SAAT-NB finds nobody to contact."""
    person = person_make(csr, name="Lund, Cora", phone="(555) 201-9900")
    premise = premise_make(csr, house_number="7", street="Pine Road")
    account = account_make(csr, person, premise=premise)
    AccountPerson.objects.filter(account=account).update(main_customer=False)
    return _budget(csr, account, premise)


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_a_csr_activating_a_budget_sa_raises_the_event_and_saat_nb_records_its_contact(csr, customer, budget_sa):
    service_agreement_transition(sa=budget_sa, to_status=ServiceAgreement.Status.ACTIVE, user=csr)

    budget_sa.refresh_from_db()
    assert budget_sa.status == ServiceAgreement.Status.ACTIVE
    event = SystemEvent.objects.get(kind=KIND)
    assert (event.event_id, event.status, event.received_by_id) == (
        f"custcare:sa-activated:{budget_sa.id}",
        SystemEvent.Status.PROCESSED,
        csr.pk,
    )
    assert event.payload == {"sa_id": budget_sa.id, "activated_on": timezone.localdate().isoformat()}
    assert event.algorithms == ["SA-BUDGET"]
    contact = _generated().get()
    assert event.contact_ids == [contact.pk]
    assert (contact.contact_type.type_code, contact.person_id, contact.account_id, contact.premise_id) == (
        "BUDGETON",
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin_reference == f"SA-BUDGET:service-agreement:{budget_sa.id}:activation"
    assert contact.user.username == SYSTEM_USERNAME
    assert Reminder.objects.filter(contact=contact, send_to_role_id="BILLING").count() == 1
    # the activation is audited under the CSR, the event under the CSR, its contact under the events user
    audit = Counter(AuditEntry.objects.values_list("entity_type", "action", "username"))
    assert audit[("customers.serviceagreement", "status-AC", csr.username)] == 1
    assert audit[("events.systemevent", "receive", csr.username)] == 1
    assert audit[("contacts.customercontact", "add", SYSTEM_USERNAME)] == 1


def test_the_raised_event_rolls_back_with_the_activation(csr, budget_sa):
    with pytest.raises(_Undo), transaction.atomic():
        service_agreement_transition(sa=budget_sa, to_status=ServiceAgreement.Status.ACTIVE, user=csr)
        assert SystemEvent.objects.count() == 1 and _generated().count() == 1
        raise _Undo

    assert ServiceAgreement.objects.get(pk=budget_sa.pk).status == ServiceAgreement.Status.PENDING_START
    assert not SystemEvent.objects.exists() and not _generated().exists()


def test_an_event_that_fails_waits_in_the_error_queue_and_the_activation_stands(csr, orphan_sa):
    service_agreement_transition(sa=orphan_sa, to_status=ServiceAgreement.Status.ACTIVE, user=csr)

    assert ServiceAgreement.objects.get(pk=orphan_sa.pk).status == ServiceAgreement.Status.ACTIVE
    event = SystemEvent.objects.get(kind=KIND)
    assert event.status == SystemEvent.Status.ERROR and "found nobody to contact" in event.error
    assert not _generated().exists()


def test_other_transitions_raise_nothing(csr, budget_sa):
    service_agreement_transition(sa=budget_sa, to_status=ServiceAgreement.Status.ACTIVE, user=csr)
    service_agreement_transition(sa=budget_sa, to_status=ServiceAgreement.Status.PENDING_STOP, user=csr)
    service_agreement_transition(sa=budget_sa, to_status=ServiceAgreement.Status.ACTIVE, user=csr)

    assert SystemEvent.objects.count() == 1 and _generated().count() == 1


def test_an_activation_reported_by_billing_is_one_event(integrator, budget_sa):
    event, new = event_receive(kind=KIND, event_id="BILL-1", payload={"sa_id": budget_sa.id}, user=integrator)

    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    assert list(SystemEvent.objects.values_list("event_id", flat=True)) == ["BILL-1"]
    assert _generated().count() == 1


def _snapshot(results: list[Any]) -> dict[str, Any]:
    return {
        "results": [
            type(r).__name__ if isinstance(r, DomainError) else (r[0].event_id, r[0].status, r[1]) for r in results
        ],
        "events": sorted(
            (e.event_id, e.status, e.error, e.source_reference, e.algorithms, len(e.contact_ids))
            for e in SystemEvent.objects.all()
        ),
        "contacts": sorted(
            _generated().values_list("origin_reference", "person_id", "account_id", "premise_id", "description")
        ),
        "reminders": Reminder.objects.count(),
        "sas": sorted(ServiceAgreement.objects.values_list("id", "status")),
        "audit": Counter(AuditEntry.objects.values_list("entity_type", "action", "username")),
    }


def test_bulk_intake_of_a_kind_applied_event_by_event_equals_one_by_one(integrator, csr, budget_sa, orphan_sa):
    second = _budget(csr, budget_sa.account, budget_sa.premise)
    items = [
        ("A-1", {"sa_id": budget_sa.id, "activated_on": "2026-03-01"}),
        ("A-2", {"sa_id": orphan_sa.id}),  # applied, then nobody to contact: its activation is undone
        ("A-3", {"sa_id": "NOPE"}),  # fails in apply
        ("A-4", {"sa_id": budget_sa.id}),  # already active now: the same contact, not a second one
        ("A-5", {"sa_id": second.id, "activated_on": "2026-03-02"}),
        ("A-1", {"sa_id": budget_sa.id}),  # a repeat within the batch
        ("A-6", {"sa_id": second.id, "status": "AC"}),  # malformed: refused, nothing stored
    ]
    mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    snapshots = []
    for bulk in (False, True):
        try:
            with transaction.atomic():
                if bulk:
                    results = events_receive_many(kind=KIND, items=items, user=integrator)
                else:
                    results = []
                    for event_id, payload in items:
                        try:
                            results.append(
                                event_receive(kind=KIND, event_id=event_id, payload=payload, user=integrator)
                            )
                        except DomainError as exc:
                            results.append(exc)
                snapshot = _snapshot(results)
                snapshot["audit"] = Counter(
                    AuditEntry.objects.filter(pk__gt=mark).values_list("entity_type", "action", "username")
                )
                snapshots.append(snapshot)
                raise _Undo
        except _Undo:
            pass

    single, bulk = snapshots
    assert bulk == single
    statuses = {e[0]: (e[1], e[2]) for e in single["events"]}
    assert [statuses[i][0] for i in ("A-1", "A-4", "A-5")] == ["PROCESSED"] * 3
    assert "found nobody to contact" in statuses["A-2"][1] and "NOPE is not known" in statuses["A-3"][1]
    assert (orphan_sa.id, ServiceAgreement.Status.PENDING_START) in single["sas"]
    assert (second.id, ServiceAgreement.Status.ACTIVE) in single["sas"]
    assert len(single["contacts"]) == 2 and single["results"][-1] == "ValidationFailed"
