"""The central alerts over workflow processes, sync requests and field activity outgoing messages:
the records that raise each alert and the ones that do not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.customers.models import Account, Premise
from custcare.fieldwork.models import FieldActivity, FieldActivityOutgoingMessage
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic
from tests.controlcentral.conftest import alert_texts, alerts_for, only_alert, plug_alert
from tests.factories import account_make, person_make, premise_make

CREATED = dt.date(2026, 4, 1)


def process(
    record_id: str,
    account: Account | None = None,
    premise: Premise | None = None,
    status: str = "active",
    process_type: str = "MOVE-IN",
) -> WorkflowProcess:
    return WorkflowProcess.objects.create(
        id=record_id, account=account, premise=premise, process_type_id=process_type, status=status, created_on=CREATED
    )


def characteristic(on: WorkflowProcess, char_type: str, value: str) -> WorkflowProcessCharacteristic:
    return WorkflowProcessCharacteristic.objects.create(
        id=f"{on.pk}-{char_type}", process=on, char_type=char_type, value=value
    )


def sync(record_id: str, kind: str, object_id: str, status: str = "pending") -> SyncRequest:
    return SyncRequest.objects.create(
        id=record_id, object_kind=kind, object_id=object_id, status=status, created_at=timezone.now()
    )


def activity(record_id: str, premise: Premise, account: Account | None) -> FieldActivity:
    return FieldActivity.objects.create(id=record_id, fa_type_id="MTRCHK", premise=premise, account=account)


def message(record_id: str, fa: FieldActivity, status: str) -> FieldActivityOutgoingMessage:
    return FieldActivityOutgoingMessage.objects.create(
        id=record_id, field_activity=fa, message_type="DISPATCH", status=status, created_at=timezone.now()
    )


@pytest.fixture
def neighbour(csr: Any) -> dict[str, Any]:
    """Another customer at another premise."""
    person = person_make(csr, name="Okafor, Chidi", phone="(555) 777-0101")
    premise = premise_make(csr, house_number="40", street="Oak Avenue")
    return {"person": person, "premise": premise, "account": account_make(csr, person, premise=premise)}


def test_active_processes_of_the_account_raise_wfacctx(customer, neighbour):
    # given two active processes of the account, a completed and a canceled one, and the neighbour's
    only_alert("CCAL WFACCTX")
    account = customer["account"]
    process("WF-1", account=account)
    process("WF-2", account=account, premise=customer["premise"], process_type="PAY-ARR")
    process("WF-3", account=account, status="completed")
    process("WF-4", account=account, status="canceled")
    process("WF-5", account=neighbour["account"])
    # then only the account's two active processes count
    assert alert_texts(account=account) == ["2 active workflow processes for this account"]
    assert [a.count for a in alerts_for(account=neighbour["account"])] == [1]
    assert alert_texts(person=customer["person"], premise=customer["premise"]) == []


def test_wfacctx_can_be_limited_to_one_process_type(customer):
    only_alert("CCAL WFACCTX", process_type="PAY-ARR")
    account = customer["account"]
    process("WF-1", account=account, process_type="MOVE-IN")
    assert alert_texts(account=account) == []
    process("WF-2", account=account, process_type="PAY-ARR")
    assert alert_texts(account=account) == ["1 active workflow processes for this account"]


def test_an_unknown_process_type_is_refused_when_the_algorithm_is_saved(reference):
    with pytest.raises(ValidationError, match="No workflow process type 'NOPE'"):
        plug_alert("CCAL WFPREMX", process_type="NOPE")


def test_active_processes_of_the_premise_raise_wfpremx(customer, neighbour):
    # given an active process at the premise (no account), a completed one there, and one at the neighbour's
    only_alert("CCAL WFPREMX")
    premise = customer["premise"]
    process("WP-1", premise=premise, process_type="METER-INV")
    process("WP-2", premise=premise, status="completed")
    process("WP-3", premise=neighbour["premise"])
    # and an active process of the account that names no premise
    process("WP-4", account=customer["account"])
    # then only the premise's active process counts, and without a premise in context there is no alert
    assert alert_texts(account=customer["account"], premise=premise) == ["1 active workflow processes for this premise"]
    assert alert_texts(account=customer["account"]) == []


def test_processes_naming_the_account_in_a_characteristic_raise_wfacctr(customer, neighbour):
    # given the neighbour's dispute that names the customer's account through ACCT-ID
    only_alert("CCAL WFACCTR", char_type="ACCT-ID")
    account_id = customer["account"].pk
    dispute = process("WD-1", account=neighbour["account"], process_type="BILL-DISP")
    characteristic(dispute, "ACCT-ID", account_id)
    characteristic(dispute, "PREM-ID", neighbour["premise"].pk)
    # and processes that do not count: a completed one naming it, one naming it under another type
    characteristic(process("WD-2", account=neighbour["account"], status="completed"), "ACCT-ID", account_id)
    characteristic(process("WD-3", account=neighbour["account"]), "OLD-ACCT", account_id)
    # then the customer's account has one referring process; the neighbour's account none
    assert alert_texts(account=customer["account"]) == ["1 active workflow processes refer to this account"]
    assert alert_texts(account=neighbour["account"]) == []


def test_processes_naming_the_premise_in_a_characteristic_raise_wfpremr(customer, neighbour):
    only_alert("CCAL WFPREMR", char_type="PREM-ID")
    premise_id = customer["premise"].pk
    characteristic(process("WR-1", account=neighbour["account"]), "PREM-ID", premise_id)
    characteristic(process("WR-2", account=neighbour["account"]), "PREM-ID", premise_id)
    characteristic(process("WR-3", account=neighbour["account"], status="canceled"), "PREM-ID", premise_id)
    characteristic(process("WR-4", account=neighbour["account"]), "ACCT-ID", premise_id)
    assert alert_texts(premise=customer["premise"]) == ["2 active workflow processes refer to this premise"]
    assert alert_texts(account=customer["account"]) == []


@pytest.mark.parametrize("alert_type", ["CCAL WFACCTR", "CCAL WFPREMR"])
def test_the_characteristic_type_is_required(reference, alert_type):
    with pytest.raises(ValidationError, match="char_type: Field required"):
        plug_alert(alert_type)


def test_outstanding_sync_requests_of_the_account_person_and_premise_raise_the_alert(customer, neighbour):
    # given a pending request for the account, one in error for the person and one for the premise
    only_alert("F1-SYNRQALRT")
    account, person, premise = customer["account"], customer["person"], customer["premise"]
    sync("SR-1", "account", account.pk)
    sync("SR-2", "person", person.pk, status="error")
    sync("SR-3", "premise", premise.pk, status="error")
    # and requests that do not count: sent or complete ones, the neighbour's, a person request whose
    # object id is the account's id
    sync("SR-4", "account", account.pk, status="sent")
    sync("SR-5", "premise", premise.pk, status="complete")
    sync("SR-6", "account", neighbour["account"].pk)
    sync("SR-7", "person", account.pk)
    # then the three outstanding ones count in full context, and each part alone
    assert alert_texts(account=account, person=person, premise=premise) == ["3 outstanding sync requests"]
    assert [a.value for a in alerts_for(person=person)] == ["SR-2"]
    assert [a.value for a in alerts_for(premise=premise)] == ["SR-3"]
    assert alert_texts(account=neighbour["account"]) == ["1 outstanding sync requests"]
    assert alert_texts() == []


def test_field_activities_with_outstanding_messages_raise_faermsg(customer, neighbour):
    # given an activity of the account with two outstanding messages and one with only delivered ones
    only_alert("CCAL-FAERMSG")
    account, premise = customer["account"], customer["premise"]
    troubled = activity("FA-1", premise, account)
    message("M-1", troubled, "error")
    message("M-2", troubled, "pending")
    delivered = activity("FA-2", premise, account)
    message("M-3", delivered, "sent")
    message("M-4", delivered, "complete")
    # and an activity at the premise for no account, with a message in error, and the neighbour's
    message("M-5", activity("FA-3", premise, None), "error")
    message("M-6", activity("FA-4", neighbour["premise"], neighbour["account"]), "pending")
    # then the account counts its one troubled activity (not its two messages)
    [alert] = alerts_for(account=account, premise=premise)
    assert (alert.text, alert.count, alert.value) == (
        "1 field activities with outstanding outgoing messages",
        1,
        "FA-1",
    )
    # and with no account in context, the premise counts its activities with outstanding messages
    assert alert_texts(premise=premise) == ["2 field activities with outstanding outgoing messages"]
    assert alert_texts(person=customer["person"]) == []


def test_all_workflow_alerts_cost_two_statements(customer, neighbour):
    # given every alert of this workflow and field records plugged in, each with a record
    only_alert("CCAL WFACCTX")
    plug_alert("CCAL WFPREMX", sequence=20)
    plug_alert("CCAL WFACCTR", sequence=30, char_type="ACCT-ID")
    plug_alert("CCAL WFPREMR", sequence=40, char_type="PREM-ID")
    plug_alert("F1-SYNRQALRT", sequence=50)
    plug_alert("CCAL-FAERMSG", sequence=60)
    account, premise = customer["account"], customer["premise"]
    process("WF-1", account=account, premise=premise)
    characteristic(process("WF-2", account=neighbour["account"]), "ACCT-ID", account.pk)
    characteristic(process("WF-3", account=neighbour["account"]), "PREM-ID", premise.pk)
    sync("SR-1", "person", customer["person"].pk, status="error")
    message("M-1", activity("FA-1", premise, account), "error")
    # when the alert zone is computed
    with CaptureQueriesContext(connection) as queries:
        counts = [a.count for a in alerts_for(account=account, person=customer["person"], premise=premise)]
    # then all six are raised from two statements
    assert counts == [1, 1, 1, 1, 1, 1]
    assert len(queries) == 2
