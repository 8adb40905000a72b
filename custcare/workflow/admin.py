"""Admin for workflow: process types are configuration (editable, audited); processes, their
characteristics and sync requests are copies from other systems, shown read-only."""

from __future__ import annotations

from django.contrib import admin

from custcare.core.admin import AuditedAdmin
from custcare.core.admin import ReadOnlyAdmin as ReadOnlyRecordAdmin
from custcare.workflow.models import SyncRequest, WorkflowProcess, WorkflowProcessCharacteristic, WorkflowProcessType


@admin.register(WorkflowProcessType)
class WorkflowProcessTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


class CharacteristicInline(admin.TabularInline):
    model = WorkflowProcessCharacteristic
    extra = 0
    fields = ["id", "char_type", "value"]
    readonly_fields = ["id", "char_type", "value"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(WorkflowProcess)
class WorkflowProcessAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "process_type", "account", "premise", "status", "created_on"]
    list_filter = ["status", "process_type"]
    search_fields = ["id", "account__id", "premise__id"]
    inlines = [CharacteristicInline]


@admin.register(WorkflowProcessCharacteristic)
class WorkflowProcessCharacteristicAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "process", "char_type", "value"]
    list_filter = ["char_type"]
    search_fields = ["id", "process__id", "value"]


@admin.register(SyncRequest)
class SyncRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "object_kind", "object_id", "status", "created_at"]
    list_filter = ["status", "object_kind"]
    search_fields = ["id", "object_id"]
    date_hierarchy = "created_at"
