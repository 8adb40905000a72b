"""Control Central in a real browser: search, pick the customer, read the alerts and the timeline,
switch account and premise."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from custcare.billing.demo import billing_demo_load
from custcare.cases.models import Case, CaseTypeStatus
from custcare.contacts.models import CustomerContact
from custcare.contacts.services import customer_contact_add
from custcare.credit.demo import credit_demo_load
from custcare.customers.models import Account, Person, Premise
from custcare.customers.services import service_agreement_create
from custcare.workflow.demo import workflow_demo_load
from tests.browser.conftest import screenshot
from tests.factories import account_make, premise_make

pytestmark = pytest.mark.browser


@pytest.fixture
def maria(csr, customer):
    """Maria on life support, with a contact, an open case and a year of bills at home; a second premise on
    the home account (a cottage with a sensitive load) and a cash-only commercial account at a shop."""
    person, home = customer["person"], customer["account"]
    Person.objects.filter(pk=person.pk).update(life_support=True, life_support_description="Home oxygen concentrator")
    cottage = premise_make(csr, house_number="3", street="Lake Lane")
    Premise.objects.filter(pk=cottage.pk).update(life_support=True, life_support_description="Well pump")
    service_agreement_create(
        account=home, sa_type="E-RES", premise=cottage, start_date=dt.date(2023, 5, 1), user=csr, activate=True
    )
    shop_premise = premise_make(csr, house_number="500", street="Market Street", premise_type="COMM")
    shop = account_make(csr, person, access_group="COM", premise=shop_premise, customer_class="C", sa_types=("E-COM",))
    Account.objects.filter(pk=shop.pk).update(cash_only=True)
    contact = customer_contact_add(
        user=csr,
        method="PHONE",
        contact_class="BILL",
        type_code="HIBILL",
        person_id=person.pk,
        account_id=home.pk,
        description="Says the winter bill is too high.",
    )
    CustomerContact.objects.filter(pk=contact.pk).update(contact_datetime=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))
    Case.objects.create(
        id="CASE-100",
        case_type_id="HIBILL",
        status=CaseTypeStatus.objects.get(case_type_id="HIBILL", status="OPEN"),
        account=home,
        opened_on=dt.date(2026, 11, 21),
    )
    accounts = list(Account.objects.filter(pk__in=[home.pk, shop.pk]))
    billing_demo_load(accounts)
    credit_demo_load(accounts)
    workflow_demo_load(accounts)
    return {"home": home, "shop": shop, "cottage": cottage, "shop_premise": shop_premise}


def test_search_pick_the_customer_see_alerts_and_timeline_then_switch(login, csr, customer, maria):
    page = login(csr)
    page.locator("#id_q").fill("Rivera Maria")
    results = page.locator("#results")
    expect(results.locator("table.results")).to_be_visible()
    results.get_by_role("link", name="Rivera, Maria").click()

    # the dashboard: person in context, the home account (main customer, set up first) and its first premise
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rivera, Maria")
    alerts = page.locator("#zone-alerts")
    expect(alerts.locator(".alert").first).to_have_text("Life support / sensitive load: Home oxygen concentrator")
    expect(alerts).to_contain_text("1 open cases")
    expect(alerts).not_to_contain_text("Cash-only account")
    timeline = page.locator("#zone-timeline")
    expect(timeline).to_contain_text("High bill complaint")
    expect(timeline).to_contain_text("Case High bill investigation opened")
    expect(timeline.locator(".tl-bill").first).to_be_visible()
    expect(page.locator("#zone-finance")).to_contain_text("Balance")
    screenshot(page, "control-central.png")

    # the timeline filters by kind in place
    page.locator(".timeline-filters").get_by_label("Cases").check()
    expect(timeline.locator(".tl-event")).to_have_count(1)
    expect(timeline).to_contain_text("CASE-100")

    # switch premise: the cottage's sensitive load shows
    page.locator("#switch-premise").select_option(maria["cottage"].pk)
    expect(page).to_have_url(re.compile(rf"premise={maria['cottage'].pk}"))
    expect(page.locator("#zone-alerts")).to_contain_text("Premise life support / sensitive load: Well pump")

    # switch account: the shop is cash only, its premise comes into context, the home case is gone
    page.locator("#switch-account").select_option(maria["shop"].pk)
    expect(page).to_have_url(re.compile(rf"account={maria['shop'].pk}"))
    alerts = page.locator("#zone-alerts")
    expect(alerts).to_contain_text("Cash-only account")
    expect(alerts).not_to_contain_text("open cases")
    expect(page.locator(".context-bar")).to_contain_text("500 Market Street")
    expect(page.locator("#zone-timeline")).not_to_contain_text("High bill complaint")

    # n still records a contact, with the context filled in
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/contacts/new/\?person={customer['person'].pk}&account={maria['shop'].pk}"))
