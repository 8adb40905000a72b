"""`custcare events import --workers N`: the same outcome as one worker, events of one source record in
file order, a worker that fails reported with what to do, and SQLite's fallback to one connection.

Workers are processes with connections of their own, so these tests commit (transaction=True)."""

from __future__ import annotations

import json
import re
import zlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from custcare.contacts.models import CustomerContact
from custcare.events.models import SystemEvent
from custcare.events.registry import event_kind_get, event_kinds
from custcare.fieldwork.models import FieldActivity, FieldActivityRemark
from tests.events.test_field_activity_events import _payload, farsptocus  # noqa: F401

KIND = "field-activity-completed"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several workers are PostgreSQL's (SQLite: one writer)"
)


def _import(path: Any, *args: str) -> tuple[str, str, str | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("events", "import", str(path), "--kind", KIND, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def _worker_of(fa_id: str, workers: int = 2) -> int:
    """The worker a field activity's events go to (for choosing ids that exercise the hand-over)."""
    key = event_kind_get(KIND).partition_key("any", {"field_activity_id": fa_id})  # type: ignore[union-attr]
    return zlib.crc32(key.encode()) % workers


def _file(tmp_path: Any, customer: dict[str, Any], p: str) -> Any:
    """Every id starts with `p`, so that the same file can be imported twice into one database."""

    def line(event_id: str, fa_id: str | None = None, **over: Any) -> str:
        payload = _payload(customer, **({"field_activity_id": f"{p}{fa_id}"} if fa_id else {}), **over)
        return json.dumps({"event_id": f"{p}{event_id}", "payload": payload})

    # two activities on different workers, for an event id delivered again under another activity
    a = next(f"A{n}" for n in range(100) if _worker_of(f"{p}A{n}") == 0)
    b = next(f"B{n}" for n in range(100) if _worker_of(f"{p}B{n}") == 1)
    lines = [
        line("E-1", "FA-1", crew="First crew"),
        *(line(f"E-1{n}", f"FA-1{n}") for n in range(6)),
        line("E-2", "FA-1", crew="Second crew", remarks=[{"remark_type": "SPOKE", "text": "second"}]),
        line("E-1", "FA-1", crew="Repeat crew"),  # a repeat: received already, changes nothing
        line("E-3", "FA-3"),
        json.dumps({"event_id": f"{p}E-4", "payload": {"fa_type": "MTRCHK"}}),  # malformed
        "{not json",
        line("E-5", "FA-5", fa_type="NOPE"),  # unknown activity type: the error queue
        line("E-6", a),
        *(line(f"E-2{n}", f"FA-2{n}") for n in range(6)),
        line("E-6", b, crew="Never"),  # the same event id under another activity, on another worker: a repeat
        line("E-7", a, remarks="none"),  # malformed (refused, stores nothing)...
        line("E-7", b, crew="Seventh crew"),  # ...so this one, on the other worker, is new
        line("E-8", "FA-1", crew="Last crew", remarks=[{"remark_type": "SPOKE", "text": "last"}]),
        line("E-9", "FA-3", crew="Ninth crew"),
    ]
    path = tmp_path / f"{p}events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _outcome(p: str) -> dict[str, Any]:
    """What the import left in the database, its ids without the prefix."""
    events = {
        e.event_id.removeprefix(p): (e.status, len(e.contact_ids), e.error.replace(p, "").splitlines()[:1])
        for e in SystemEvent.objects.filter(event_id__startswith=p)
    }
    activities = {
        fa.id.removeprefix(p): (fa.crew, fa.status, sorted((r.remark_type_id, r.text) for r in fa.remarks.all()))
        for fa in FieldActivity.objects.filter(id__startswith=p)
    }
    contacts = sorted(
        (c.origin_reference.replace(p, ""), c.description)
        for c in CustomerContact.objects.filter(origin_reference__contains=f":{p}")
    )
    return {"events": events, "activities": activities, "contacts": contacts}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_give_the_outcome_of_one(tmp_path, customer, farsptocus):  # noqa: F811
    one = _import(_file(tmp_path, customer, "W1-"), "--batch-size", "2")
    two = _import(_file(tmp_path, customer, "W2-"), "--batch-size", "2", "--workers", "2")

    out, _, error = one
    assert (out.replace("W1-", ""), error) == (two[0].replace("W2-", ""), two[2])
    assert "19 new events processed, 1 new events in the error queue, 2 repeats (already received), 3 refused." in out
    refused = [line.split(":")[0].strip() for line in out.splitlines() if line.startswith("  line ")]
    assert refused == ["line 11", "line 12", "line 22"]  # in line order, as with one worker
    assert error == "3 rows were refused (the others were received)."
    assert _outcome("W1-") == _outcome("W2-")
    activities = _outcome("W2-")["activities"]
    # the events of one activity were received in file order: the last event's values win
    assert activities["FA-1"][0] == "Last crew" and ("SPOKE", "last") in activities["FA-1"][2]
    assert activities["FA-3"][0] == "Ninth crew"
    b = next(fa for fa in activities if fa.startswith("B"))
    assert activities[b][0] == "Seventh crew"
    assert "FA-5" not in activities and _outcome("W2-")["events"]["E-5"][0] == SystemEvent.Status.ERROR
    # again with two workers: everything is a repeat
    out, _, error = _import(_file(tmp_path, customer, "W2-"), "--batch-size", "2", "--workers", "2")
    assert "0 new events processed, 0 new events in the error queue, 22 repeats (already received), 3 refused." in out
    assert FieldActivityRemark.objects.filter(field_activity_id="W2-FA-1", text="last").exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_write_the_rejects_of_one_and_the_corrected_file_imports(tmp_path, customer, farsptocus):  # noqa: F811
    rejects = {p: tmp_path / f"{p}rejects.jsonl" for p in ("R1-", "R2-")}
    one = _import(_file(tmp_path, customer, "R1-"), "--batch-size", "2", "--rejects", str(rejects["R1-"]))
    two = _import(
        _file(tmp_path, customer, "R2-"), "--batch-size", "2", "--workers", "2", "--rejects", str(rejects["R2-"])
    )
    assert [text.replace("R1-", "") for text in (one[0], str(one[2]))] == [
        text.replace("R2-", "") for text in (two[0], str(two[2]))
    ]
    assert f"3 refused, written to {rejects['R2-']} to correct and import again." in two[0]
    assert two[2] == f"3 rows were refused (the others were received). They are in {rejects['R2-']}."
    assert rejects["R1-"].read_text().replace("R1-", "") == rejects["R2-"].read_text().replace("R2-", "")
    written = [json.loads(line) for line in rejects["R2-"].read_text().splitlines()]
    assert [(r["line"], r["record"] if isinstance(r["record"], str) else r["record"]["event_id"]) for r in written] == [
        (11, "R2-E-4"),
        (12, "{not json"),
        (22, "R2-E-7"),
    ]
    # corrected: line 11's payload completed, line 12 replaced, line 22's remarks made a list
    written[0]["record"]["payload"] = _payload(customer, field_activity_id="R2-FA-4")
    written[1]["record"] = {"event_id": "R2-E-30", "payload": _payload(customer, field_activity_id="R2-FA-30")}
    written[2]["record"]["payload"]["remarks"] = []
    rejects["R2-"].write_text("".join(json.dumps(r) + "\n" for r in written))
    out, _, error = _import(rejects["R2-"], "--workers", "2", "--rejects", str(rejects["R2-"]))
    assert error is None, out
    # line 22's event id was received meanwhile under another activity (line 23): a repeat
    assert "2 new events processed, 0 new events in the error queue, 1 repeats (already received), 0 refused" in out
    assert _outcome("R2-")["activities"]["FA-4"][0] == "North 3"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_fails_is_reported_with_the_rows_not_confirmed(tmp_path, customer, farsptocus, monkeypatch):  # noqa: F811
    path = _file(tmp_path, customer, "F-")
    # the worker process connects to a database that does not exist (this process keeps its connection)
    monkeypatch.setitem(connection.settings_dict, "NAME", "custcare_par_no_such_database")
    out, _, error = _import(path, "--batch-size", "2", "--workers", "2")
    monkeypatch.undo()
    assert error is not None and "Worker process 1 of 1 failed: django.db.utils.OperationalError" in error, error
    assert "rows were not confirmed (lines " in error and "Import the file again" in error
    # the counts are those of the rows confirmed: what this process received itself
    counts = re.match(r"(\d+) new events processed, (\d+) new events in the error queue", out)
    assert counts is not None, out
    processed, errors = int(counts[1]), int(counts[2])
    assert SystemEvent.objects.filter(event_id__startswith="F-").count() == processed + errors > 0
    # the remedy given: import the file again
    out, _, error = _import(path, "--batch-size", "2", "--workers", "2")
    assert error == "3 rows were refused (the others were received)."
    assert SystemEvent.objects.filter(event_id__startswith="F-").count() == 20
    assert _outcome("F-")["activities"]["FA-1"][0] == "Last crew"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_user_who_may_not_record_contacts_is_refused_as_with_one_worker(tmp_path, customer, batch_operator):
    path = _file(tmp_path, customer, "U-")
    one = _import(path, "--user", batch_operator.username, "--batch-size", "2")
    two = _import(path, "--user", batch_operator.username, "--batch-size", "2", "--workers", "2")
    assert one[2] is not None and one[2] == two[2]
    assert (one[0], two[0]) == ("", "")  # no summary: nothing was received
    assert not SystemEvent.objects.filter(event_id__startswith="U-").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's fallback")
@pytest.mark.django_db(transaction=True)
def test_sqlite_imports_on_one_connection_and_says_so(tmp_path, customer, farsptocus):  # noqa: F811
    rejects = tmp_path / "rejects.jsonl"
    out, err, error = _import(
        _file(tmp_path, customer, "S-"), "--batch-size", "2", "--workers", "3", "--rejects", str(rejects)
    )
    assert "--workers 3: sqlite has one writer at a time, so the file is imported on one connection" in err
    assert "19 new events processed, 1 new events in the error queue, 2 repeats (already received), 3 refused," in out
    assert error == f"3 rows were refused (the others were received). They are in {rejects}."
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [11, 12, 22]
    assert _outcome("S-")["activities"]["FA-1"][0] == "Last crew"


def test_workers_must_be_at_least_one(tmp_path, customer):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps({"event_id": "X-1", "payload": _payload(customer)}) + "\n")
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("events", "import", str(path), "--kind", KIND, "--workers", "0", stdout=StringIO())
    assert not SystemEvent.objects.exists()


def test_each_kind_keys_its_events_by_its_source_record():
    keys = {kind.code: kind.partition_key("EV-1", {kind.partition_field or "": "R-1"}) for kind in event_kinds()}
    assert keys[KIND] == "field_activity_id:R-1"
    assert keys["case-status-changed"] == "case_id:R-1" and keys["meter-read"] == "meter_read_id:R-1"
    # every kind names a field of its payload
    for kind in event_kinds():
        assert kind.partition_field in kind.Payload.model_fields, kind.code
    # a payload without it (malformed, refused anyway) is keyed by its event id
    assert event_kind_get(KIND).partition_key("EV-1", {"fa_type": "X"}) == "event:EV-1"  # type: ignore[union-attr]
