"""The Control Central alerts over billing records: the records that raise each alert and those that do not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.algorithms.models import InstallationAlgorithm
from custcare.algorithms.registry import Spot
from custcare.customers.models import Account
from tests.billing import builders as b
from tests.controlcentral.conftest import alert_texts, alerts_for, only_alert, plug_alert
from tests.factories import account_make, person_make, premise_make

BILLING_ALERTS = [
    "PP-Active",
    "PP-Broken",
    "PP-Kept",
    "CI_WO_BILL",
    "CI_OMF_DF",
    "C1-CCAL-CLM",
    "C1-CCAL-OCBG",
    "CCAL-DECL",
    "C1_CRRT-DF",
]


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def other_account(csr):
    return account_make(csr, person_make(csr, name="Okafor, Sam", phone=None))


def test_active_pay_plans_count_only_the_accounts_active_ones(customer, other_account):
    # given
    only_alert("PP-Active")
    account = customer["account"]
    for status in ("broken", "kept", "canceled"):
        b.pay_plan(account, status)
    b.pay_plan(other_account, "active")
    assert alert_texts(account=account) == []
    # when
    b.pay_plan(account, "active")
    b.pay_plan(account, "active")
    # then
    [alert] = alerts_for(account=account)
    assert alert.text == "2 active pay plans"
    assert alert.count == 2


def test_pay_plan_alerts_need_an_account_in_context(customer):
    only_alert("PP-Active")
    b.pay_plan(customer["account"], "active")
    assert alert_texts(person=customer["person"], premise=customer["premise"]) == []


def test_broken_pay_plans_within_recent_days_only(customer):
    # given a plan broken 10 days ago and one broken 40 days ago
    account = customer["account"]
    b.pay_plan(account, "broken", status_date=_today() - dt.timedelta(days=10))
    b.pay_plan(account, "broken", status_date=_today() - dt.timedelta(days=40))
    b.pay_plan(account, "active")
    # then: the last 30 days hold one, all time holds two
    only_alert("PP-Broken", days=30)
    assert alert_texts(account=account) == ["1 broken pay plans"]
    only_alert("PP-Broken")
    assert alert_texts(account=account) == ["2 broken pay plans"]
    only_alert("PP-Broken", days=5)
    assert alert_texts(account=account) == []


def test_kept_pay_plans_with_a_custom_message(customer):
    account = customer["account"]
    b.pay_plan(account, "kept", status_date=_today() - dt.timedelta(days=100))
    b.pay_plan(account, "broken")
    only_alert("PP-Kept", message="Kept pay plans: {count}", days=365)
    assert alert_texts(account=account) == ["Kept pay plans: 1"]
    only_alert("PP-Kept", days=30)
    assert alert_texts(account=account) == []


def test_pay_plan_days_must_not_be_negative(reference):
    with pytest.raises(ValidationError) as raised:
        plug_alert("PP-Broken", days=-1)
    assert "days" in str(raised.value)


def test_written_off_bills_raise_the_write_off_alert(customer, other_account):
    # given bills without a write-off, a canceled bill with one, and another account's written-off bill
    only_alert("CI_WO_BILL")
    account = customer["account"]
    day = dt.date(2025, 3, 1)
    b.bill(account, day)
    b.bill(account, day, status="canceled", written_off_amount=Decimal("10.00"), written_off_on=day)
    b.bill(other_account, day, written_off_amount=Decimal("10.00"), written_off_on=day)
    assert alert_texts(account=account) == []
    # when
    b.bill(account, day, written_off_amount=Decimal("55.10"), written_off_on=day + dt.timedelta(days=90))
    # then
    assert alert_texts(account=account) == ["1 bills with a write-off"]


def test_open_and_disputed_match_events_raise_the_alert(customer):
    only_alert("CI_OMF_DF")
    account = customer["account"]
    b.match_event(account, "balanced")
    b.match_event(account, "canceled")
    assert alert_texts(account=account) == []
    b.match_event(account, "open")
    b.match_event(account, "disputed")
    assert alert_texts(account=account) == ["2 open or disputed match events"]


def test_open_rebate_claims_raise_the_alert(customer):
    only_alert("C1-CCAL-CLM")
    account = customer["account"]
    for status in ("approved", "denied", "paid", "canceled"):
        b.rebate_claim(account, status)
    assert alert_texts(account=account) == []
    b.rebate_claim(account, "open")
    assert alert_texts(account=account) == ["1 open rebate claims"]


def test_pending_off_cycle_bill_generators_raise_the_alert(customer):
    only_alert("C1-CCAL-OCBG")
    account = customer["account"]
    b.generator(account, "generated")
    b.generator(account, "canceled")
    assert alert_texts(account=account) == []
    b.generator(account, "pending")
    assert alert_texts(account=account) == ["1 pending off-cycle bill generators"]


def test_declarations_effective_today_for_the_account(customer):
    # given declarations that ended yesterday and start tomorrow
    only_alert("CCAL-DECL")
    account, today = customer["account"], _today()
    b.declaration(account, today - dt.timedelta(days=90), today - dt.timedelta(days=1))
    b.declaration(account, today + dt.timedelta(days=1))
    assert alert_texts(account=account) == []
    # when one is open-ended since last month and one ends today
    b.declaration(account, today - dt.timedelta(days=30))
    b.declaration(account, today - dt.timedelta(days=30), today)
    # then
    assert alert_texts(account=account) == ["2 effective declarations"]


def test_declarations_for_the_premise_in_context_count_too(customer, other_account, csr):
    # given another account's declaration at the premise in context, and one at a different premise
    only_alert("CCAL-DECL")
    today = _today()
    elsewhere = premise_make(csr, house_number="77")
    b.declaration(other_account, today - dt.timedelta(days=5), premise=customer["premise"])
    b.declaration(other_account, today - dt.timedelta(days=5), premise=elsewhere)
    # then: the premise's declaration shows with the account and with the premise alone
    assert alert_texts(account=customer["account"], premise=customer["premise"]) == ["1 effective declarations"]
    assert alert_texts(premise=customer["premise"]) == ["1 effective declarations"]
    assert alert_texts(account=customer["account"]) == []
    assert alert_texts(person=customer["person"]) == []


def test_credit_rating_alert_reads_the_effective_rating(customer):
    # given the base rating of 1000 and history entries that are not effective today
    only_alert("C1_CRRT-DF")
    account, today = customer["account"], _today()
    b.rating(account, -700, today - dt.timedelta(days=400), today - dt.timedelta(days=35))
    b.rating(account, -700, today + dt.timedelta(days=1))
    assert alert_texts(account=account) == []
    # when a current entry takes 600 points and another gives 50 back
    b.rating(account, -600, today - dt.timedelta(days=10))
    b.rating(account, 50, today - dt.timedelta(days=3), today)
    # then
    [alert] = alerts_for(account=account)
    assert alert.text == "Credit rating 450"
    assert alert.value == "450"


def test_credit_rating_threshold_and_base_rating(customer):
    account = customer["account"]
    Account.objects.filter(pk=account.pk).update(credit_rating=320)
    only_alert("C1_CRRT-DF", threshold=300)
    assert alert_texts(account=account) == []
    only_alert("C1_CRRT-DF", threshold=321)
    assert alert_texts(account=account) == ["Credit rating 320"]
    only_alert("C1_CRRT-DF")  # default threshold 500
    assert alert_texts(account=account) == ["Credit rating 320"]


def test_credit_rating_threshold_must_be_a_number(reference):
    with pytest.raises(ValidationError) as raised:
        plug_alert("C1_CRRT-DF", threshold="low")
    assert "threshold" in str(raised.value)


def test_every_billing_alert_together_costs_two_statements(customer):
    # given every billing alert plugged in, each with a record that raises it
    InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value).delete()
    for n, code in enumerate(BILLING_ALERTS, start=1):
        plug_alert(code, sequence=n * 10)
    account, today = customer["account"], _today()
    for status in ("active", "broken", "kept"):
        b.pay_plan(account, status, status_date=today)
    b.bill(account, today, written_off_amount=Decimal("5.00"), written_off_on=today)
    b.match_event(account, "open")
    b.rebate_claim(account, "open")
    b.generator(account, "pending")
    b.declaration(account, today)
    b.rating(account, -900, today)
    # when
    with CaptureQueriesContext(connection) as queries:
        texts = alert_texts(account=account, premise=customer["premise"])
    # then
    assert texts == [
        "1 active pay plans",
        "1 broken pay plans",
        "1 kept pay plans",
        "1 bills with a write-off",
        "1 open or disputed match events",
        "1 open rebate claims",
        "1 pending off-cycle bill generators",
        "1 effective declarations",
        "Credit rating 100",
    ]
    assert len(queries) == 2


def test_the_starter_configuration_plugs_every_billing_alert(reference):
    plugged = set(
        InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value).values_list(
            "algorithm__algorithm_type", flat=True
        )
    )
    assert set(BILLING_ALERTS) <= plugged
