"""Campaign orders: CAOC-CCORDER on the campaign, then CREATE CC on the account's customer class."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.contacts.models import CustomerContact, Reminder
from custcare.core.errors import ValidationFailed
from custcare.customers.services import account_person_add
from custcare.events.models import SystemEvent
from custcare.events.services import event_dry_run, event_receive, event_retry
from custcare.marketing.models import (
    Campaign,
    CampaignAlgorithm,
    CampaignOrder,
    CustomerClassAlgorithm,
    CustomerClassOptions,
)
from custcare.marketing.services import marketing_reference_load
from custcare.programs.services import programs_reference_load
from tests.factories import account_make, person_make, premise_make

KIND = "campaign-order-completed"


@pytest.fixture
def marketing(reference):
    marketing_reference_load()


@pytest.fixture
def commercial(csr, marketing):
    """A commercial customer: class C has CREATE CC (CC-ORDER-COM) in the starter configuration."""
    person = person_make(csr, name="Okoro, Ada", phone="(555) 301-0001")
    premise = premise_make(csr, house_number="400", street="Main Street", premise_type="COMM")
    account = account_make(csr, person, access_group="COM", premise=premise, sa_types=("E-COM",), customer_class="C")
    return {"person": person, "account": account, "premise": premise}


def _order(cust, **over):
    return {
        "order_id": "ORD-77",
        "campaign": "GREEN",
        "person_id": cust["person"].id,
        "account_id": cust["account"].id,
        "premise_id": cust["premise"].id,
        "order_date": "2026-03-01",
        "completion_date": "2026-03-09",
        "package": "100% wind",
        **over,
    }


def _generated():
    return CustomerContact.objects.filter(origin=CustomerContact.Origin.ALGORITHM)


def test_a_completed_order_runs_the_campaign_then_the_customer_class_algorithms(integrator, commercial):
    event, new = event_receive(kind=KIND, event_id="M-1", payload=_order(commercial), user=integrator)
    assert new and event.status == SystemEvent.Status.PROCESSED, event.error
    assert event.algorithms == ["CAOC-GREEN", "CC-ORDER-COM"]
    assert event.source_reference == "campaign-order:ORD-77"
    campaign_cc, class_cc = (CustomerContact.objects.get(pk=pk) for pk in event.contact_ids)
    who = (commercial["person"].id, commercial["account"].id, commercial["premise"].id)
    # CAOC-CCORDER: the order's person, account and premise; the type's defaults, no reminder, no letter
    assert (campaign_cc.contact_class_id, campaign_cc.contact_type.type_code, campaign_cc.method) == (
        "MKT",
        "ORDER",
        "NA",
    )
    assert (campaign_cc.person_id, campaign_cc.account_id, campaign_cc.premise_id) == who
    assert campaign_cc.origin == CustomerContact.Origin.ALGORITHM
    assert campaign_cc.origin_reference == "CAOC-GREEN:campaign-order:ORD-77"
    assert campaign_cc.description == "Order ORD-77 completed in campaign Green energy plan sign-up: 100% wind"
    assert dict(campaign_cc.characteristics.values_list("char_type_id", "value")) == {"SOURCE-ID": "ORD-77"}
    assert (campaign_cc.is_open, campaign_cc.direction, campaign_cc.print_letter) == (False, "OUT", False)
    assert not Reminder.objects.filter(contact=campaign_cc).exists()
    # CREATE CC: configured open, by phone; its contact type's reminder defaults are applied
    assert (class_cc.contact_class_id, class_cc.contact_type.type_code, class_cc.method) == ("MKT", "ORDERCC", "PHONE")
    assert (class_cc.person_id, class_cc.account_id, class_cc.premise_id) == who
    assert class_cc.origin_reference == "CC-ORDER-COM:campaign-order:ORD-77"
    assert class_cc.is_open is True
    reminder = Reminder.objects.get(contact=class_cc)
    assert reminder.send_to_role_id == "CSR-FOLLOWUP"
    assert reminder.trigger_date == timezone.localdate() + dt.timedelta(days=7)
    order = CampaignOrder.objects.get(pk="ORD-77")
    assert (order.status, order.completion_date, order.package) == (
        CampaignOrder.Status.COMPLETED,
        dt.date(2026, 3, 9),
        "100% wind",
    )


def test_the_same_order_creates_its_contacts_once(integrator, commercial):
    first, _ = event_receive(kind=KIND, event_id="M-2", payload=_order(commercial), user=integrator)
    again, new = event_receive(kind=KIND, event_id="M-2", payload=_order(commercial), user=integrator)
    assert (again.pk, new) == (first.pk, False)
    other, new_other = event_receive(kind=KIND, event_id="M-3", payload=_order(commercial), user=integrator)
    assert new_other and other.status == SystemEvent.Status.PROCESSED
    assert other.contact_ids == first.contact_ids
    assert _generated().count() == 2
    assert SystemEvent.objects.count() == 2


def test_a_residential_order_runs_only_the_campaign_algorithm(integrator, customer, marketing):
    event, _ = event_receive(kind=KIND, event_id="M-4", payload=_order(customer), user=integrator)
    assert event.status == SystemEvent.Status.PROCESSED, event.error
    assert event.algorithms == ["CAOC-GREEN"]
    assert list(_generated().values_list("contact_type__type_code", "person_id")) == [("ORDER", customer["person"].id)]


def test_the_contact_goes_to_the_person_who_ordered_not_the_main_customer(integrator, csr, customer, marketing):
    spouse = person_make(csr, name="Rivera, Jon", phone="(555) 201-9999")
    account_person_add(account=customer["account"], person=spouse, relationship_type="SPOUSE", user=csr)
    event, _ = event_receive(
        kind=KIND, event_id="M-5", payload=_order(customer, person_id=spouse.id, premise_id=None), user=integrator
    )
    assert event.status == SystemEvent.Status.PROCESSED, event.error
    contact = _generated().get()
    assert (contact.person_id, contact.account_id, contact.premise_id) == (spouse.id, customer["account"].id, None)


def test_a_created_order_waits_pending_and_a_late_creation_does_not_reopen_it(integrator, customer, marketing):
    payload = {k: v for k, v in _order(customer).items() if k != "completion_date"}
    event, _ = event_receive(kind="campaign-order-created", event_id="C-1", payload=payload, user=integrator)
    assert event.status == SystemEvent.Status.PROCESSED and event.contact_ids == []
    assert CampaignOrder.objects.get(pk="ORD-77").status == CampaignOrder.Status.PENDING
    assert not _generated().exists()
    event_receive(kind=KIND, event_id="M-6", payload=_order(customer), user=integrator)
    event_receive(kind="campaign-order-created", event_id="C-2", payload=payload, user=integrator)
    order = CampaignOrder.objects.get(pk="ORD-77")
    assert (order.status, order.completion_date) == (CampaignOrder.Status.COMPLETED, dt.date(2026, 3, 9))
    assert _generated().count() == 1


def test_an_unknown_person_is_kept_in_the_error_queue_and_nothing_is_recorded(integrator, customer, marketing):
    event, _ = event_receive(
        kind=KIND, event_id="M-7", payload=_order(customer, person_id="9999999999"), user=integrator
    )
    assert event.status == SystemEvent.Status.ERROR
    assert "Person 9999999999 is not known" in event.error
    assert not CampaignOrder.objects.exists() and not _generated().exists()


def test_a_person_not_on_the_account_is_retried_once_linked(integrator, csr, admin_user, customer, marketing):
    stranger = person_make(csr, name="Stone, Kim", phone="(555) 777-1234")
    payload = _order(customer, person_id=stranger.id, premise_id=None)
    event, _ = event_receive(kind=KIND, event_id="M-8", payload=payload, user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "is not on account" in event.error
    assert not CampaignOrder.objects.exists() and not _generated().exists()
    account_person_add(account=customer["account"], person=stranger, relationship_type="TENANT", user=csr)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and event.attempts == 2
    assert list(_generated().values_list("person_id", flat=True)) == [stranger.id]


def test_a_misconfigured_algorithm_is_kept_in_the_error_queue_and_retried(integrator, admin_user, customer, marketing):
    good = Algorithm.objects.get(pk="CAOC-GREEN").parameters
    Algorithm.objects.filter(pk="CAOC-GREEN").update(parameters={**good, "recipients": "EVERYONE"})
    event, _ = event_receive(kind=KIND, event_id="M-9", payload=_order(customer), user=integrator)
    assert event.status == SystemEvent.Status.ERROR and "CAOC-GREEN is misconfigured" in event.error
    assert not CampaignOrder.objects.exists() and not _generated().exists()
    Algorithm.objects.filter(pk="CAOC-GREEN").update(parameters={**good, "contact_type": "NOPE"})
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.ERROR and "no contact type MKT/NOPE" in event.error
    Algorithm.objects.filter(pk="CAOC-GREEN").update(parameters=good)
    event = event_retry(event_pk=event.pk, user=admin_user)
    assert event.status == SystemEvent.Status.PROCESSED and event.attempts == 3
    assert _generated().count() == 1


def test_malformed_orders_are_refused_and_nothing_is_stored(integrator, customer, marketing):
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="M-10", payload=_order(customer, colour="green"), user=integrator)
    assert "colour" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        event_receive(kind=KIND, event_id="M-11", payload=_order(customer, order_date="soon"), user=integrator)
    assert "order_date" in exc.value.fields
    assert not SystemEvent.objects.exists() and not CampaignOrder.objects.exists()


def test_dry_run_shows_both_contacts_and_changes_nothing(admin_user, commercial):
    outcome = event_dry_run(kind=KIND, payload=_order(commercial), user=admin_user)
    assert [(s.algorithm, s.contact_type, s.person_id) for s in outcome.specs] == [
        ("CAOC-CCORDER", "ORDER", commercial["person"].id),
        ("CREATE CC", "ORDERCC", commercial["person"].id),
    ]
    assert [s.origin_reference for s in outcome.specs] == [
        "CAOC-GREEN:campaign-order:ORD-77",
        "CC-ORDER-COM:campaign-order:ORD-77",
    ]
    assert not _generated().exists() and not CampaignOrder.objects.exists() and not SystemEvent.objects.exists()


def test_plug_in_rows_accept_only_algorithms_of_their_spot(marketing):
    programs_reference_load()
    wrong = CampaignAlgorithm(campaign_id="GREEN", algorithm_id="SCMA-SENIOR")
    with pytest.raises(ValidationError) as exc:
        wrong.clean()
    assert "does not serve the spot CAMP-ORDER" in str(exc.value)
    CampaignAlgorithm(campaign_id="GREEN", algorithm_id="CAOC-GREEN").clean()
    expiry = CustomerClassAlgorithm(customer_class_id="R", spot="AP-EXPIRY", algorithm_id="CC-ORDER-COM")
    with pytest.raises(ValidationError):
        expiry.clean()
    CustomerClassAlgorithm(customer_class_id="R", spot="CCL-ORDER", algorithm_id="CC-ORDER-COM").clean()
    with pytest.raises(ValidationError):
        Campaign(code="X", description="x", start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 4, 1)).clean()


def test_starter_configuration_is_valid_and_loads_once(marketing):
    marketing_reference_load()
    for code in ("CAOC-GREEN", "CC-ORDER-COM"):
        Algorithm.objects.get(pk=code).full_clean()
    assert CampaignAlgorithm.objects.count() == 1
    assert CustomerClassAlgorithm.objects.filter(customer_class_id="C", spot="CCL-ORDER").count() == 1
    options = CustomerClassOptions.objects.get(customer_class_id="R")
    assert (options.autopay_allowed, options.expiry_notice_days) == (True, 30)
    assert CustomerClassOptions.objects.get(customer_class_id="I").expiry_notice_days == 45
