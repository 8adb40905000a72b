"""Reads of the audit trail (supervisors and administrators)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from custcare.core.models import AuditEntry


def audit_list(
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    username: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    if username:
        qs = qs.filter(username=username)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
