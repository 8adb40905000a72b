from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.security.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be reviewed and revoked; they are issued only through POST /api/v1/auth/token."""

    list_display = ["user", "created_at", "expires_at", "revoked"]
    list_filter = ["revoked"]
    readonly_fields = ["user", "digest", "created_at", "expires_at"]
    fields = ["user", "created_at", "expires_at", "revoked"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from custcare.core.audit import audit_record

        super().save_model(request, obj, form, change)
        audit_record(
            entity=obj,
            action="revoke" if obj.revoked else "change",
            user=request.user,
            after={"revoked": obj.revoked},
            summary="admin",
        )
