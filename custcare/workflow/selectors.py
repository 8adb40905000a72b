"""Reads of workflow records that the generic record reads (custcare.core.records) cannot serve."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from custcare.core.errors import ValidationFailed
from custcare.security.roles import require
from custcare.workflow.models import SyncRequest


def sync_requests_of_object(*, user: Any, object_kind: str, object_id: str) -> QuerySet[SyncRequest]:
    """Every sync request of an account, person or premise, newest first. Sync requests of persons and
    premises carry no account to check access groups against, so only the roles that feed and
    configure integrations (Integrators, Administrators: `records.write`) read them here."""
    require(user, "records.write")
    if object_kind not in SyncRequest.ObjectKind.values:
        raise ValidationFailed(
            f"No business object kind '{object_kind}'.",
            {"object_kind": [f"One of: {', '.join(SyncRequest.ObjectKind.values)}."]},
        )
    return SyncRequest.objects.filter(object_kind=object_kind, object_id=object_id).order_by("-created_at", "-id")
