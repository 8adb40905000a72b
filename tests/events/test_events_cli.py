"""`custcare events import|retry|list`: bulk intake from CSV and JSON lines, the summary, the exit status."""

from __future__ import annotations

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from custcare.contacts.models import CustomerContact
from custcare.customers.models import AccountPerson
from custcare.events.models import SystemEvent
from custcare.events.registry import event_kinds
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


def test_statistics_are_refreshed_after_each_batch(tmp_path, customer, farsptocus, monkeypatch):  # noqa: F811
    # the plans of the next batch are made from statistics that follow the tables' growth
    calls: list[int] = []
    monkeypatch.setattr(
        "custcare.events.management.commands.events.analyze_grown_tables",
        lambda: calls.append(SystemEvent.objects.count()) or [],
    )
    lines = [
        json.dumps({"event_id": f"S-{n}", "payload": _payload(customer, field_activity_id=f"FA-S{n}")})
        for n in range(5)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out, error = _import(str(path), "--kind", KIND, "--batch-size", "2")
    assert error is None, out
    assert calls == [2, 4, 5]  # after each batch, its events written


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


def test_jsonl_rejects_keep_each_refused_line_and_import_again_once_corrected(tmp_path, customer, farsptocus):  # noqa: F811
    good = {"event_id": "RJ-1", "payload": _payload(customer, field_activity_id="FA-RJ-1")}
    malformed = {"event_id": "RJ-2", "payload": {"fa_type": "MTRCHK"}}
    flat_malformed = {"event_id": "RJ-3", **_payload(customer, field_activity_id="FA-RJ-3"), "remarks": "none"}
    path = tmp_path / "events.jsonl"
    lines = [
        json.dumps(good),
        json.dumps(malformed),
        '{"event_id": "RJ-4", "payload": {',
        json.dumps(flat_malformed),
        "[1, 2]",
    ]
    path.write_text("\n".join(lines) + "\n")
    rejects = tmp_path / "rejects.jsonl"

    out, error = _import(str(path), "--kind", KIND, "--rejects", str(rejects))

    assert (
        "1 new events processed, 0 new events in the error queue, 0 repeats (already received), 4 refused,"
        f" written to {rejects} to correct and import again." in out
    )
    assert error is not None and str(error) == f"4 rows were refused (the others were received). They are in {rejects}."
    written = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["line"], list(r)) for r in written] == [(n, ["line", "reason", "record"]) for n in (2, 3, 4, 5)]
    reasons = {f"line {r['line']}: {r['reason']}" for r in written}
    assert reasons == {line.strip() for line in out.splitlines() if line.startswith("  line ")}  # as listed
    # each line as it was read: the object, or the text of a line that was not one
    assert [r["record"] for r in written] == [malformed, '{"event_id": "RJ-4", "payload": {', flat_malformed, "[1, 2]"]
    assert written[1]["reason"].startswith("not JSON") and written[3]["reason"] == "not a JSON object"

    # imported again as it is: the same lines refused for the same reasons, the file rewritten alike
    again = tmp_path / "again.jsonl"
    out, error = _import(str(rejects), "--kind", KIND, "--rejects", str(again))
    assert "0 new events processed" in out and "4 refused" in out
    assert error is not None and "line 4: record: not a JSON object" in out
    assert [(r["record"], r["line"]) for r in map(json.loads, again.read_text().splitlines())] == [
        (r["record"], n) for n, r in enumerate(written, start=1)
    ]

    # corrected (record replaced, "line" and "reason" kept or dropped): imported cleanly, into the same name
    written[0]["record"] = {"event_id": "RJ-2", "payload": _payload(customer, field_activity_id="FA-RJ-2")}
    written[1]["record"] = {"event_id": "RJ-4", "payload": _payload(customer, field_activity_id="FA-RJ-4")}
    written[2]["record"] = {**flat_malformed, "remarks": []}
    written[3] = {"record": {"event_id": "RJ-5", "payload": _payload(customer, field_activity_id="FA-RJ-5")}}
    rejects.write_text("".join(json.dumps(r) + "\n" for r in written))
    out, error = _import(str(rejects), "--kind", KIND, "--rejects", str(rejects))
    assert error is None, out
    assert (
        f"4 new events processed, 0 new events in the error queue, 0 repeats (already received), 0 refused; no"
        f" rejects, so {rejects} was not written (the file already there is left as it was)." in out
    )
    assert sorted(SystemEvent.objects.values_list("event_id", flat=True)) == [f"RJ-{n}" for n in range(1, 6)]
    assert set(SystemEvent.objects.values_list("status", flat=True)) == {SystemEvent.Status.PROCESSED}


def test_csv_rejects_are_csv_with_line_and_reason_columns_and_import_again(tmp_path, customer, farsptocus):  # noqa: F811
    remarks = json.dumps([{"remark_type": "SPOKE", "text": "Asked about, the bill"}]).replace('"', '""')
    premise, account = customer["premise"].id, customer["account"].id
    rows = [
        "event_id,field_activity_id,fa_type,premise_id,account_id,crew,remarks",
        f'CR-1,FA-CR-1,MTRCHK,{premise},{account},North 3,"{remarks}"',
        f'CR-2,,MTRCHK,{premise},{account},"South, 1","{remarks}"',  # no field activity id
        f"CR-3,FA-CR-3,MTRCHK,{premise},{account},West 2,none",  # remarks not a list
    ]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    rejects = tmp_path / "rejects.csv"

    out, error = _import(str(path), "--kind", KIND, "--rejects", str(rejects))

    assert error is not None and f"2 refused, written to {rejects}" in out
    with rejects.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    header = rejects.read_text().splitlines()[0]
    assert header == "line,reason,event_id,field_activity_id,fa_type,premise_id,account_id,crew,remarks"
    assert [(r["line"], r["event_id"]) for r in written] == [("3", "CR-2"), ("4", "CR-3")]
    assert "field_activity_id" in written[0]["reason"] and "remarks" in written[1]["reason"]
    # the cells as they were written: the comma in a cell, the JSON of a list
    assert written[0]["crew"] == "South, 1" and json.loads(written[0]["remarks"])[0]["text"] == "Asked about, the bill"
    assert (written[0]["field_activity_id"], written[1]["remarks"]) == ("", "none")

    # corrected in place, the line and reason columns left as they are: imported cleanly
    written[0]["field_activity_id"], written[1]["remarks"] = "FA-CR-2", "[]"
    with rejects.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(written[0]))
        writer.writeheader()
        writer.writerows(written)
    out, error = _import(str(rejects), "--kind", KIND, "--rejects", str(tmp_path / "again.csv"))
    assert error is None, out
    assert "2 new events processed" in out and "0 refused; no rejects, so" in out
    assert not (tmp_path / "again.csv").exists()
    assert SystemEvent.objects.get(event_id="CR-2").status == SystemEvent.Status.PROCESSED
    assert CustomerContact.objects.filter(origin_reference="FA-SPOKE:field-activity:FA-CR-2:SPOKE").exists()


def test_no_rejects_file_when_nothing_is_refused(tmp_path, customer, farsptocus):  # noqa: F811
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({"event_id": "NR-1", "payload": _payload(customer)}) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    out, error = _import(str(path), "--kind", KIND, "--rejects", str(rejects))
    assert error is None and f"0 refused; no rejects, so {rejects} was not written." in out
    assert not rejects.exists()


def test_a_rejects_file_named_for_the_other_format_or_nowhere_imports_nothing(tmp_path, customer):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({"event_id": "X-1", "payload": _payload(customer)}) + "\n")
    with pytest.raises(CommandError, match=r"written in the input's format \(jsonl\).*name it \.jsonl"):
        _import_raising(str(path), "--kind", KIND, "--rejects", str(tmp_path / "rejects.csv"))
    with pytest.raises(CommandError, match="no such folder"):
        _import_raising(str(path), "--kind", KIND, "--rejects", str(tmp_path / "nowhere" / "rejects.jsonl"))
    assert not SystemEvent.objects.exists()


def test_no_event_kind_has_a_field_named_as_a_rejects_file_key():
    """A line of a rejects file is read as the record it holds ("line", "reason" beside "record"; CSV:
    the "line" and "reason" columns are left out): no payload may have fields of those names."""
    for kind in event_kinds():
        assert not {"line", "reason", "record"} & set(kind.Payload.model_fields), kind.code


def _import_raising(*args: str) -> None:
    call_command("events", "import", *args, stdout=StringIO(), stderr=StringIO())
