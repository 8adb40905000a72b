"""The starter configuration of the workflow records' code tables."""

from __future__ import annotations

from custcare.workflow.models import WorkflowProcessType

PROCESS_TYPES = [
    ("MOVE-IN", "Move-in: start service for a new customer"),
    ("MOVE-OUT", "Move-out: stop service and final bill"),
    ("TRANSFER", "Transfer service to a new address"),
    ("BILL-DISP", "Bill dispute investigation"),
    ("METER-INV", "Meter investigation"),
    ("PAY-ARR", "Payment arrangement follow-up"),
]


def workflow_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed."""
    existing = set(WorkflowProcessType.objects.values_list("code", flat=True))
    WorkflowProcessType.objects.bulk_create(
        [WorkflowProcessType(code=code, description=desc) for code, desc in PROCESS_TYPES if code not in existing]
    )
