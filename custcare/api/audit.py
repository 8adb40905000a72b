"""/audit: the append-only audit trail, for supervisors and administrators."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from custcare.api.errors import ERRORS
from custcare.core.selectors import audit_list
from custcare.security.roles import require

router = Router()


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    username: str
    action: str
    entity_type: str = Field(..., description="app.model, e.g. customers.person.")
    entity_id: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", response={200: list[AuditEntryOut], **ERRORS}, summary="Browse the audit trail")
@paginate(LimitOffsetPagination)
def audit_index(  # type: ignore[no-untyped-def]
    request,
    entity_type: str = "",
    entity_id: str = "",
    username: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
):
    """Who changed what and when, newest first, with the values before and after. `since` is
    inclusive and `until` exclusive."""
    require(request.user, "audit.read")
    return audit_list(
        entity_type=entity_type or None,
        entity_id=entity_id or None,
        username=username or None,
        since=since,
        until=until,
    )
