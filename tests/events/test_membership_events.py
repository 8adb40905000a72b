"""Service credit memberships: SCMC-SENDLTR on creation, SCMA-CC on activation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from custcare.programs.models import Membership, ServiceCreditMembershipTypeAlgorithm
from custcare.programs.services import programs_reference_load


@pytest.fixture
def programs(reference):
    programs_reference_load()


def _membership(cust, **over):
    return {
        "membership_id": "SCM-501",
        "membership_type": "SENIOR",
        "account_id": cust["account"].id,
        "person_id": cust["person"].id,
        **over,
    }


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_a_created_membership_sends_a_welcome_letter_to_the_member(integrator, customer, programs):
    event, new = event_receive(
        kind="membership-created",
        event_id="S-1",
        payload=_membership(customer, created_date="2026-02-02"),
        user=integrator,
    )
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    assert event.algorithms == ["SCMC-SENIOR"]
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_class_id, contact.contact_type.type_code, contact.method) == ("MKT", "SCMLTR", "POSTAL")
    # the type's premise usage is Not allowed: the member and account only
    assert (contact.person_id, contact.account_id, contact.premise_id) == (
        customer["person"].id,
        customer["account"].id,
        None,
    )
    assert (contact.origin, contact.origin_reference) == (
        CustomerContact.Origin.ALGORITHM,
        "SCMC-SENIOR:membership:SCM-501",
    )
    assert (contact.print_letter, contact.letter_template) == (True, "SCM-WELCOME")
    assert contact.description == "Welcome letter for Senior citizen service credit membership SCM-501"
    assert dict(contact.characteristics.values_list("char_type_id", "value")) == {"SOURCE-ID": "SCM-501"}
    assert not Reminder.objects.filter(contact=contact).exists()
    membership = Membership.objects.get(pk="SCM-501")
    assert (membership.status, membership.created_date, membership.activation_date) == (
        Membership.Status.CREATED,
        dt.date(2026, 2, 2),
        None,
    )


def test_activation_creates_the_activation_contact_only(integrator, customer, programs):
    event_receive(kind="membership-created", event_id="S-2", payload=_membership(customer), user=integrator)
    event, _ = event_receive(
        kind="membership-activated",
        event_id="S-3",
        payload=_membership(customer, activation_date="2026-02-10"),
        user=integrator,
    )
    assert event.status == SystemEvent.Status.PROCESSED, event.error
    assert event.algorithms == ["SCMA-SENIOR"]
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_type.type_code, contact.method, contact.print_letter, contact.letter_template) == (
        "SCMACT",
        "NA",
        False,
        "",
    )
    assert contact.origin_reference == "SCMA-SENIOR:membership:SCM-501"
    assert contact.description == "Senior citizen service credit membership SCM-501 active from 2026-02-10"
    assert sorted(_generated().values_list("contact_type__type_code", flat=True)) == ["SCMACT", "SCMLTR"]
    membership = Membership.objects.get(pk="SCM-501")
    assert (membership.status, membership.activation_date) == (Membership.Status.ACTIVE, dt.date(2026, 2, 10))


def test_each_membership_event_creates_its_contact_once(integrator, customer, programs):
    first, _ = event_receive(kind="membership-created", event_id="S-4", payload=_membership(customer), user=integrator)
    again, new = event_receive(
        kind="membership-created", event_id="S-4", payload=_membership(customer), user=integrator
    )
    assert (again.pk, new) == (first.pk, False)
    other, _ = event_receive(kind="membership-created", event_id="S-5", payload=_membership(customer), user=integrator)
    assert other.status == SystemEvent.Status.PROCESSED and other.contact_ids == first.contact_ids
    for event_id in ("S-6", "S-7"):
        event_receive(kind="membership-activated", event_id=event_id, payload=_membership(customer), user=integrator)
    assert _generated().count() == 2


def test_an_activation_received_before_the_creation_keeps_the_membership_active(integrator, customer, programs):
    event_receive(
        kind="membership-activated",
        event_id="S-8",
        payload=_membership(customer, activation_date="2026-02-10"),
        user=integrator,
    )
    event, _ = event_receive(
        kind="membership-created",
        event_id="S-9",
        payload=_membership(customer, created_date="2026-02-01"),
        user=integrator,
    )
    assert event.status == SystemEvent.Status.PROCESSED
    membership = Membership.objects.get(pk="SCM-501")
    assert (membership.status, membership.created_date, membership.activation_date) == (
        Membership.Status.ACTIVE,
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 10),
    )
    assert sorted(_generated().values_list("contact_type__type_code", flat=True)) == ["SCMACT", "SCMLTR"]


def test_a_letter_on_a_type_without_a_letter_action_is_still_queued(admin_user, integrator, customer, programs):
    """SCMC-SENDLTR's own template sets the contact's letter, whatever the contact type's action."""
    Algorithm.objects.filter(pk="SCMC-SENIOR").update(
        parameters={"contact_class": "MKT", "contact_type": "SCMACT", "letter_template": "SCM-ALT"}
    )
    event, _ = event_receive(kind="membership-created", event_id="S-10", payload=_membership(customer), user=integrator)
    contact = CustomerContact.objects.get(pk=event.contact_ids[0])
    assert (contact.contact_type.type_code, contact.print_letter, contact.letter_template) == (
        "SCMACT",
        True,
        "SCM-ALT",
    )


def test_unknown_person_and_ended_membership_wait_in_the_error_queue(integrator, customer, programs):
    event, _ = event_receive(
        kind="membership-created",
        event_id="S-11",
        payload=_membership(customer, person_id="8888888888"),
        user=integrator,
    )
    assert event.status == SystemEvent.Status.ERROR and "Person 8888888888 is not known" in event.error
    assert not Membership.objects.exists() and not _generated().exists()
    event_receive(kind="membership-created", event_id="S-12", payload=_membership(customer), user=integrator)
    Membership.objects.filter(pk="SCM-501").update(status=Membership.Status.ENDED)
    event, _ = event_receive(
        kind="membership-activated", event_id="S-13", payload=_membership(customer), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR and "has ended" in event.error
    assert Membership.objects.get(pk="SCM-501").status == Membership.Status.ENDED
    assert list(_generated().values_list("contact_type__type_code", flat=True)) == ["SCMLTR"]


def test_a_misconfigured_letter_algorithm_is_retried_once_fixed(admin_user, integrator, customer, programs):
    good = Algorithm.objects.get(pk="SCMC-SENIOR").parameters
    Algorithm.objects.filter(pk="SCMC-SENIOR").update(parameters={**good, "letter_template": ""})
    event, _ = event_receive(kind="membership-created", event_id="S-14", payload=_membership(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "SCMC-SENIOR is misconfigured" in event.error
    assert not Membership.objects.exists() and not _generated().exists()
    Algorithm.objects.filter(pk="SCMC-SENIOR").update(parameters=good)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and event.attempts == 2
    assert Membership.objects.get(pk="SCM-501").status == Membership.Status.CREATED
    assert _generated().get().letter_template == "SCM-WELCOME"


def test_dry_run_shows_the_letter_contact_and_changes_nothing(admin_user, customer, programs):
    outcome = event_dry_run(kind="membership-created", payload=_membership(customer), user=admin_user)
    assert [(s.contact_type, s.person_id, s.letter_template) for s in outcome.specs] == [
        ("SCMLTR", customer["person"].id, "SCM-WELCOME")
    ]
    assert not _generated().exists() and not Membership.objects.exists() and not SystemEvent.objects.exists()


def test_malformed_membership_events_are_refused(integrator, customer, programs):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(
            kind="membership-activated", event_id="S-15", payload=_membership(customer, status="A"), user=integrator
        )
    assert "status" in exc.value.fields
    assert not SystemEvent.objects.exists() and not Membership.objects.exists()


def test_scmc_sendltr_requires_a_letter_template_and_a_person_based_type(admin_user, programs):
    params = {"contact_class": "MKT", "contact_type": "SCMLTR", "letter_template": "SCM-WELCOME"}
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="LTR-1",
            algorithm_type="SCMC-SENDLTR",
            description="x",
            parameters={k: v for k, v in params.items() if k != "letter_template"},
            user=admin_user,
        )
    assert "letter_template" in exc.value.fields["parameters"][0]
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="LTR-2",
            algorithm_type="SCMC-SENDLTR",
            description="x",
            parameters={**params, "contact_class": "GEN", "contact_type": "PREMNOTE", "recipients": "MAIN"},
            user=admin_user,
        )
    assert "not person-based" in " ".join(exc.value.fields["parameters"])
    assert not Algorithm.objects.filter(code__in=["LTR-1", "LTR-2"]).exists()
    saved = algorithm_save(
        code="LTR-3", algorithm_type="SCMC-SENDLTR", description="ok", parameters=params, user=admin_user
    )
    assert saved.parameters["letter_template"] == "SCM-WELCOME"


def test_membership_type_plug_ins_check_their_spot_and_the_starter_configuration(programs):
    programs_reference_load()
    assert ServiceCreditMembershipTypeAlgorithm.objects.count() == 2
    for code in ("SCMC-SENIOR", "SCMA-SENIOR"):
        Algorithm.objects.get(pk=code).full_clean()
    wrong = ServiceCreditMembershipTypeAlgorithm(
        membership_type_id="SENIOR", spot="SCM-ACTIV", algorithm_id="SCMC-SENIOR"
    )
    with pytest.raises(ValidationError) as exc:
        wrong.clean()
    assert "does not serve the spot SCM-ACTIV" in str(exc.value)
    ServiceCreditMembershipTypeAlgorithm(
        membership_type_id="SENIOR", spot="SCM-CREATE", algorithm_id="SCMC-SENIOR"
    ).clean()
