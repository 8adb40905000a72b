"""The record intake framework through `custcare records import`: CSV and JSON lines files, refused rows
reported by line number and kept in a rejects file, the good rows written and audited."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from custcare.billing.models import Bill, PayPlan
from custcare.core.errors import AccessDenied
from custcare.core.models import AuditEntry
from custcare.core.records import records_upsert


def _import(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("records", "import", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_csv_import_writes_good_rows_and_reports_the_bad_one(tmp_path, integrator, customer):
    # given a CSV with a bad amount on line 3
    account_id = customer["account"].pk
    path = tmp_path / "bills.csv"
    path.write_text(
        "id,account_id,bill_date,due_date,amount,status,written_off_amount,written_off_on\n"
        f"B-1,{account_id},2026-01-10,2026-01-31,120.00,complete,,\n"
        f"B-2,{account_id},2026-02-10,2026-03-03,lots,complete,,\n"
        f"B-3,{account_id},2026-03-10,2026-03-31,99.90,complete,20.00,2026-06-01\n"
    )
    rejects = tmp_path / "rejects.jsonl"
    # when
    out, error = _import("bill", str(path), "--user", integrator.username, "--rejects", str(rejects))
    # then
    assert error is not None and "1 rows were refused" in str(error)
    assert "bill: 2 added, 0 replaced, 1 refused." in out
    assert "line 3: amount:" in out
    assert sorted(Bill.objects.values_list("id", flat=True)) == ["B-1", "B-3"]
    assert Bill.objects.get(pk="B-3").written_off_amount == Decimal("20.00")
    [reject] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert reject["line"] == 3 and reject["record"]["id"] == "B-2" and "amount" in reject["reason"]


def test_a_corrected_rejects_file_imports_as_it_is(tmp_path, integrator, customer):
    # given the rejects file of a CSV import, its bad amount then corrected in place
    account_id = customer["account"].pk
    path = tmp_path / "bills.csv"
    path.write_text(
        f"id,account_id,bill_date,due_date,amount,status\nB-7,{account_id},2026-02-10,2026-03-03,lots,complete\n"
    )
    rejects = tmp_path / "rejects.jsonl"
    _, error = _import("bill", str(path), "--user", integrator.username, "--rejects", str(rejects))
    assert error is not None and not Bill.objects.filter(pk="B-7").exists()
    [reject] = [json.loads(line) for line in rejects.read_text().splitlines()]
    reject["record"]["amount"] = "45.10"
    rejects.write_text(json.dumps(reject) + "\n")
    # when the rejects file is imported again
    out, error = _import("bill", str(rejects), "--user", integrator.username)
    # then the record it holds is added
    assert error is None, out
    assert "bill: 1 added, 0 replaced, 0 refused." in out
    assert Bill.objects.get(pk="B-7").amount == Decimal("45.10")


def test_jsonl_import_then_reimport_audits_add_then_change(tmp_path, integrator, customer):
    # given pay plans as JSON lines, line 2 naming an unknown pay plan type
    account_id = customer["account"].pk
    plan = {
        "account_id": account_id,
        "pay_plan_type_id": "STANDARD",
        "status": "active",
        "start_date": "2026-01-01",
        "total_amount": "300.00",
        "status_date": "2026-01-01",
    }
    path = tmp_path / "plans.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "PP-1", **plan}),
                json.dumps({"id": "PP-2", **plan, "pay_plan_type_id": "NOPE"}),
                "",
                json.dumps({"id": "PP-3", **plan}),
            ]
        )
        + "\n"
    )
    # when
    out, error = _import("pay-plan", str(path), "--user", integrator.username, "--batch-size", "2")
    # then
    assert error is not None
    assert "pay-plan: 2 added, 0 replaced, 1 refused." in out
    assert "line 2: pay_plan_type_id: No pay plan type 'NOPE'." in out
    assert sorted(PayPlan.objects.values_list("id", flat=True)) == ["PP-1", "PP-3"]
    # when the good lines come again with a new status
    path.write_text(json.dumps({"id": "PP-1", **plan, "status": "kept", "status_date": "2026-06-01"}) + "\n")
    out, error = _import("pay-plan", str(path), "--user", integrator.username)
    # then
    assert error is None
    assert "pay-plan: 0 added, 1 replaced, 0 refused." in out
    assert PayPlan.objects.get(pk="PP-1").status == "kept"
    entries = AuditEntry.objects.filter(entity_type="billing.payplan", entity_id="PP-1").order_by("id")
    assert [(e.action, e.username, e.summary) for e in entries] == [
        ("add", "integ1", "pay-plan intake"),
        ("change", "integ1", "pay-plan intake"),
    ]
    assert entries[1].after["status"] == "kept"
    assert not AuditEntry.objects.filter(entity_type="billing.payplan", entity_id="PP-2").exists()


def test_jsonl_line_that_is_not_json_is_reported(tmp_path, integrator, customer):
    path = tmp_path / "bills.jsonl"
    path.write_text("{not json\n")
    out, error = _import("bill", str(path), "--user", integrator.username)
    assert error is not None
    assert "line 1: not JSON" in out
    assert not Bill.objects.exists()


def test_import_refuses_unknown_kind_user_and_file(tmp_path, integrator, csr):
    path = tmp_path / "bills.csv"
    path.write_text("id\n")
    assert "No record kind 'bills'" in str(_import("bills", str(path), "--user", integrator.username)[1])
    assert "No active user 'nobody'" in str(_import("bill", str(path), "--user", "nobody")[1])
    assert "does not exist" in str(_import("bill", str(tmp_path / "none.csv"), "--user", integrator.username)[1])
    # a CSR may not import
    path.write_text("id,account_id\nB-1,X\n")
    _, error = _import("bill", str(path), "--user", csr.username)
    assert error is not None
    assert not Bill.objects.exists()


def test_upsert_refuses_a_user_without_the_write_permission(csr, customer):
    with pytest.raises(AccessDenied):
        records_upsert(kind="bill", rows=[], user=csr)


def test_a_record_twice_in_one_request_is_refused(integrator, customer):
    row = {
        "id": "B-1",
        "account_id": customer["account"].pk,
        "bill_date": "2026-01-10",
        "due_date": "2026-01-31",
        "amount": "1.00",
        "status": "complete",
    }
    result, errors = records_upsert(kind="bill", rows=[row, row], user=integrator, partial=True)
    assert result.added == ["B-1"]
    assert errors.rows == {1: {"id": ["B-1 appears twice in this request (also record 0)."]}}


def test_kinds_lists_the_fields(reference):
    out = StringIO()
    call_command("records", "kinds", stdout=out)
    assert "credit-rating-history" in out.getvalue()
    assert "fields: id, account_id, points, start_date, end_date, reason" in out.getvalue()


def test_two_records_of_a_request_breaking_a_uniqueness_rule_are_refused_by_name(api_as, integrator, customer):
    from custcare.workflow.models import WorkflowProcess, WorkflowProcessCharacteristic

    client = api_as(integrator)
    ok = client.post(
        "/api/v1/records/workflow-process",
        {
            "records": [
                {
                    "id": "WF-U1",
                    "account_id": customer["account"].pk,
                    "process_type_id": "MOVE-IN",
                    "status": "active",
                    "created_on": "2026-11-01",
                }
            ]
        },
    )
    assert ok.status_code == 200, ok.content
    chars = [
        {"id": "WC-1", "process_id": "WF-U1", "char_type": "ACCT-ID", "value": "1"},
        {"id": "WC-2", "process_id": "WF-U1", "char_type": "ACCT-ID", "value": "2"},
    ]
    response = client.post("/api/v1/records/workflow-process-characteristic", {"records": chars})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["records.1.char_type"]
    assert WorkflowProcessCharacteristic.objects.count() == 0
    assert WorkflowProcess.objects.filter(pk="WF-U1").exists()
