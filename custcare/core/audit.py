"""The audit trail: every service that writes calls `audit_record`."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from custcare.core.models import AuditEntry


def audit_snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The instance's concrete field values, JSON-ready (foreign keys as their ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = field.value_from_object(instance)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_record(
    *,
    entity: models.Model,
    action: str,
    user: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Append one audit entry. `after` defaults to a snapshot of `entity`; unchanged values are
    dropped from before/after so the entry shows just what changed."""
    if after is None and action != "delete":
        after = audit_snapshot(entity)
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "system",
        action=action,
        entity_type=entity._meta.label_lower,
        entity_id=str(entity.pk),
        summary=summary[:300],
        before=before,
        after=after,
    )


def audit_record_many(*, entities: list[models.Model], action: str, user: Any, summary: str = "") -> None:
    """Append one audit entry per entity in a single INSERT (bulk loads and batch runs)."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                user_id=user.pk if authenticated else None,
                username=user.get_username() if authenticated else "system",
                action=action,
                entity_type=e._meta.label_lower,
                entity_id=str(e.pk),
                summary=summary[:300],
                after=audit_snapshot(e),
            )
            for e in entities
        ],
        batch_size=2000,
    )
