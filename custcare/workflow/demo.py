"""Demo workflow processes, sync requests and field activity messages for some demo accounts, so
Control Central's workflow, sync request and field message alerts show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from custcare.customers.models import AccountPerson, ServiceAgreement
from custcare.fieldwork.models import FieldActivity, FieldActivityOutgoingMessage
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic
from custcare.workflow.reference import workflow_reference_load


@transaction.atomic
def workflow_demo_load(accounts: list[Any]) -> None:
    """A spread over the accounts (Account objects or ids), the same on every load: one in four has an
    active workflow process of its own, one in six a process at its premise, one in seven is named by
    a dispute process through an ACCT-ID characteristic, one in five has a sync request in error (its
    main person one in ten a pending one), and their field activities, if any, outgoing messages (one
    in three in error). Records already there are kept (ids are derived from the account)."""
    workflow_reference_load()
    now = timezone.now()
    today = timezone.localdate()
    ids = [str(getattr(a, "pk", a)) for a in accounts]
    premise_of: dict[str, str] = {}
    for account_id, premise_id in (
        ServiceAgreement.objects.filter(account_id__in=ids, premise__isnull=False)
        .order_by("account_id", "start_date", "id")
        .values_list("account_id", "premise_id")
    ):
        premise_of.setdefault(account_id, premise_id)
    main_person = dict(
        AccountPerson.objects.filter(account_id__in=ids, main_customer=True).values_list("account_id", "person_id")
    )
    processes: list[WorkflowProcess] = []
    chars: list[WorkflowProcessCharacteristic] = []
    syncs: list[SyncRequest] = []
    types = ["MOVE-IN", "TRANSFER", "PAY-ARR", "METER-INV"]
    for n, account_id in enumerate(ids):
        created = today - dt.timedelta(days=3 + 5 * (n % 7))
        if n % 4 == 0:
            processes.append(
                WorkflowProcess(
                    id=f"DEMO-WF-{account_id}",
                    account_id=account_id,
                    premise_id=premise_of.get(account_id),
                    process_type_id=types[n % len(types)],
                    created_on=created,
                )
            )
        if n % 6 == 1 and account_id in premise_of:
            processes.append(
                WorkflowProcess(
                    id=f"DEMO-WP-{account_id}",
                    premise_id=premise_of[account_id],
                    process_type_id="METER-INV",
                    created_on=created,
                )
            )
        if n % 7 == 2 and n + 1 < len(ids):
            # A dispute raised on the next account that names this one (shared meter, say).
            other = ids[n + 1]
            processes.append(
                WorkflowProcess(
                    id=f"DEMO-WD-{account_id}", account_id=other, process_type_id="BILL-DISP", created_on=created
                )
            )
            chars.append(
                WorkflowProcessCharacteristic(
                    id=f"DEMO-WDC-{account_id}",
                    process_id=f"DEMO-WD-{account_id}",
                    char_type="ACCT-ID",
                    value=account_id,
                )
            )
        if n % 5 == 0:
            syncs.append(
                SyncRequest(
                    id=f"DEMO-SR-{account_id}",
                    object_kind=SyncRequest.ObjectKind.ACCOUNT,
                    object_id=account_id,
                    account_id=account_id,
                    status=SyncRequest.Status.ERROR,
                    created_at=now - dt.timedelta(hours=2 + n % 30),
                    message="Meter data management system refused the account: bill cycle unknown.",
                )
            )
        if n % 10 == 3 and account_id in main_person:
            syncs.append(
                SyncRequest(
                    id=f"DEMO-SP-{account_id}",
                    object_kind=SyncRequest.ObjectKind.PERSON,
                    object_id=main_person[account_id],
                    account_id=account_id,
                    status=SyncRequest.Status.PENDING,
                    created_at=now - dt.timedelta(minutes=15 + n % 45),
                )
            )
    messages: list[FieldActivityOutgoingMessage] = []
    status = FieldActivityOutgoingMessage.Status
    for n, fa_id in enumerate(
        FieldActivity.objects.filter(account_id__in=ids).order_by("id").values_list("id", flat=True)
    ):
        outstanding = n % 3 == 0
        messages.append(
            FieldActivityOutgoingMessage(
                id=f"DEMO-FM-{fa_id}"[:30],
                field_activity_id=fa_id,
                message_type="DISPATCH",
                status=status.ERROR if outstanding else status.COMPLETE,
                created_at=now - dt.timedelta(days=1 + n % 5),
                message="Crew system timed out; resend." if outstanding else "",
            )
        )
    WorkflowProcess.objects.bulk_create(processes, ignore_conflicts=True, batch_size=1000)
    WorkflowProcessCharacteristic.objects.bulk_create(chars, ignore_conflicts=True, batch_size=1000)
    SyncRequest.objects.bulk_create(syncs, ignore_conflicts=True, batch_size=1000)
    FieldActivityOutgoingMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
