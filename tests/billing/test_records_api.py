"""/api/v1/records/<kind> for the billing records: add and replace, all-or-nothing lists, references,
who may write, and reading within access groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from custcare.billing.models import Bill, PayPlan, PayPlanScheduledPayment
from custcare.core.models import AuditEntry
from tests.billing import builders as b
from tests.factories import account_make, person_make


def _bill(account_id: str, bill_id: str = "B-100", **fields: object) -> dict[str, object]:
    return {
        "id": bill_id,
        "account_id": account_id,
        "bill_date": "2026-01-10",
        "due_date": "2026-01-31",
        "amount": "123.45",
        "status": "complete",
        **fields,
    }


def test_put_adds_a_bill_then_replaces_it(api_as, integrator, customer):
    # given
    api = api_as(integrator)
    account_id = customer["account"].pk
    body = {k: v for k, v in _bill(account_id).items() if k != "id"}
    # when
    added = api.put("/api/v1/records/bill/B-100", body)
    write_off = {"written_off_amount": "23.45", "written_off_on": "2026-05-01"}
    changed = api.put("/api/v1/records/bill/B-100", {**body, **write_off})
    # then
    assert added.status_code == 200, added.content
    assert added.json() == {"added": ["B-100"], "changed": []}
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"added": [], "changed": ["B-100"]}
    bill = Bill.objects.get(pk="B-100")
    assert (bill.account_id, bill.amount, bill.written_off_amount, bill.written_off_on) == (
        account_id,
        Decimal("123.45"),
        Decimal("23.45"),
        dt.date(2026, 5, 1),
    )
    entries = AuditEntry.objects.filter(entity_type="billing.bill", entity_id="B-100").order_by("id")
    actions = list(entries.values_list("action", "username"))
    assert actions == [("add", "integ1"), ("change", "integ1")]


def test_post_a_list_of_bills_all_or_nothing(api_as, integrator, customer):
    api = api_as(integrator)
    account_id = customer["account"].pk
    good = [_bill(account_id, "B-1"), _bill(account_id, "B-2", bill_date="2026-02-10", due_date="2026-03-03")]
    # when one record of three names an unknown account
    response = api.post("/api/v1/records/bill", {"records": [*good, _bill("NOSUCHACCT", "B-3")]})
    # then nothing is written and the record is named
    assert response.status_code == 422
    assert response.json()["fields"] == {"records.2.account_id": ["No account 'NOSUCHACCT'."]}
    assert "nothing was saved" in response.json()["message"]
    assert not Bill.objects.exists()
    assert not AuditEntry.objects.filter(entity_type="billing.bill").exists()
    # when the list is good
    response = api.post("/api/v1/records/bill", {"records": good})
    assert response.status_code == 200
    assert response.json() == {"added": ["B-1", "B-2"], "changed": []}
    assert sorted(Bill.objects.values_list("id", flat=True)) == ["B-1", "B-2"]


def test_bad_values_are_422_per_record_and_write_nothing(api_as, integrator, customer):
    api = api_as(integrator)
    account_id = customer["account"].pk
    records = [
        _bill(account_id, "B-1"),
        _bill(account_id, "B-2", status="paid"),
        _bill(account_id, "B-3", amount="12.345"),
    ]
    response = api.post("/api/v1/records/bill", {"records": records})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"records.1.status", "records.2.amount"}
    # a rule of the record itself (due before billed, a write-off without its date)
    response = api.post(
        "/api/v1/records/bill",
        {
            "records": [
                _bill(account_id, "B-1"),
                _bill(account_id, "B-4", due_date="2026-01-01"),
                _bill(account_id, "B-5", written_off_amount="5.00"),
            ]
        },
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"records.1.due_date", "records.2.written_off_on"}
    assert not Bill.objects.exists()


def test_unknown_fields_are_refused(api_as, integrator, customer):
    response = api_as(integrator).post(
        "/api/v1/records/bill", {"records": [_bill(customer["account"].pk, colour="red")]}
    )
    assert response.status_code == 422
    assert "records.0.colour" in response.json()["fields"]
    assert not Bill.objects.exists()


def test_pay_plan_and_its_scheduled_payments(api_as, integrator, customer):
    # given
    api = api_as(integrator)
    account_id = customer["account"].pk
    plan = {
        "account_id": account_id,
        "pay_plan_type_id": "STANDARD",
        "status": "active",
        "start_date": "2026-01-01",
        "total_amount": "300.00",
        "status_date": "2026-01-01",
    }
    # when
    assert api.put("/api/v1/records/pay-plan/PP-1", plan).json() == {"added": ["PP-1"], "changed": []}
    unknown_type = api.put("/api/v1/records/pay-plan/PP-2", {**plan, "pay_plan_type_id": "NOPE"})
    payments = api.post(
        "/api/v1/records/pay-plan-payment",
        {
            "records": [
                {
                    "id": f"PP-1-{n}",
                    "pay_plan_id": "PP-1",
                    "due_date": f"2026-0{n + 1}-01",
                    "amount": "100.00",
                    "status": "pending",
                }
                for n in range(1, 4)
            ]
        },
    )
    orphan = api.put(
        "/api/v1/records/pay-plan-payment/X-1",
        {"pay_plan_id": "PP-9", "due_date": "2026-02-01", "amount": "1.00", "status": "pending"},
    )
    broken = api.put("/api/v1/records/pay-plan/PP-1", {**plan, "status": "broken", "status_date": "2026-04-02"})
    # then
    assert unknown_type.status_code == 422
    assert unknown_type.json()["fields"] == {"pay_plan_type_id": ["No pay plan type 'NOPE'."]}
    assert payments.status_code == 200 and payments.json()["added"] == ["PP-1-1", "PP-1-2", "PP-1-3"]
    assert orphan.status_code == 422 and orphan.json()["fields"] == {"pay_plan_id": ["No pay plan 'PP-9'."]}
    assert broken.json() == {"added": [], "changed": ["PP-1"]}
    assert list(PayPlan.objects.values_list("id", "status")) == [("PP-1", "broken")]
    assert PayPlanScheduledPayment.objects.filter(pay_plan_id="PP-1").count() == 3
    # and the scheduled payments are listed by the plan's account
    listed = api.get("/api/v1/records/pay-plan-payment", account_id=account_id)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == ["PP-1-1", "PP-1-2", "PP-1-3"]


@pytest.mark.parametrize("kind", ["bill", "pay-plan"])
def test_a_csr_may_not_write_records(api_as, csr, customer, kind):
    body = (
        _bill(customer["account"].pk)
        if kind == "bill"
        else {
            "account_id": customer["account"].pk,
            "pay_plan_type_id": "STANDARD",
            "status": "active",
            "start_date": "2026-01-01",
            "total_amount": "300.00",
            "status_date": "2026-01-01",
        }
    )
    body.pop("id", None)
    response = api_as(csr).put(f"/api/v1/records/{kind}/X-1", body)
    assert response.status_code == 403
    assert not Bill.objects.exists() and not PayPlan.objects.exists()


def test_reading_respects_access_groups(api_as, csr, csr_commercial, customer):
    # given a residential account's bill and a commercial account's bill
    residential = customer["account"]
    commercial = account_make(csr, person_make(csr, name="Acme Hardware", phone=None), access_group="COM")
    b.bill(residential, dt.date(2026, 1, 10), id="B-RES")
    b.bill(commercial, dt.date(2026, 1, 10), id="B-COM")
    # then a CSR of both groups sees both
    assert api_as(csr).get("/api/v1/records/bill/B-RES").json()["account_id"] == residential.pk
    assert [r["id"] for r in api_as(csr).get("/api/v1/records/bill").json()["items"]] == ["B-COM", "B-RES"]
    # and a commercial-only CSR sees only the commercial one
    com_api = api_as(csr_commercial)
    assert com_api.get("/api/v1/records/bill/B-RES").status_code == 404
    assert com_api.get("/api/v1/records/bill/B-COM").status_code == 200
    assert [r["id"] for r in com_api.get("/api/v1/records/bill").json()["items"]] == ["B-COM"]
    assert com_api.get("/api/v1/records/bill", account_id=residential.pk).json()["items"] == []


def test_read_one_gives_the_payload_fields(api_as, csr, customer):
    b.bill(customer["account"], dt.date(2026, 1, 10), "42.00", id="B-1")
    assert api_as(csr).get("/api/v1/records/bill/B-1").json() == {
        "id": "B-1",
        "account_id": customer["account"].pk,
        "bill_date": "2026-01-10",
        "due_date": "2026-01-31",
        "amount": "42.00",
        "status": "complete",
        "written_off_amount": "0.00",
        "written_off_on": None,
    }


def test_every_billing_kind_is_listed(api_as, csr):
    kinds = {k["code"] for k in api_as(csr).get("/api/v1/records").json()}
    assert kinds >= {
        "bill",
        "payment",
        "pay-plan",
        "pay-plan-payment",
        "match-event",
        "off-cycle-bill-generator",
        "rebate-claim",
        "declaration",
        "credit-rating-history",
    }


def test_a_page_of_records_reads_only_that_page(api_as, csr, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = customer["account"]
    for month in range(1, 13):
        b.bill(account, dt.date(2025, month, 5), id=f"B-{month:02d}")
    client = api_as(csr)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/records/bill", account_id=account.pk, limit=3, offset=3).json()
    assert page["count"] == 12
    assert [r["id"] for r in page["items"]] == ["B-04", "B-05", "B-06"]
    reads = [q["sql"] for q in queries if 'FROM "billing_bill"' in q["sql"]]
    assert len(reads) == 2  # the page's rows and the count, nothing else of the table
    assert sum("COUNT(" in sql for sql in reads) == 1 and sum("LIMIT 3 OFFSET 3" in sql for sql in reads) == 1
