"""Admin for campaigns, customer class settings and membership types: plug-in rows inline, audited,
checked against their spot; orders and memberships read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from custcare.core.models import AuditEntry
from custcare.marketing.models import (
    Campaign,
    CampaignAlgorithm,
    CampaignOrder,
    CustomerClassAlgorithm,
    CustomerClassOptions,
)
from custcare.marketing.services import marketing_reference_load
from custcare.programs.models import ServiceCreditMembershipTypeAlgorithm
from custcare.programs.services import programs_reference_load


@pytest.fixture
def client(admin_user: Any) -> Client:
    marketing_reference_load()
    programs_reference_load()
    c = Client()
    c.force_login(admin_user)
    return c


def _inline(prefix: str, rows: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _class_form(algorithm: str, spot: str) -> dict[str, str]:
    return {
        "code": "L",
        "description": "Low income",
        **_inline("options", [{"autopay_allowed": "on", "expiry_notice_days": "21", "customer_class": "L"}], initial=1),
        **_inline("algorithms", [{"spot": spot, "sequence": "10", "algorithm": algorithm}]),
    }


def test_customer_class_page_edits_its_options_and_algorithms(client: Client) -> None:
    html = client.get("/admin/customers/customerclass/L/change/").content.decode()
    assert "notice days before card expiry" in html.lower() and "Customer class algorithms" in html
    response = client.post("/admin/customers/customerclass/L/change/", _class_form("CC-ORDER-COM", "CCL-ORDER"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CustomerClassOptions.objects.get(customer_class_id="L").expiry_notice_days == 21
    assert list(CustomerClassAlgorithm.objects.filter(customer_class_id="L").values_list("algorithm_id", "spot")) == [
        ("CC-ORDER-COM", "CCL-ORDER")
    ]
    audited = set(AuditEntry.objects.filter(username="admin1").values_list("entity_type", "action"))
    assert {("marketing.customerclassoptions", "change"), ("marketing.customerclassalgorithm", "add")} <= audited


def test_an_algorithm_of_another_spot_is_refused_and_nothing_changes(client: Client) -> None:
    response = client.post("/admin/customers/customerclass/L/change/", _class_form("CC-ORDER-COM", "AP-EXPIRY"))
    assert response.status_code == 200 and "does not serve the spot AP-EXPIRY" in response.content.decode()
    assert not CustomerClassAlgorithm.objects.filter(customer_class_id="L").exists()
    assert CustomerClassOptions.objects.get(customer_class_id="L").expiry_notice_days == 30


def test_campaign_added_with_its_algorithm(client: Client) -> None:
    data = {
        "code": "SOLAR",
        "description": "Rooftop solar",
        "start_date": "2026-04-01",
        "end_date": "2026-09-30",
        **_inline("algorithms", [{"spot": "CAMP-ORDER", "sequence": "10", "algorithm": "CAOC-GREEN"}]),
    }
    response = client.post("/admin/marketing/campaign/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Campaign.objects.get(pk="SOLAR").end_date == dt.date(2026, 9, 30)
    assert CampaignAlgorithm.objects.filter(campaign_id="SOLAR", algorithm_id="CAOC-GREEN").exists()
    assert AuditEntry.objects.filter(entity_type="marketing.campaign", action="add", entity_id="SOLAR").exists()
    wrong = {**data, "code": "WIND", "algorithms-0-algorithm": "SCMA-SENIOR"}
    assert "does not serve the spot" in client.post("/admin/marketing/campaign/add/", wrong).content.decode()
    assert not Campaign.objects.filter(pk="WIND").exists()


def test_membership_type_page_lists_both_spots_and_orders_are_read_only(client: Client) -> None:
    html = client.get("/admin/programs/servicecreditmembershiptype/SENIOR/change/").content.decode()
    assert "SCMC-SENIOR" in html and "SCMA-SENIOR" in html
    assert ServiceCreditMembershipTypeAlgorithm.objects.filter(membership_type_id="SENIOR").count() == 2
    assert client.get("/admin/marketing/campaignorder/add/").status_code == 403
    assert client.get("/admin/programs/membership/add/").status_code == 403
    assert client.get("/admin/marketing/campaignorder/").status_code == 200
    assert not CampaignOrder.objects.exists()
