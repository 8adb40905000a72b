"""The two flows a CSR goes through most, in a real browser: find the caller and record why they called;
establish a new customer when the search finds nobody."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from custcare.contacts.models import CustomerContact
from custcare.customers.models import Account, Person
from custcare.customers.services import AddressIn
from tests.browser.conftest import screenshot
from tests.factories import account_make, person_make, premise_make

pytestmark = pytest.mark.browser


@pytest.fixture
def neighbours(csr, customer):
    """A few other customers, so the search has something to tell apart."""
    for name, phone, house, street in [
        ("Rivera, Carlos", "(555) 201-7788", "48", "Oak Avenue"),
        ("Rivas, Mario", "(555) 330-1200", "7", "Maple Drive"),
        ("Okafor, Ada", "(555) 410-2231", "210", "Harbor Road"),
    ]:
        address = AddressIn(house_number=house, street=street, city="Springfield", state="IL", postal_code="62704")
        person = person_make(csr, name=name, phone=phone, address=address)
        account_make(csr, person, premise=premise_make(csr, house_number=house, street=street))


def _search(page, text):
    box = page.locator("#id_q")
    expect(box).to_be_focused()
    box.fill(text)  # HTMX searches as the user types, after a short pause
    results = page.locator("#results")
    expect(results.locator("table.results")).to_be_visible()
    return results


def _record_contact_from_search(page, customer, query):
    results = _search(page, query)
    expect(results).to_contain_text("Rivera, Maria")
    results.get_by_role("link", name="Rivera, Maria").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rivera, Maria")

    page.keyboard.press("n")  # the documented shortcut for a new contact
    expect(page).to_have_url(re.compile(r"/contacts/new/\?person="))
    page.get_by_label("Contact type").select_option(label="BILL/HIBILL – High bill complaint")
    reading = page.get_by_label("Customer's meter reading")
    expect(reading).to_be_visible()  # the type's characteristic fields arrived through HTMX
    description = page.get_by_label("Description")
    expect(description).to_have_value("Customer says the bill is too high.")
    expect(page.get_by_label("Open (the issue is not yet resolved)")).to_be_checked()
    reading.fill("4521")
    description.fill("Customer says the bill is too high; reads 4521 on the meter.")
    page.get_by_label("Contact detail used").select_option("+15552013344")
    screenshot(page, "contact-add.png")
    page.get_by_role("button", name="Save the contact").click()

    expect(page.locator(".messages")).to_contain_text("recorded: High bill complaint")
    history = page.locator("#history-results")
    expect(history).to_contain_text("BILL/HIBILL")
    expect(history).to_contain_text("reads 4521 on the meter")
    contact = CustomerContact.objects.get(person=customer["person"])
    assert contact.is_open and contact.contact_detail == "+15552013344"
    assert {c.char_type_id: c.value for c in contact.characteristics.all()} == {
        "READING": "4521",
        "COMPL-RSN": "BILLING",
    }
    return history


def test_search_a_misspelt_name_and_record_a_contact(login, csr, customer, neighbours):
    page = login(csr)
    results = _search(page, "Maria Rivra")
    expect(results).to_contain_text("Rivera, Maria")
    screenshot(page, "search-results.png")
    history = _record_contact_from_search(page, customer, "Maria Rivra")
    # the history filters refresh the list in place
    page.get_by_label("Open", exact=True).select_option("0")
    expect(history).to_contain_text("0 contacts")
    page.get_by_label("Open", exact=True).select_option("1")
    expect(history).to_contain_text("1 contact,")
    screenshot(page, "person-page.png")


def test_search_the_right_name_and_record_a_contact(login, csr, customer, neighbours):
    page = login(csr)
    _record_contact_from_search(page, customer, "Rivera Maria")


def test_establish_from_a_search_that_finds_nobody(login, csr, customer):
    page = login(csr)
    results = page.locator("#results")
    page.locator("#id_q").fill("Quill, Zebedee")
    expect(results).to_contain_text("No customer matches")
    results.get_by_role("link", name="Establish a new person and account").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Quill, Zebedee")
    page.get_by_label("Phone", exact=True).fill("555 777 1234")
    page.get_by_label("House number").first.fill("44")
    page.get_by_label("Street").first.fill("Birch Road")
    page.get_by_label("City").first.fill("Springfield")
    page.get_by_label("Customer class").select_option("R")
    page.get_by_label("Access group").select_option("RES")
    page.get_by_label("Service address is the mailing address").check()
    page.get_by_label("Premise type").select_option("HOUSE")
    page.get_by_label("Residential electricity").check()
    page.get_by_role("button", name="Establish person and account").click()

    expect(page.locator(".messages")).to_contain_text("Established Quill, Zebedee")
    account = Account.objects.get(account_persons__person__primary_name="Quill, Zebedee")
    expect(page).to_have_url(re.compile(rf"/accounts/{account.id}/$"))
    expect(page.locator("main")).to_contain_text("Residential electricity")
    expect(page.locator("main")).to_contain_text("44 Birch Road")


def test_establish_warns_about_a_likely_duplicate(login, csr, customer):
    page = login(csr)
    page.goto("/establish/?q=Rivera, Maria")
    page.get_by_label("Phone", exact=True).fill("555-201-3344")
    page.get_by_label("Customer class").select_option("R")
    page.get_by_label("Access group").select_option("RES")
    page.get_by_role("button", name="Establish person and account").click()

    warning = page.get_by_role("alert").filter(has_text="This person may already exist")
    expect(warning).to_contain_text("same phone")
    expect(warning.get_by_role("link", name="Rivera, Maria")).to_have_attribute(
        "href", f"/persons/{customer['person'].id}/"
    )
    expect(page.get_by_label("Phone", exact=True)).to_have_value("555-201-3344")  # nothing typed is lost
    assert Person.objects.count() == 1
    screenshot(page, "establish-duplicate.png")
    page.get_by_role("button", name="This is a new customer — create anyway").click()
    expect(page.locator(".messages")).to_contain_text("Established Rivera, Maria")
    assert Person.objects.filter(primary_name="Rivera, Maria").count() == 2
