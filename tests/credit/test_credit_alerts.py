"""The central alerts over credit records: the account's active overdue, collection and severance
processes and collection agency referrals raise them; ended ones and other accounts' do not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from custcare.credit.models import CollectionAgencyReferral, CollectionProcess, OverdueProcess, SeveranceProcess
from custcare.customers.models import Account, ServiceAgreement
from tests.controlcentral.conftest import alert_texts, alerts_for, only_alert, plug_alert
from tests.factories import account_make, person_make

STARTED = dt.date(2026, 3, 2)


def overdue(account: Account, record_id: str, status: str = "active") -> OverdueProcess:
    return OverdueProcess.objects.create(
        id=record_id, account=account, template="RES-OD", status=status, started_on=STARTED
    )


def collection(account: Account, record_id: str, status: str = "active") -> CollectionProcess:
    return CollectionProcess.objects.create(
        id=record_id, account=account, template="STD-COLL", status=status, started_on=STARTED
    )


def severance(account: Account, record_id: str, status: str = "active") -> SeveranceProcess:
    sa = ServiceAgreement.objects.filter(account=account).first()
    return SeveranceProcess.objects.create(
        id=record_id,
        account=account,
        service_agreement=sa,
        premise_id=sa.premise_id if sa else None,
        status=status,
        started_on=STARTED,
    )


def referral(account: Account, record_id: str, status: str = "active") -> CollectionAgencyReferral:
    return CollectionAgencyReferral.objects.create(
        id=record_id,
        account=account,
        agency="Northstar Recovery",
        status=status,
        referred_on=STARTED,
        amount=Decimal("412.50"),
    )


# (alert type, builder, the ended statuses that must not raise it, the alert's text for two records)
CASES = [
    ("CI_OD-PROC", overdue, ["completed", "canceled"], "2 active overdue processes"),
    ("C1-COLL-DF", collection, ["completed", "canceled"], "2 active collection processes"),
    ("C1_SEVPR-DF", severance, ["completed", "canceled"], "2 active severance processes"),
    ("C1_COLLRF-DF", referral, ["ended", "canceled"], "2 active collection agency referrals"),
]


@pytest.fixture
def other_account(csr: Any) -> Account:
    return account_make(csr, person_make(csr, name="Okafor, Chidi", phone="(555) 777-0101"))


@pytest.mark.parametrize(("alert_type", "make", "ended", "text"), CASES, ids=[c[0] for c in CASES])
def test_active_records_of_the_account_raise_the_alert(customer, alert_type, make, ended, text):
    # given two active records of the account in context
    only_alert(alert_type)
    account = customer["account"]
    make(account, "R-1")
    make(account, "R-2")
    # then the alert counts them
    assert alert_texts(account=account) == [text]


@pytest.mark.parametrize(("alert_type", "make", "ended", "text"), CASES, ids=[c[0] for c in CASES])
def test_ended_records_do_not_raise_the_alert(customer, alert_type, make, ended, text):
    # given only records in the statuses that are over
    only_alert(alert_type)
    account = customer["account"]
    for n, status in enumerate(ended):
        make(account, f"R-{n}", status=status)
    # then nothing is raised
    assert alert_texts(account=account) == []


@pytest.mark.parametrize(("alert_type", "make", "ended", "text"), CASES, ids=[c[0] for c in CASES])
def test_another_accounts_records_do_not_raise_the_alert(customer, other_account, alert_type, make, ended, text):
    # given an active record of another account
    only_alert(alert_type)
    make(other_account, "R-OTHER")
    # then the customer's account has no alert, the other account has one
    assert alert_texts(account=customer["account"]) == []
    assert [a.count for a in alerts_for(account=other_account)] == [1]


@pytest.mark.parametrize(("alert_type", "make", "ended", "text"), CASES, ids=[c[0] for c in CASES])
def test_no_account_in_context_gives_no_alert(customer, alert_type, make, ended, text):
    # given an active record, but only the person and premise in context
    only_alert(alert_type)
    make(customer["account"], "R-1")
    # then the alert, which is about accounts, is not asked
    assert alert_texts(person=customer["person"], premise=customer["premise"]) == []


def test_min_count_and_message_parameters_apply(customer):
    # given an administrator's text and a threshold of two
    only_alert("CI_OD-PROC", message="Overdue: {count} processes, first {value}", min_count=2, severity="critical")
    account = customer["account"]
    overdue(account, "OD-7")
    assert alert_texts(account=account) == []
    # when a second active process arrives
    overdue(account, "OD-3")
    # then the alert shows the count and the smallest id
    [alert] = alerts_for(account=account)
    assert (alert.text, alert.severity, alert.value) == ("Overdue: 2 processes, first OD-3", "critical", "OD-3")


def test_all_four_credit_alerts_cost_two_statements(customer):
    # given the four credit alerts plugged in, and records raising each
    only_alert("CI_OD-PROC")
    plug_alert("C1-COLL-DF", sequence=20)
    plug_alert("C1_SEVPR-DF", sequence=30)
    plug_alert("C1_COLLRF-DF", sequence=40)
    account = customer["account"]
    overdue(account, "OD-1")
    collection(account, "CP-1")
    severance(account, "SV-1")
    referral(account, "CR-1")
    # when the alert zone is computed
    with CaptureQueriesContext(connection) as queries:
        texts = alert_texts(account=account)
    # then all four are raised, in sequence, from the configuration read and one counting statement
    assert texts == [
        "1 active overdue processes",
        "1 active collection processes",
        "1 active severance processes",
        "1 active collection agency referrals",
    ]
    assert len(queries) == 2
