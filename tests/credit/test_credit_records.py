"""Credit record intake: the API (/api/v1/records/<kind>) and the bulk import command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from custcare.core.models import AuditEntry
from custcare.credit.models import CollectionAgencyReferral, OverdueProcess, SeveranceProcess
from tests.factories import account_make, person_make

OVERDUE = "/api/v1/records/overdue-process"


def test_integrator_adds_then_replaces_an_overdue_process(customer, integrator, api_as):
    # given an integrator of the credit system
    api = api_as(integrator)
    account_id = customer["account"].pk
    # when it sends a new overdue process
    response = api.put(
        f"{OVERDUE}/OD-100", {"account_id": account_id, "template": "RES-OD", "started_on": "2026-03-02"}
    )
    # then it is added, active by default, and audited to the integrator
    assert response.status_code == 200, response.content
    assert response.json() == {"added": ["OD-100"], "changed": []}
    process = OverdueProcess.objects.get(pk="OD-100")
    assert (process.account_id, process.status, process.started_on, process.ended_on) == (
        account_id,
        "active",
        dt.date(2026, 3, 2),
        None,
    )
    entry = AuditEntry.objects.get(entity_type="credit.overdueprocess", entity_id="OD-100")
    assert (entry.action, entry.username) == ("add", integrator.username)
    # when the process completes and the credit system sends it again
    response = api.put(
        f"{OVERDUE}/OD-100",
        {
            "account_id": account_id,
            "template": "RES-OD",
            "status": "completed",
            "started_on": "2026-03-02",
            "ended_on": "2026-03-20",
        },
    )
    # then the copy is replaced
    assert response.json() == {"added": [], "changed": ["OD-100"]}
    process.refresh_from_db()
    assert (process.status, process.ended_on) == ("completed", dt.date(2026, 3, 20))


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        # Refused by the request schema (named with dots) ...
        ({"status": "paused"}, "records.1.status", "Input should be 'active', 'completed' or 'canceled'"),
        ({"template": ""}, "records.1.template", "String should have at least 1 character"),
        # ... and by the intake's checks of the record and its references.
        (
            {"started_on": "2026-03-02", "ended_on": "2026-03-01"},
            "records.1.ended_on",
            "A process cannot end before it started.",
        ),
        ({"account_id": "9999999999"}, "records.1.account_id", "No account '9999999999'."),
    ],
    ids=["unknown-status", "no-template", "ends-before-start", "unknown-account"],
)
def test_a_bad_overdue_process_is_refused_and_nothing_is_written(customer, integrator, api_as, record, field, message):
    # given a list with a good record and a bad one
    good = {"id": "OD-1", "account_id": customer["account"].pk, "template": "RES-OD", "started_on": "2026-03-02"}
    bad = {**good, "id": "OD-2", **record}
    # when it is sent
    response = api_as(integrator).post(OVERDUE, {"records": [good, bad]})
    # then the request is refused with the bad record's field named, and neither is written
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["fields"][field])
    assert not OverdueProcess.objects.exists()
    assert not AuditEntry.objects.filter(entity_type="credit.overdueprocess").exists()


def test_a_csr_may_not_write_credit_records(customer, csr, api_as):
    # when a CSR sends a collection agency referral
    response = api_as(csr).put(
        "/api/v1/records/collection-agency-referral/CR-1",
        {"account_id": customer["account"].pk, "agency": "Northstar", "referred_on": "2026-02-01", "amount": "50.00"},
    )
    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not CollectionAgencyReferral.objects.exists()


def test_credit_records_are_read_within_access_groups(customer, csr, csr_commercial, integrator, api_as):
    # given a severance process of a residential account and one of a commercial account
    commercial = account_make(csr, person_make(csr, name="Acme Bakery", phone=None), access_group="COM")
    rows = [
        {"id": "SV-RES", "account_id": customer["account"].pk, "started_on": "2026-03-02"},
        {"id": "SV-COM", "account_id": commercial.pk, "started_on": "2026-03-02"},
    ]
    assert api_as(integrator).post("/api/v1/records/severance-process", {"records": rows}).status_code == 200
    # then a CSR of both groups lists both, a commercial CSR only the commercial one
    listed = api_as(csr).get("/api/v1/records/severance-process").json()
    assert [r["id"] for r in listed["items"]] == ["SV-COM", "SV-RES"]
    assert api_as(csr_commercial).get("/api/v1/records/severance-process/SV-RES").status_code == 404
    one = api_as(csr_commercial).get("/api/v1/records/severance-process/SV-COM").json()
    assert (one["account_id"], one["status"], one["service_agreement_id"]) == (commercial.pk, "active", None)


def test_bulk_import_writes_the_good_rows_and_names_the_refused_ones(customer, integrator, tmp_path: Path):
    # given a CSV of referrals, one with an amount that is not a number
    account_id = customer["account"].pk
    path = tmp_path / "referrals.csv"
    path.write_text(
        "id,account_id,agency,status,referred_on,amount\n"
        f"CR-1,{account_id},Northstar Recovery,active,2026-01-10,412.50\n"
        f"CR-2,{account_id},Northstar Recovery,ended,2025-06-01,lots\n"
        f"CR-3,{account_id},Lakeside Credit,canceled,2025-09-15,80\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    # when it is imported
    with pytest.raises(CommandError, match="1 rows were refused"):
        call_command(
            "records", "import", "collection-agency-referral", str(path), "--user", integrator.username, stdout=out
        )
    # then the good rows are written and the bad one is named by its line
    assert "collection-agency-referral: 2 added, 0 replaced, 1 refused." in out.getvalue()
    assert "line 3: amount:" in out.getvalue()
    assert dict(CollectionAgencyReferral.objects.values_list("id", "amount")) == {
        "CR-1": Decimal("412.50"),
        "CR-3": Decimal("80.00"),
    }
    assert not SeveranceProcess.objects.exists()
