"""case-opened and case-status-changed events with CASE-CC: entering a configured status creates a contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.cases.models import Case, CaseTransition, CaseTypeStatus, CaseTypeStatusAlgorithm
from custcare.cases.selectors import cases_open
from custcare.cases.services import cases_reference_load
from custcare.contacts.models import ContactType, CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from tests.factories import person_make


@pytest.fixture
def cases(reference):
    cases_reference_load()


def _opened(customer, **over):
    return {
        "case_id": "C-1",
        "case_type": "HIBILL",
        "account_id": customer["account"].id,
        "person_id": customer["person"].id,
        "premise_id": customer["premise"].id,
        "opened_on": "2026-03-01",
        "description": "March bill twice the usual",
        **over,
    }


def _changed(status, **over):
    return {"case_id": "C-1", "status": status, **over}


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_opening_a_case_creates_one_contact_with_the_type_defaults(integrator, csr, customer, cases):
    event, new = event_receive(kind="case-opened", event_id="E-1", payload=_opened(customer), user=integrator)
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method, contact.direction) == (
        "BILL",
        "CASEOPEN",
        "NA",
        "OUT",
    )
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        customer["premise"].id,
    )
    assert contact.origin == CustomerContact.Origin.ALGORITHM
    assert contact.origin_reference == "CASE-OPENED:case:C-1:OPEN"
    assert contact.description == "Case C-1 opened: High bill investigation. March bill twice the usual"
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {"SOURCE-ID": "C-1:OPEN"}
    assert contact.is_open and not contact.print_letter
    reminder = Reminder.objects.get(contact=contact)
    assert (reminder.send_to_role_id, reminder.trigger_date) == (
        "BILLING",
        timezone.localdate() + dt.timedelta(days=10),
    )
    case = Case.objects.get(pk="C-1")
    assert (case.status.status, case.status.is_open, case.opened_on, case.closed_on) == (
        "OPEN",
        True,
        dt.date(2026, 3, 1),
        None,
    )
    assert list(cases_open(user=csr, account_id=customer["account"].id)) == [case]
    # the same event again, and the same opening under another event id: one contact, one transition
    again, new_again = event_receive(kind="case-opened", event_id="E-1", payload=_opened(customer), user=integrator)
    assert (again.pk, new_again) == (event.pk, False)
    other, _ = event_receive(kind="case-opened", event_id="E-2", payload=_opened(customer), user=integrator)
    assert other.status == SystemEvent.Status.PROCESSED and other.contact_ids == event.contact_ids
    assert _generated().count() == 1 and Reminder.objects.count() == 1
    assert CaseTransition.objects.filter(case_id="C-1").count() == 1


def test_status_changes_are_logged_and_a_configured_status_sends_a_letter(integrator, csr, customer, cases):
    event_receive(kind="case-opened", event_id="E-1", payload=_opened(customer), user=integrator)
    invest, _ = event_receive(kind="case-status-changed", event_id="E-2", payload=_changed("INVEST"), user=integrator)
    assert invest.status == SystemEvent.Status.PROCESSED and invest.contact_ids == []  # nothing configured
    resolved, _ = event_receive(
        kind="case-status-changed",
        event_id="E-3",
        payload=_changed("RESOLVED", changed_at="2026-03-20T14:00:00", comment="Meter misread; bill corrected."),
        user=integrator,
    )
    assert resolved.status == SystemEvent.Status.PROCESSED, resolved.error
    letter = CustomerContact.objects.get(pk=resolved.contact_ids[0])
    assert (letter.contact_type.type_code, letter.method, letter.person_id, letter.account_id) == (
        "CASERES",
        "POSTAL",
        customer["person"].id,
        customer["account"].id,
    )
    assert letter.origin_reference == "CASE-RESOLVED:case:C-1:RESOLVED"
    assert letter.description == "Case C-1 (High bill investigation) resolved. Meter misread; bill corrected."
    assert letter.print_letter and letter.letter_template == "CASE-RESOLVED"
    assert not letter.is_open and not Reminder.objects.filter(contact=letter).exists()
    case = Case.objects.get(pk="C-1")
    assert (case.status.status, case.closed_on) == ("RESOLVED", dt.date(2026, 3, 20))
    assert not cases_open(user=csr, account_id=customer["account"].id).exists()
    assert [(t.from_status and t.from_status.status, t.to_status.status) for t in case.transitions.all()] == [
        (None, "OPEN"),
        ("OPEN", "INVEST"),
        ("INVEST", "RESOLVED"),
    ]
    # resolved again under a new event id: no second letter, no second transition
    event_receive(kind="case-status-changed", event_id="E-4", payload=_changed("RESOLVED"), user=integrator)
    assert _generated().filter(contact_type__type_code="CASERES").count() == 1
    assert case.transitions.count() == 3


def test_a_status_of_another_type_waits_in_the_error_queue(integrator, customer, cases):
    event_receive(kind="case-opened", event_id="E-1", payload=_opened(customer), user=integrator)
    event, _ = event_receive(kind="case-status-changed", event_id="E-2", payload=_changed("WAITCUST"), user=integrator)
    assert event.status == SystemEvent.Status.ERROR
    assert "WAITCUST is not a status of case type HIBILL" in event.error and "INVEST" in event.error
    assert Case.objects.get(pk="C-1").status.status == "OPEN" and CaseTransition.objects.count() == 1


def test_a_change_before_the_opening_waits_and_is_retried(integrator, admin_user, customer, cases):
    early, _ = event_receive(kind="case-status-changed", event_id="E-1", payload=_changed("INVEST"), user=integrator)
    assert early.status == SystemEvent.Status.ERROR and "Case C-1 is not known" in early.error
    event_receive(kind="case-opened", event_id="E-2", payload=_opened(customer), user=integrator)
    early = event_retry(event_pk=early.pk, user=admin_user)
    assert early.status == SystemEvent.Status.PROCESSED
    assert Case.objects.get(pk="C-1").status.status == "INVEST"


def test_unknown_or_unrelated_parties_wait_in_the_error_queue(integrator, csr, customer, cases):
    stranger = person_make(csr, name="Stone, Ada", phone="(555) 777-1212")
    for event_id, over, reason in [
        ("E-1", {"person_id": "NOPE"}, "Person NOPE is not known"),
        ("E-2", {"person_id": stranger.id}, f"Person {stranger.id} is not a person of account"),
        ("E-3", {"premise_id": "NOPE"}, "Premise NOPE is not known"),
        ("E-4", {"account_id": "NOPE"}, "Account NOPE is not known"),
        ("E-5", {"case_type": "NOPE"}, "Unknown case type 'NOPE'"),
    ]:
        event, _ = event_receive(
            kind="case-opened", event_id=event_id, payload=_opened(customer, **over), user=integrator
        )
        assert event.status == SystemEvent.Status.ERROR and reason in event.error, (event_id, event.error)
    assert not Case.objects.exists() and not _generated().exists()


def test_a_case_without_a_person_cannot_be_contacted_by_person(integrator, admin_user, customer, cases):
    algorithm_save(
        code="CASE-OPENED",
        algorithm_type="CASE-CC",
        description="to the case's person",
        parameters={**Algorithm.objects.get(code="CASE-OPENED").parameters, "recipients": "PERSON"},
        user=admin_user,
    )
    event, _ = event_receive(
        kind="case-opened", event_id="E-1", payload=_opened(customer, person_id=None), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and "found nobody to contact" in event.error
    assert not Case.objects.exists()
    event, _ = event_receive(kind="case-opened", event_id="E-2", payload=_opened(customer), user=integrator)
    assert [c.person_id for c in _generated()] == [customer["person"].id]


def test_an_inactive_contact_type_waits_in_the_error_queue_and_is_retried(integrator, admin_user, customer, cases):
    ContactType.objects.filter(contact_class_id="BILL", type_code="CASEOPEN").update(active=False)
    event, _ = event_receive(kind="case-opened", event_id="E-1", payload=_opened(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "could not create its contact" in event.error
    assert "BILL/CASEOPEN – Case opened is no longer in use" in event.error
    assert not Case.objects.exists() and not _generated().exists()
    ContactType.objects.filter(contact_class_id="BILL", type_code="CASEOPEN").update(active=True)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and len(event.contact_ids) == 1


def test_malformed_case_events_are_refused(integrator, customer, cases):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind="case-status-changed", event_id="E-1", payload={"case_id": "C-1"}, user=integrator)
    assert "status" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind="case-opened", event_id="E-2", payload=_opened(customer, priority=1), user=integrator)
    assert "priority" in exc.value.fields
    assert not SystemEvent.objects.exists()


def test_dry_run_shows_the_contact_and_changes_nothing(admin_user, customer, cases):
    outcome = event_dry_run(kind="case-opened", payload=_opened(customer), user=admin_user)
    assert [(s.contact_type, s.person_id, s.origin_reference) for s in outcome.specs] == [
        ("CASEOPEN", customer["person"].id, "CASE-OPENED:case:C-1:OPEN")
    ]
    assert not Case.objects.exists() and not _generated().exists() and not SystemEvent.objects.exists()


def test_a_transition_algorithm_must_name_a_status_of_its_type(cases):
    other_status = CaseTypeStatus.objects.get(case_type_id="DISPUTE", status="CLOSED")
    plug = CaseTypeStatusAlgorithm(case_type_id="HIBILL", status=other_status, algorithm_id="CC-DESC20")
    with pytest.raises(ValidationError) as exc:
        plug.full_clean()
    assert "status of DISPUTE, not of HIBILL" in str(exc.value) and "does not serve the spot" in str(exc.value)


def test_admin_shows_case_types_with_statuses_and_transition_algorithms(cases):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client = Client()
    client.force_login(root)
    page = client.get("/admin/cases/casetype/HIBILL/change/").content.decode()
    assert "Under investigation" in page and "CASE-RESOLVED" in page
    assert client.get("/admin/cases/case/").status_code == 200
