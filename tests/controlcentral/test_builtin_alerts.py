"""The central alerts over customers, contacts, To Do entries and cases: what raises each and what does not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.algorithms.models import Algorithm, InstallationAlgorithm
from custcare.algorithms.registry import Spot
from custcare.cases.models import Case, CaseTypeStatus
from custcare.contacts.services import customer_contact_add
from custcare.controlcentral.alerts import COUNT_CAP
from custcare.customers.models import Account, Person, Premise, ServiceAgreement
from custcare.customers.services import service_agreement_create, service_agreement_transition
from custcare.todo.models import ToDoEntry
from tests.controlcentral.conftest import alert_texts, alerts_for, only_alert, plug_alert
from tests.factories import account_make, person_make, premise_make


def _case(account: Account, status: str, case_id: str, premise: Premise | None = None) -> Case:
    return Case.objects.create(
        id=case_id,
        case_type_id="HIBILL",
        status=CaseTypeStatus.objects.get(case_type_id="HIBILL", status=status),
        account=account,
        premise=premise,
        opened_on=dt.date(2026, 1, 5),
    )


def _todo(account: Account, status: str, todo_type: str = "TD-CCCB") -> ToDoEntry:
    return ToDoEntry.objects.create(todo_type_id=todo_type, role_id="CSR-FOLLOWUP", status=status, account=account)


def test_life_support_on_the_person_raises_the_alert_with_its_description(customer):
    only_alert("C1_LSSL-DF", severity="critical")
    person = customer["person"]
    assert alert_texts(person=person) == []
    Person.objects.filter(pk=person.pk).update(life_support=True, life_support_description="Oxygen concentrator")
    [alert] = alerts_for(person=person)
    assert alert.text == "Life support / sensitive load: Oxygen concentrator"
    assert alert.severity == "critical"
    assert alert.algorithm == "T-C1_LSSL-DF"


def test_life_support_without_a_description_reads_cleanly(customer):
    only_alert("C1_LSSL-DF")
    Person.objects.filter(pk=customer["person"].pk).update(life_support=True)
    assert alert_texts(person=customer["person"]) == ["Life support / sensitive load"]


def test_premise_life_support_alert_reads_the_premise_in_context_only(customer, csr):
    only_alert("C1_LSSLPR-DF")
    other = premise_make(csr, house_number="99")
    Premise.objects.filter(pk=other.pk).update(life_support=True, life_support_description="Dialysis")
    assert alert_texts(account=customer["account"], premise=customer["premise"]) == []
    assert alert_texts(account=customer["account"], premise=other) == [
        "Premise life support / sensitive load: Dialysis"
    ]
    assert alert_texts(account=customer["account"]) == []  # no premise in context: nothing to say


def test_cash_only_account(customer, csr):
    only_alert("C1_CASH-DF")
    assert alert_texts(account=customer["account"]) == []
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=True)
    assert alert_texts(account=customer["account"]) == ["Cash-only account"]


def test_stopped_and_pending_start_service_agreements_are_counted_per_status(customer, csr):
    account, premise = customer["account"], customer["premise"]
    plug_alert("CI_STOPSA-DF", sequence=10)
    InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value).exclude(sequence=10).delete()
    plug_alert("C1_PENDST-DF", sequence=20)
    assert alert_texts(account=account) == []  # one active SA only
    service_agreement_create(
        account=account, sa_type="G-RES", premise=premise, start_date=dt.date(2026, 12, 1), user=csr
    )
    sa = service_agreement_create(
        account=account, sa_type="E-RES", premise=premise, start_date=dt.date(2025, 1, 1), user=csr, activate=True
    )
    service_agreement_transition(
        sa=sa, to_status=ServiceAgreement.Status.STOPPED, user=csr, on_date=dt.date(2026, 2, 1)
    )
    assert alert_texts(account=account) == ["1 stopped service agreements", "1 service agreements pending start"]


def test_outstanding_todo_entries_count_open_and_being_worked_only(customer):
    only_alert("CCAL-TD")
    account = customer["account"]
    _todo(account, ToDoEntry.Status.COMPLETE)
    assert alert_texts(account=account) == []
    _todo(account, ToDoEntry.Status.OPEN)
    _todo(account, ToDoEntry.Status.BEING_WORKED_ON)
    assert alert_texts(account=account) == ["2 outstanding To Do entries"]


def test_outstanding_todo_entries_of_another_account_do_not_count(customer, csr):
    only_alert("CCAL-TD")
    other = account_make(csr, person_make(csr, name="Nguyen, Bao", phone=None))
    _todo(other, ToDoEntry.Status.OPEN)
    assert alert_texts(account=customer["account"]) == []


def test_open_cases_by_the_status_flag_for_account_or_premise(customer):
    only_alert("CCAL-CASE")
    account, premise = customer["account"], customer["premise"]
    _case(account, "RESOLVED", "C-1")
    assert alert_texts(account=account) == []
    _case(account, "OPEN", "C-2", premise=premise)
    _case(account, "INVEST", "C-3")
    assert alert_texts(account=account) == ["2 open cases"]
    only_alert("CCAL-CASE", scope="premise", message="{count} open cases at this premise")
    assert alert_texts(account=account, premise=premise) == ["1 open cases at this premise"]


def test_pay_plan_denial_contacts_counted_within_the_days(customer, csr):
    only_alert("CC-PPDENIAL", contact_class="BILL", contact_type="PPDENY", days=90)
    person, account = customer["person"], customer["account"]

    def deny(when: dt.datetime | None = None) -> None:
        contact = customer_contact_add(
            user=csr,
            method="PHONE",
            contact_class="BILL",
            type_code="PPDENY",
            person_id=person.pk,
            account_id=account.pk,
        )
        if when:
            type(contact).objects.filter(pk=contact.pk).update(contact_datetime=when)

    customer_contact_add(
        user=csr, method="PHONE", contact_class="BILL", type_code="PAYMT", person_id=person.pk, account_id=account.pk
    )
    deny(timezone.now() - dt.timedelta(days=200))
    assert alert_texts(account=account) == []
    deny()
    assert alert_texts(account=account) == ["1 pay plan denial contacts"]


def test_min_count_and_message_parameters(customer):
    only_alert("CCAL-TD", min_count=3, message="Busy account: {count} open To Do")
    account = customer["account"]
    for _ in range(2):
        _todo(account, ToDoEntry.Status.OPEN)
    assert alert_texts(account=account) == []
    _todo(account, ToDoEntry.Status.OPEN)
    assert alert_texts(account=account) == ["Busy account: 3 open To Do"]


def test_counts_stop_at_the_cap(customer):
    only_alert("CCAL-TD")
    ToDoEntry.objects.bulk_create(
        [
            ToDoEntry(todo_type_id="TD-CCCB", role_id="CSR-FOLLOWUP", account=customer["account"])
            for _ in range(COUNT_CAP + 5)
        ]
    )
    [alert] = alerts_for(account=customer["account"])
    assert alert.text == f"{COUNT_CAP}+ outstanding To Do entries"


def test_alerts_follow_the_sequence_and_skip_disabled_ones(customer):
    account = customer["account"]
    Account.objects.filter(pk=account.pk).update(cash_only=True)
    _todo(account, ToDoEntry.Status.OPEN)
    InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value).delete()
    plug_alert("CCAL-TD", sequence=20)
    plug_alert("C1_CASH-DF", sequence=10)
    assert alert_texts(account=account) == ["Cash-only account", "1 outstanding To Do entries"]
    InstallationAlgorithm.objects.filter(algorithm_id="T-C1_CASH-DF").update(enabled=False)
    assert alert_texts(account=account) == ["1 outstanding To Do entries"]


def test_an_algorithm_whose_parameters_no_longer_validate_is_skipped(customer):
    only_alert("CCAL-TD")
    plug_alert("C1_CASH-DF", sequence=20)
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=True)
    Algorithm.objects.filter(code="T-CCAL-TD").update(parameters={"min_count": "many"})
    assert alert_texts(account=customer["account"]) == ["Cash-only account"]


def test_bad_parameters_are_refused_when_saved(reference):
    from django.core.exceptions import ValidationError

    bad = Algorithm(
        code="X",
        description="x",
        algorithm_type="CC-PPDENIAL",
        parameters={"contact_class": "BILL", "contact_type": "NOPE"},
    )
    with pytest.raises(ValidationError, match="No contact type 'BILL/NOPE'"):
        bad.full_clean()
    bad = Algorithm(code="Y", description="y", algorithm_type="CCAL-TD", parameters={"severity": "loud"})
    with pytest.raises(ValidationError, match="severity"):
        bad.full_clean()


def test_every_starter_alert_in_two_statements_whatever_their_number(customer):
    """The starter configuration plugs every installed alert type; counting them is one statement."""
    plugged = InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value, enabled=True).count()
    assert plugged >= 9
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=True)
    with CaptureQueriesContext(connection) as queries:
        texts = alert_texts(account=customer["account"], person=customer["person"], premise=customer["premise"])
    assert "Cash-only account" in texts
    assert len(queries) <= 2, [q["sql"][:120] for q in queries]
