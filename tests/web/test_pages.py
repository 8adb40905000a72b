"""The CSR pages through the Django test client: status, content, access groups, query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from custcare.customers.search import SearchResult, SearchRow
from tests.conftest import PASSWORD
from tests.factories import account_make, person_make
from tests.web.conftest import contact_make, contact_type

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "url",
    ["/", "/persons/0000000001/", "/accounts/0000000001/", "/contacts/new/", "/contacts/0000000001/", "/establish/"],
)
def test_every_page_needs_a_login(db, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_with_password_opens_the_search(csr, client):
    page = client.get("/login/")
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post("/login/", {"username": "csr1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    search = client.get("/")
    assert b"Find the customer" in search.content
    assert b"csr1" in search.content and b"CSR" in search.content


def test_wrong_password_stays_on_login(csr, client):
    response = client.post("/login/", {"username": "csr1", "password": "nope-nope"})
    assert response.status_code == 200
    assert b"did not match" in response.content


def test_logout_ends_the_session(csr_client):
    assert csr_client.post("/logout/").status_code == 302
    assert csr_client.get("/").status_code == 302


def test_search_page_lists_the_person_with_accounts(csr_client, csr, customer):
    account_make(csr, person_make(csr, name="Rivera, Carlos", phone="(555) 201-9999"))
    response = csr_client.get("/", {"q": "Rivera"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="results"' in html and 'aria-live="polite"' in html
    assert reverse("web:person", args=[customer["person"].id]) in html
    assert "Rivera, Maria" in html and "matched:" in html


def test_search_through_htmx_returns_only_the_results(csr_client, customer):
    response = csr_client.get("/", {"q": "rivera"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Rivera, Maria" in html


def test_search_without_match_offers_to_establish_prefilled(csr_client, customer):
    html = csr_client.get("/", {"q": "Zebedee Quill"}).content.decode()
    assert "No customer matches" in html
    assert "/establish/?q=Zebedee%20Quill" in html


def test_unique_account_opens_the_account_on_a_full_submit_only(csr_client, customer, monkeypatch):
    account_id = customer["account"].id
    monkeypatch.setattr(
        "custcare.web.views.customer_search",
        lambda *, query, user: SearchResult(
            query=query, kind="id", rows=[SearchRow(person=customer["person"])], unique_account_id=account_id
        ),
    )
    full = csr_client.get("/", {"q": account_id})
    assert full.status_code == 302 and full["Location"] == f"/central/accounts/{account_id}/"
    partial = csr_client.get("/", {"q": account_id}, headers=HTMX)
    assert partial.status_code == 200 and f"Open account {account_id}" in partial.content.decode()


def test_truncated_search_asks_to_refine(csr_client, customer, monkeypatch):
    monkeypatch.setattr(
        "custcare.web.views.customer_search",
        lambda *, query, user: SearchResult(
            query=query, kind="name", rows=[SearchRow(person=customer["person"])], truncated=True
        ),
    )
    html = csr_client.get("/", {"q": "ri"}).content.decode()
    assert "More than 300" in html and "refine your search" in html


def test_person_page_shows_details_masked_and_formatted(csr_client, csr, customer):
    person = customer["person"]
    html = csr_client.get(f"/persons/{person.id}/").content.decode()
    assert "Rivera, Maria" in html
    assert ">(555) 201-3344<" in html  # formatted for reading, not the stored E.164
    assert "123-45-6789" not in html and "•••••••6789" in html
    assert customer["account"].id in html and "Main customer" in html
    assert "12 Elm Street" in html
    assert 'data-shortcut="n"' in html
    assert "Life support" not in html


def test_person_page_shows_life_support_banner(csr_client, csr):
    person = person_make(csr, name="Okafor, Ada", life_support=True, life_support_description="Home oxygen")
    account_make(csr, person)
    html = csr_client.get(f"/persons/{person.id}/").content.decode()
    assert 'class="alert life-support" role="alert"' in html and "Home oxygen" in html


def test_commercial_csr_cannot_see_a_residential_customer(csr_commercial, csr, customer):
    client = Client()
    client.force_login(csr_commercial)
    contact = contact_make(csr, customer)
    assert client.get(f"/persons/{customer['person'].id}/").status_code == 404
    assert client.get(f"/accounts/{customer['account'].id}/").status_code == 404
    assert client.get(f"/contacts/{contact.id}/").status_code == 404
    assert client.get("/contacts/new/", {"person": customer["person"].id}).status_code == 404
    assert client.get(f"/persons/{customer['person'].id}/history/", headers=HTMX).status_code == 404
    assert customer["person"].id not in client.get("/", {"q": "Rivera"}).content.decode()


def test_account_page_shows_account_persons_premises_and_agreements(csr_client, customer):
    account = customer["account"]
    html = csr_client.get(f"/accounts/{account.id}/").content.decode()
    assert "Residential customers (RES)" in html
    assert "1000 points" in html and "BC01" in html
    assert "Rivera, Maria" in html and "main customer" in html
    assert "Residential electricity" in html and "Active" in html
    assert "12 Elm Street" in html
    assert f"/contacts/new/?account={account.id}" in html


def test_history_is_newest_first_and_filters(csr_client, csr, customer):
    old = contact_make(csr, customer, description="first call about the bill")
    new = contact_make(csr, customer, cls="INQ", typ="PAYARR", description="asked for a payment plan")
    html = csr_client.get(f"/persons/{customer['person'].id}/").content.decode()
    assert html.index(new.id) < html.index(old.id)
    partial = csr_client.get(f"/persons/{customer['person'].id}/history/", {"is_open": "1"}, headers=HTMX)
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert new.id in body and old.id not in body
    by_type = csr_client.get(
        f"/accounts/{customer['account'].id}/history/", {"contact_type": contact_type("INQ", "BILLQ").id}, headers=HTMX
    ).content.decode()
    assert old.id in by_type and new.id not in by_type
    by_user = csr_client.get(f"/persons/{customer['person'].id}/history/", {"user": "nobody"}, headers=HTMX)
    assert "0 contacts" in by_user.content.decode()
    mine = csr_client.get(f"/persons/{customer['person'].id}/history/", {"user": "csr1"}, headers=HTMX)
    assert "2 contacts" in mine.content.decode()


def test_history_pages_by_twenty(csr_client, csr, customer):
    ids = [contact_make(csr, customer, description=f"call {i}").id for i in range(23)]
    first = csr_client.get(f"/persons/{customer['person'].id}/history/", headers=HTMX).content.decode()
    assert "Page 1 of 2" in first and ids[-1] in first and ids[0] not in first
    second = csr_client.get(f"/persons/{customer['person'].id}/history/", {"page": 2}, headers=HTMX).content.decode()
    assert ids[0] in second and ids[-1] not in second


def test_history_without_htmx_falls_back_to_the_person_page(csr_client, customer):
    response = csr_client.get(f"/persons/{customer['person'].id}/history/", {"is_open": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/persons/{customer['person'].id}/?is_open=1#history"


def _person_page_queries(client, person_id, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(f"/persons/{person_id}/").status_code == 200
    return len(ctx.captured_queries)


def test_person_page_and_history_query_counts_do_not_grow(csr_client, csr, customer, django_assert_max_num_queries):
    person_id = customer["person"].id
    for i in range(3):
        contact_make(csr, customer, description=f"call {i}")
    few = _person_page_queries(csr_client, person_id, django_assert_max_num_queries, 16)
    for i in range(15):
        contact_make(csr, customer, description=f"more {i}")
    account_make(csr, customer["person"], access_group="COM", customer_class="C")
    many = _person_page_queries(csr_client, person_id, django_assert_max_num_queries, 16)
    assert many == few
    with django_assert_max_num_queries(9):
        csr_client.get(f"/persons/{person_id}/history/", {"is_open": "0"}, headers=HTMX)
    with django_assert_max_num_queries(11):
        csr_client.get(f"/accounts/{customer['account'].id}/")


def test_audit_trail_is_for_supervisors(csr_client, supervisor, customer):
    assert csr_client.get("/audit/").status_code == 403
    assert "/audit/" not in csr_client.get("/").content.decode()
    client = Client()
    client.force_login(supervisor)
    html = client.get("/").content.decode()
    assert 'href="/audit/"' in html
    page = client.get("/audit/", {"entity_type": "customers.person"}).content.decode()
    assert customer["person"].id in page and "csr1" in page
    assert customer["account"].id not in page
    none = client.get("/audit/", {"username": "nobody"}).content.decode()
    assert "0 entries" in none
