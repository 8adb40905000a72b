"""`custcare events import|retry|list`: bulk intake from CSV and JSON lines, the summary, the exit status."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from custcare.contacts.models import CustomerContact
from custcare.customers.models import AccountPerson
from custcare.events.models import SystemEvent
from tests.events.test_field_activity_events import _payload, farsptocus  # noqa: F401

KIND = "field-activity-completed"


def _import(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("events", "import", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_jsonl_import_processes_repeats_and_refuses_with_line_numbers(tmp_path, customer, farsptocus):  # noqa: F811
    lines = [
        json.dumps({"event_id": "J-1", "payload": _payload(customer)}),
        json.dumps({"event_id": "J-2", **_payload(customer, field_activity_id="FA-2")}),
        json.dumps({"event_id": "J-1", "payload": _payload(customer)}),  # a repeat within the file
        json.dumps({"event_id": "J-3", "payload": {"fa_type": "MTRCHK"}}),  # malformed
        "{not json",
        json.dumps({"event_id": "J-4", "payload": _payload(customer, field_activity_id="FA-4")}),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")

    out, error = _import(str(path), "--kind", KIND, "--batch-size", "2")

    assert error is not None and "2 rows were refused" in str(error)
    assert "3 new events processed, 0 new events in the error queue, 1 repeats (already received), 2 refused." in out
    assert "line 4: The field-activity-completed event is not valid" in out and "field_activity_id" in out
    assert "line 5: not JSON" in out
    assert sorted(SystemEvent.objects.values_list("event_id", flat=True)) == ["J-1", "J-2", "J-4"]
    assert CustomerContact.objects.filter(origin_reference__startswith="FA-SPOKE:").count() == 3
    # the same file again: everything is a repeat, nothing new
    out, _ = _import(str(path), "--kind", KIND)
    assert "0 new events processed, 0 new events in the error queue, 4 repeats" in out
    assert SystemEvent.objects.count() == 3


def test_csv_import_reads_json_cells_and_exits_cleanly(tmp_path, customer, farsptocus):  # noqa: F811
    remarks = json.dumps([{"remark_type": "SPOKE", "text": "Asked about, the bill"}]).replace('"', '""')
    rows = [
        "event_id,field_activity_id,fa_type,premise_id,account_id,crew,remarks",
        f'C-1,FA-10,MTRCHK,{customer["premise"].id},{customer["account"].id},North 3,"{remarks}"',
        f"C-2,FA-11,MTRCHK,{customer['premise'].id},,South 1,",
    ]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    out, error = _import(str(path), "--kind", KIND)
    assert error is None, out
    assert "2 new events processed" in out
    contact = CustomerContact.objects.get(origin_reference="FA-SPOKE:field-activity:FA-10:SPOKE")
    assert contact.description == "Crew North 3 spoke to the customer: Asked about, the bill"


def test_errors_are_listed_and_retried(tmp_path, customer, farsptocus):  # noqa: F811
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=False)
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({"event_id": "R-1", "payload": _payload(customer)}) + "\n")
    out, error = _import(str(path), "--kind", KIND)
    assert error is None and "0 new events processed, 1 new events in the error queue" in out
    listing = StringIO()
    call_command("events", "list", "--status", "ERROR", stdout=listing)
    assert "R-1" in listing.getvalue() and "found nobody to contact" in listing.getvalue()
    AccountPerson.objects.filter(account=customer["account"]).update(main_customer=True)
    retried = StringIO()
    call_command("events", "retry", "--all-errors", stdout=retried, stderr=StringIO())
    assert "1 events processed, 0 still in the error queue" in retried.getvalue()
    assert SystemEvent.objects.get(event_id="R-1").status == SystemEvent.Status.PROCESSED


def test_an_unknown_kind_imports_nothing(tmp_path, customer):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({"event_id": "X-1", "payload": {}}) + "\n")
    with pytest.raises(CommandError, match="Unknown event kind"):
        call_command("events", "import", str(path), "--kind", "nope", stdout=StringIO(), stderr=StringIO())
    assert not SystemEvent.objects.exists()
