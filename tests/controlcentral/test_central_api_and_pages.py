"""Control Central through the API and the CSR pages: context, alerts, timeline, zones, access groups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from custcare.algorithms.models import InstallationAlgorithm
from custcare.algorithms.registry import Spot
from custcare.contacts.models import CustomerContact
from custcare.contacts.services import customer_contact_add
from custcare.controlcentral.selectors import central_alerts_get
from custcare.customers.models import Account, Person
from custcare.todo.models import ToDoEntry
from tests.conftest import PASSWORD
from tests.factories import account_make, premise_make

HTMX = {"HX-Request": "true"}
UTC = dt.UTC


def _contacts(csr, customer, n: int) -> list[CustomerContact]:
    made = []
    for i in range(n):
        c = customer_contact_add(
            user=csr,
            method="PHONE",
            contact_class="INQ",
            type_code="BILLQ",
            person_id=customer["person"].pk,
            account_id=customer["account"].pk,
            description=f"call {i}",
        )
        CustomerContact.objects.filter(pk=c.pk).update(contact_datetime=dt.datetime(2026, 1, 1 + i, tzinfo=UTC))
        made.append(c)
    return made


@pytest.fixture
def second_account(csr, customer):
    """Maria also holds a commercial account at a shop premise."""
    shop = premise_make(csr, house_number="500", street="Market Street", premise_type="COMM")
    account = account_make(
        csr, customer["person"], access_group="COM", premise=shop, customer_class="C", sa_types=("E-COM",)
    )
    return account, shop


def test_account_dashboard_has_context_alerts_and_first_timeline_page(api_as, csr, customer):
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=True)
    Person.objects.filter(pk=customer["person"].pk).update(life_support=True, life_support_description="Oxygen")
    _contacts(csr, customer, 3)
    body = api_as(csr).get(f"/api/v1/control-central/accounts/{customer['account'].pk}").json()
    ctx = body["context"]
    assert ctx["person"]["id"] == customer["person"].pk
    assert ctx["premise"]["id"] == customer["premise"].pk
    assert [a["id"] for a in ctx["accounts"]] == [customer["account"].pk]
    assert [sa["status"] for sa in ctx["service_agreements"]] == ["AC"]
    texts = [a["text"] for a in body["alerts"]]
    assert texts[0] == "Life support / sensitive load: Oxygen"  # the starter sequence puts it first
    assert "Cash-only account" in texts
    assert body["alerts"][0]["severity"] in {"info", "warning", "critical"}
    events = body["timeline"]["events"]
    assert [e["detail"] for e in events if e["kind"] == "contact"] == ["call 2", "call 1", "call 0"]
    assert body["timeline"]["next_cursor"] is None


def test_person_and_premise_variants_resolve_the_same_customer(api_as, csr, customer):
    client = api_as(csr)
    by_person = client.get(f"/api/v1/control-central/persons/{customer['person'].pk}").json()
    by_premise = client.get(f"/api/v1/control-central/premises/{customer['premise'].pk}").json()
    assert by_person["context"]["account"]["id"] == customer["account"].pk
    assert by_premise["context"]["account"]["id"] == customer["account"].pk
    assert by_premise["context"]["person"]["id"] == customer["person"].pk


def test_timeline_endpoint_pages_back_and_filters(api_as, csr, customer):
    _contacts(csr, customer, 5)
    client = api_as(csr)
    url = f"/api/v1/control-central/accounts/{customer['account'].pk}/timeline"
    first = client.get(url, limit=2, kind="contact").json()
    assert [e["detail"] for e in first["events"]] == ["call 4", "call 3"]
    second = client.get(url, limit=2, kind="contact", before=first["next_cursor"]).json()
    assert [e["detail"] for e in second["events"]] == ["call 2", "call 1"]
    dated = client.get(url, kind="contact", since="2026-01-02", until="2026-01-03").json()
    assert [e["detail"] for e in dated["events"]] == ["call 2", "call 1"]
    bad = client.get(url, before="garbage!")
    assert bad.status_code == 422 and "cursor" in bad.json()["message"]
    assert client.get(url, kind="gossip").status_code == 422


def test_accounts_outside_the_access_groups_do_not_exist(api_as, csr_commercial, customer):
    client = api_as(csr_commercial)
    assert client.get(f"/api/v1/control-central/accounts/{customer['account'].pk}").status_code == 404
    assert client.get(f"/api/v1/control-central/accounts/{customer['account'].pk}/timeline").status_code == 404
    assert client.get(f"/api/v1/control-central/persons/{customer['person'].pk}").status_code == 404


def test_switching_account_keeps_the_person_and_changes_premise_and_alerts(api_as, csr, customer, second_account):
    shop_account, shop = second_account
    Account.objects.filter(pk=shop_account.pk).update(cash_only=True)
    client = api_as(csr)
    home = client.get(f"/api/v1/control-central/persons/{customer['person'].pk}").json()
    assert home["context"]["account"]["id"] == customer["account"].pk  # main customer, set up first
    assert {a["id"] for a in home["context"]["accounts"]} == {customer["account"].pk, shop_account.pk}
    assert "Cash-only account" not in [a["text"] for a in home["alerts"]]
    shop_view = client.get(f"/api/v1/control-central/accounts/{shop_account.pk}").json()
    assert shop_view["context"]["person"]["id"] == customer["person"].pk
    assert shop_view["context"]["premise"]["id"] == shop.pk
    assert "Cash-only account" in [a["text"] for a in shop_view["alerts"]]


def test_all_alerts_of_an_account_in_at_most_five_round_trips(csr, customer):
    plugged = InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value, enabled=True).count()
    ToDoEntry.objects.create(todo_type_id="TD-CCCB", role_id="CSR-FOLLOWUP", account=customer["account"])
    with CaptureQueriesContext(connection) as queries:
        _, alerts = central_alerts_get(user=csr, account_id=customer["account"].pk)
    assert "1 outstanding To Do entries" in [a.text for a in alerts]
    assert plugged >= 9 and len(queries) <= 5, [q["sql"][:100] for q in queries]


# The CSR pages


@pytest.fixture
def csr_client(csr) -> Client:
    client = Client()
    assert client.login(username=csr.username, password=PASSWORD)
    return client


def test_dashboard_page_loads_each_zone_on_its_own(csr_client, customer):
    html = csr_client.get(f"/central/persons/{customer['person'].pk}/").content.decode()
    assert "<h1>Rivera, Maria" in html
    ids = f"person={customer['person'].pk}&amp;account={customer['account'].pk}"
    for zone in ("alerts", "finance", "contacts", "todo", "timeline"):
        assert f'hx-get="/central/zones/{zone}/?{ids}' in html
    assert f'href="/contacts/new/?{ids}' in html


def test_alert_zone_shows_the_alerts(csr_client, customer):
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=True)
    html = csr_client.get("/central/zones/alerts/", {"account": customer["account"].pk}, headers=HTMX).content.decode()
    assert "Cash-only account" in html
    Account.objects.filter(pk=customer["account"].pk).update(cash_only=False)
    html = csr_client.get("/central/zones/alerts/", {"account": customer["account"].pk}, headers=HTMX).content.decode()
    assert "No alerts." in html


def test_timeline_zone_offers_older_events_and_appends_them(csr_client, csr, customer, settings):
    _contacts(csr, customer, 3)
    InstallationAlgorithm.objects.filter(spot=Spot.CONTACT_TIMELINE.value).delete()
    first = csr_client.get(
        "/central/zones/timeline/", {"account": customer["account"].pk, "kind": "contact"}, headers=HTMX
    ).content.decode()
    assert first.count('class="tl-event') == 3 and "Older events" not in first
    from custcare.algorithms.models import Algorithm
    from custcare.algorithms.services import installation_options

    Algorithm.objects.filter(code="CI_TL-CUSTCO").update(parameters={"page_size": 2})
    algorithm = Algorithm.objects.get(code="CI_TL-CUSTCO")
    InstallationAlgorithm.objects.create(
        options=installation_options(), spot=Spot.CONTACT_TIMELINE.value, sequence=10, algorithm=algorithm
    )
    first = csr_client.get(
        "/central/zones/timeline/", {"account": customer["account"].pk, "kind": "contact"}, headers=HTMX
    ).content.decode()
    assert first.count('class="tl-event') == 2 and "Older events" in first
    more_url = first.split('hx-get="')[-1].split('"')[0].replace("&amp;", "&")
    rest = csr_client.get(more_url, headers=HTMX).content.decode()
    assert rest.count('class="tl-event') == 1 and "call 0" in rest and "Older events" not in rest


def test_timeline_zone_says_what_is_wrong_with_a_bad_filter(csr_client, customer):
    html = csr_client.get(
        "/central/zones/timeline/", {"account": customer["account"].pk, "since": "yesterday"}, headers=HTMX
    ).content.decode()
    assert "is not a date" in html


def test_zones_of_an_account_outside_the_access_groups_are_not_found(customer, csr_commercial):
    client = Client()
    client.login(username=csr_commercial.username, password=PASSWORD)
    for zone in ("alerts", "timeline", "contacts", "todo", "finance"):
        assert client.get(f"/central/zones/{zone}/", {"account": customer["account"].pk}).status_code == 404
    assert client.get(f"/central/accounts/{customer['account'].pk}/").status_code == 404


def test_search_results_open_control_central(csr_client, customer):
    html = csr_client.get("/", {"q": "Rivera"}, headers=HTMX).content.decode()
    assert f'href="/central/persons/{customer["person"].pk}/?account={customer["account"].pk}"' in html


def test_one_click_contact_records_the_shorthand_for_the_context(csr_client, customer):
    from custcare.contacts.models import ContactType

    zone = csr_client.get("/central/zones/contacts/", {"account": customer["account"].pk}, headers=HTMX)
    billq = ContactType.objects.get(contact_class_id="INQ", type_code="BILLQ")
    meter = ContactType.objects.get(contact_class_id="SVC", type_code="METER")  # needs the meter number typed
    buttons = zone.content.decode().split('class="quick-contacts"')[1].split("</form>")[0]
    assert f'value="{billq.pk}"' in buttons and f'value="{meter.pk}"' not in buttons
    ids = {"person": customer["person"].pk, "account": customer["account"].pk, "premise": customer["premise"].pk}
    response = csr_client.post("/central/quick-contact/", {**ids, "contact_type": billq.pk}, headers=HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "contactAdded"
    contact = CustomerContact.objects.get()
    assert (contact.contact_type_id, contact.person_id, contact.account_id) == (
        billq.pk,
        customer["person"].pk,
        customer["account"].pk,
    )
    assert contact.description == billq.shorthand and contact.method == billq.default_method
    assert "Recorded: Bill inquiry" in response.content.decode()


def test_one_click_contact_refuses_a_type_that_needs_more(csr_client, customer):
    from custcare.contacts.models import ContactType

    meter = ContactType.objects.get(contact_class_id="SVC", type_code="METER")
    response = csr_client.post(
        "/central/quick-contact/", {"account": customer["account"].pk, "contact_type": meter.pk}, headers=HTMX
    )
    assert "cannot be recorded in one click" in response.content.decode()
    assert not CustomerContact.objects.exists()


def test_a_person_without_an_account_and_a_premise_without_service(api_as, csr, csr_client):
    from tests.factories import person_make

    prospect = person_make(csr, name="Quill, Zebedee", phone=None)
    empty = premise_make(csr, house_number="77", street="New Street")
    body = api_as(csr).get(f"/api/v1/control-central/persons/{prospect.pk}").json()
    assert body["context"]["account"] is None and body["context"]["premise"] is None
    assert body["timeline"]["events"] == []
    page = csr_client.get(f"/central/persons/{prospect.pk}/").content.decode()
    assert "no account" in page
    finance = csr_client.get("/central/zones/finance/", {"person": prospect.pk}, headers=HTMX).content.decode()
    assert "No account in context." in finance
    lone = api_as(csr).get(f"/api/v1/control-central/premises/{empty.pk}").json()
    assert lone["context"]["premise"]["id"] == empty.pk and lone["context"]["account"] is None
