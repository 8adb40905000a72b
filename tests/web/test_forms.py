"""Forms of the CSR interface: adding contacts, the contact log and corrections, establishing customers.
On a refusal nothing changes and everything the user typed is shown again."""

from __future__ import annotations

from django.test import Client

from custcare.contacts.models import ContactLogEntry, CustomerContact
from custcare.customers.models import Account, Person
from tests.factories import account_make, person_make
from tests.web.conftest import contact_make, contact_type, is_checked

HTMX = {"HX-Request": "true"}


def test_add_contact_form_offers_types_details_and_context(csr_client, customer):
    html = csr_client.get("/contacts/new/", {"person": customer["person"].id}).content.decode()
    assert "INQ/BILLQ – Bill inquiry" in html
    assert 'value="+15552013344"' in html
    assert f'<option value="{customer["account"].id}" selected' in html  # the only account is preselected
    assert customer["premise"].id in html
    assert 'hx-get="/contacts/new/type-fields/"' in html


def test_add_contact_from_an_account_uses_its_main_customer(csr_client, customer):
    response = csr_client.get("/contacts/new/", {"account": customer["account"].id})
    assert response.status_code == 200
    assert "Add a contact for Rivera, Maria" in response.content.decode()


def test_choosing_a_type_loads_its_fields_defaults_and_shorthand(csr_client, customer):
    complaint = contact_type("CMPL", "GEN")
    html = csr_client.get(
        "/contacts/new/type-fields/",
        {"person": customer["person"].id, "contact_type": complaint.id, "description": ""},
        headers=HTMX,
    ).content.decode()
    assert "Complaint reason (required)" in html and 'name="char_COMPL-RSN"' in html
    assert 'name="is_open"' in html and "checked" in html.split('name="is_open"')[1].split(">")[0]
    billq = contact_type("INQ", "BILLQ")
    html = csr_client.get(
        "/contacts/new/type-fields/", {"person": customer["person"].id, "contact_type": billq.id}, headers=HTMX
    ).content.decode()
    assert "Customer asked about their bill; explained the charges.</textarea>" in html
    assert "char_" not in html


def test_choosing_a_type_keeps_a_typed_description(csr_client, customer):
    html = csr_client.get(
        "/contacts/new/type-fields/",
        {
            "person": customer["person"].id,
            "contact_type": contact_type("INQ", "BILLQ").id,
            "description": "Caller is upset about the estimate",
            "shorthand_used": "",
        },
        headers=HTMX,
    ).content.decode()
    assert "Caller is upset about the estimate</textarea>" in html
    # a shorthand the form put in is replaced by the next type's shorthand
    html = csr_client.get(
        "/contacts/new/type-fields/",
        {
            "person": customer["person"].id,
            "contact_type": contact_type("INQ", "PAYARR").id,
            "description": "Customer asked about their bill; explained the charges.",
            "shorthand_used": "Customer asked about their bill; explained the charges.",
        },
        headers=HTMX,
    ).content.decode()
    assert "Customer asked for a payment arrangement.</textarea>" in html


def _contact_post(customer, **overrides):
    data = {
        "person": customer["person"].id,
        "contact_type": contact_type("INQ", "BILLQ").id,
        "method": "PHONE",
        "contact_detail": "+15552013344",
        "direction": "IN",
        "description": "Asked why the November bill is higher.",
        "account": customer["account"].id,
        "premise": customer["premise"].id,
    }
    data.update(overrides)
    return data


def test_add_contact_saves_and_shows_it_in_the_history(csr_client, customer):
    response = csr_client.post("/contacts/new/", _contact_post(customer), follow=True)
    contact = CustomerContact.objects.get()
    assert response.redirect_chain == [(f"/persons/{customer['person'].id}/", 302)]
    html = response.content.decode()
    assert f"Contact {contact.id} recorded" in html and f'href="/contacts/{contact.id}/"' in html
    assert contact.contact_detail == "+15552013344" and contact.account_id == customer["account"].id
    assert contact.premise_id == customer["premise"].id and contact.direction == "IN"
    assert "Asked why the November bill is higher." in html


def test_add_contact_refused_keeps_everything_typed(csr_client, customer):
    typed = _contact_post(
        customer,
        contact_type=contact_type("CMPL", "GEN").id,
        description="Rude meter reader",  # open complaints need 20 characters
        is_open="on",
        direction="OUT",
        **{"char_COMPL-RSN": ""},
    )
    response = csr_client.post("/contacts/new/", typed)
    assert response.status_code == 422
    assert CustomerContact.objects.count() == 0
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "Complaint reason is required." in html
    assert "Rude meter reader</textarea>" in html
    assert is_checked(html, "direction", "OUT") and not is_checked(html, "direction", "IN")
    assert is_checked(html, "is_open")
    assert f'<option value="{customer["premise"].id}" selected' in html


def test_add_contact_with_an_unlinked_account_is_refused(csr_client, csr, customer):
    other = account_make(csr, person_make(csr, name="Nguyen, Lan", phone="(555) 301-1000"))
    response = csr_client.post("/contacts/new/", _contact_post(customer, account=other.id))
    assert response.status_code == 422  # the other account is not one of the person's: not a valid choice
    assert CustomerContact.objects.count() == 0


def test_contact_detail_shows_fields_characteristics_and_log(csr_client, csr, customer):
    contact = contact_make(
        csr,
        customer,
        cls="BILL",
        typ="HIBILL",
        description="Says the bill doubled",
        characteristics={"READING": "4521"},
    )
    html = csr_client.get(f"/contacts/{contact.id}/").content.decode()
    assert "High bill complaint" in html and "Says the bill doubled" in html
    assert "Customer&#x27;s meter reading: <strong>4521</strong>" in html
    assert "Complaint reason: <strong>BILLING</strong>" in html  # the type's default
    assert "Entered by a user" in html and "Mark resolved" in html


def test_log_note_is_appended(csr_client, csr, customer):
    contact = contact_make(csr, customer)
    response = csr_client.post(f"/contacts/{contact.id}/log/", {"comment": "Called back, left a message."})
    assert response.status_code == 302
    entry = ContactLogEntry.objects.get(contact=contact)
    assert entry.comment == "Called back, left a message." and entry.user == csr
    empty = csr_client.post(f"/contacts/{contact.id}/log/", {"comment": "  "})
    assert empty.status_code == 422 and ContactLogEntry.objects.filter(contact=contact).count() == 1


def test_correction_is_logged_and_refusal_keeps_input(csr_client, csr, customer):
    contact = contact_make(csr, customer, description="Bill question")
    form = {
        "description": "Bill question about the estimated read",
        "method": "PHONE",
        "contact_detail": "+15552013344",
        "direction": "IN",
        "reason": "",
    }
    refused = csr_client.post(f"/contacts/{contact.id}/correct/", form)
    assert refused.status_code == 422
    assert "Bill question about the estimated read</textarea>" in refused.content.decode()
    contact.refresh_from_db()
    assert contact.description == "Bill question"
    ok = csr_client.post(f"/contacts/{contact.id}/correct/", {**form, "reason": "Added the detail"})
    assert ok.status_code == 302
    contact.refresh_from_db()
    assert contact.description == "Bill question about the estimated read"
    entry = ContactLogEntry.objects.get(contact=contact)
    assert entry.kind == ContactLogEntry.Kind.CORRECTION and entry.changes["before"]["description"] == "Bill question"
    same = csr_client.post(f"/contacts/{contact.id}/correct/", {**form, "reason": "again"})
    assert same.status_code == 422 and "Nothing to correct" in same.content.decode()


def test_close_and_reopen_the_issue(csr_client, csr, customer):
    contact = contact_make(csr, customer, cls="INQ", typ="PAYARR")
    assert contact.is_open
    assert csr_client.post(f"/contacts/{contact.id}/open-flag/", {"reason": "Plan agreed"}).status_code == 302
    contact.refresh_from_db()
    assert not contact.is_open
    assert csr_client.post(f"/contacts/{contact.id}/open-flag/", {"reason": "Plan broken"}).status_code == 302
    contact.refresh_from_db()
    assert contact.is_open
    kinds = list(ContactLogEntry.objects.filter(contact=contact).values_list("kind", flat=True))
    assert kinds == [ContactLogEntry.Kind.CLOSED, ContactLogEntry.Kind.REOPENED]


def test_establish_is_prefilled_from_the_search(csr_client):
    assert 'value="Quill, Zebedee"' in csr_client.get("/establish/", {"q": "Quill, Zebedee"}).content.decode()
    assert 'value="555 777 1234"' in csr_client.get("/establish/", {"q": "555 777 1234"}).content.decode()
    html = csr_client.get("/establish/", {"q": "44 Birch Road"}).content.decode()
    assert 'name="p_house_number" value="44"' in html and 'value="Birch Road"' in html


def test_establish_offers_only_the_users_access_groups(csr_commercial):
    client = Client()
    client.force_login(csr_commercial)
    html = client.get("/establish/").content.decode()
    assert '<option value="COM">' in html and '<option value="RES">' not in html


def _establish_post(**overrides):
    data = {
        "p_name": "Quill, Zebedee",
        "p_kind": "P",
        "p_phone": "555 777 1234",
        "p_phone_type": "MOBILE",
        "p_email": "zq@example.org",
        "p_id_type": "DRLIC",
        "p_id_value": "Q1234567",
        "p_house_number": "44",
        "p_street": "Birch Road",
        "p_city": "Springfield",
        "p_state": "IL",
        "p_postal_code": "62702",
        "p_language": "en",
        "a_customer_class": "R",
        "a_access_group": "RES",
        "pr_same_as_mailing": "on",
        "pr_premise_type": "HOUSE",
        "sa_types": ["E-RES", "G-RES"],
    }
    data.update(overrides)
    return data


def test_establish_creates_person_account_premise_and_agreements(csr_client):
    response = csr_client.post("/establish/", _establish_post())
    account = Account.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.id}/"
    person = Person.objects.get()
    assert person.primary_name == "Quill, Zebedee" and person.phones.get().number == "+15557771234"
    assert sorted(account.service_agreements.values_list("sa_type_id", flat=True)) == ["E-RES", "G-RES"]
    assert account.mailing_premise.street == "Birch Road"
    page = csr_client.get(response["Location"]).content.decode()
    assert "Established Quill, Zebedee" in page


def test_establish_refused_keeps_every_value(csr_client):
    response = csr_client.post("/establish/", _establish_post(p_phone="12", p_email="not-an-email"))
    assert response.status_code == 422
    assert Person.objects.count() == 0 and Account.objects.count() == 0
    html = response.content.decode()
    assert "is not a possible phone number" in html or "is not a phone number" in html
    assert 'value="not-an-email"' in html and 'value="Quill, Zebedee"' in html and 'value="Q1234567"' in html
    assert is_checked(html, "sa_types", "E-RES") and is_checked(html, "sa_types", "G-RES")
    assert not is_checked(html, "sa_types", "W-RES")


def test_establish_warns_about_duplicates_then_creates_when_confirmed(csr_client, customer):
    typed = _establish_post(p_name="Rivera, Maria", p_phone="(555) 201-3344", p_id_value="R9998887")
    warned = csr_client.post("/establish/", typed)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert "This person may already exist" in html
    assert f'href="/persons/{customer["person"].id}/"' in html and "same phone" in html
    assert 'name="confirm_not_duplicate" value="1"' in html
    assert 'value="R9998887"' in html
    assert Person.objects.count() == 1
    confirmed = csr_client.post("/establish/", {**typed, "confirm_not_duplicate": "1"})
    assert confirmed.status_code == 302
    assert Person.objects.filter(primary_name="Rivera, Maria").count() == 2


def test_add_contact_dated_earlier_keeps_that_date_and_refuses_the_future(csr_client, customer):
    import datetime as dt

    from django.utils import timezone

    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = csr_client.post("/contacts/new/", _contact_post(customer, contact_datetime=future))
    assert refused.status_code == 422 and "cannot be dated in the future" in refused.content.decode()
    assert f'value="{future}"' in refused.content.decode()  # what was typed is shown again
    assert CustomerContact.objects.count() == 0
    csr_client.post("/contacts/new/", _contact_post(customer, contact_datetime="2026-03-04T09:15"))
    contact = CustomerContact.objects.get()
    assert timezone.localtime(contact.contact_datetime).strftime("%Y-%m-%d %H:%M") == "2026-03-04 09:15"


def test_correcting_the_date_is_logged_and_the_shown_date_is_not_a_change(csr_client, csr, customer):
    from django.utils import timezone

    contact = contact_make(csr, customer, description="Bill question")
    shown = timezone.localtime(contact.contact_datetime).strftime("%Y-%m-%dT%H:%M")
    form = {
        "description": contact.description,
        "method": contact.method,
        "contact_detail": contact.contact_detail,
        "direction": contact.direction,
    }
    unchanged = csr_client.post(f"/contacts/{contact.id}/correct/", {**form, "contact_datetime": shown, "reason": "x"})
    assert unchanged.status_code == 422 and "Nothing to correct" in unchanged.content.decode()
    moved = csr_client.post(
        f"/contacts/{contact.id}/correct/", {**form, "contact_datetime": "2026-01-02T08:30", "reason": "Was last week"}
    )
    assert moved.status_code == 302
    contact.refresh_from_db()
    assert timezone.localtime(contact.contact_datetime).strftime("%Y-%m-%d %H:%M") == "2026-01-02 08:30"
    entry = ContactLogEntry.objects.get(contact=contact)
    assert "contact_datetime" in entry.changes["after"]
