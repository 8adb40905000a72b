"""The credit and workflow demo loaders: a spread over the accounts, the same on a second load."""

from __future__ import annotations

from custcare.credit.demo import credit_demo_load
from custcare.credit.models import CollectionAgencyReferral, CollectionProcess, OverdueProcess, SeveranceProcess
from custcare.fieldwork.models import FieldActivity, FieldActivityOutgoingMessage
from custcare.workflow.demo import workflow_demo_load
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic
from tests.factories import account_make, person_make


def _counts() -> list[int]:
    return [
        m.objects.count()  # type: ignore[attr-defined]
        for m in (
            OverdueProcess,
            CollectionProcess,
            SeveranceProcess,
            CollectionAgencyReferral,
            WorkflowProcess,
            WorkflowProcessCharacteristic,
            SyncRequest,
            FieldActivityOutgoingMessage,
        )
    ]


def test_demo_loads_give_a_spread_and_are_idempotent(customer, csr):
    # given ten accounts, the first with a premise, a service agreement and a field activity
    accounts = [customer["account"]] + [
        account_make(csr, person_make(csr, name=f"Demo, Person {n}", phone=None)) for n in range(9)
    ]
    FieldActivity.objects.create(id="FA-1", fa_type_id="MTRCHK", premise=customer["premise"], account=accounts[0])
    # when both demo loads run twice
    credit_demo_load(accounts)
    workflow_demo_load([a.pk for a in accounts])
    first = _counts()
    credit_demo_load(accounts)
    workflow_demo_load(accounts)
    # then the records are there once: accounts 0, 3, 6, 9 overdue; 0, 5 collection; 0 severance (the
    # only one with a service agreement); 0, 8 referral; 0, 4, 8 own processes, 2 a dispute on 3
    # naming it; 0, 5 account sync requests and 3's main person one; FA-1 one message
    assert first == [4, 2, 1, 2, 4, 1, 3, 1]
    assert _counts() == first
    assert WorkflowProcessCharacteristic.objects.get().value == accounts[2].pk
    assert (
        OverdueProcess.objects.filter(status="completed").values_list("account_id", flat=True).get() == accounts[6].pk
    )
