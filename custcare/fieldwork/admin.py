"""Admin for field work configuration: activity types, and remark types with the algorithms plugged
into them (FARSPTOCUS...). Field activities arrive as events from the field work system; they are shown
read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.core.admin import AuditedAdmin, ReadOnlyAdmin
from custcare.fieldwork.models import (
    FieldActivity,
    FieldActivityOutgoingMessage,
    FieldActivityRemark,
    FieldActivityRemarkType,
    FieldActivityRemarkTypeAlgorithm,
    FieldActivityType,
)


@admin.register(FieldActivityType)
class FieldActivityTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


class RemarkTypeAlgorithmInline(admin.TabularInline):
    model = FieldActivityRemarkTypeAlgorithm
    extra = 1
    fields = ["spot", "sequence", "algorithm"]


@admin.register(FieldActivityRemarkType)
class FieldActivityRemarkTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [RemarkTypeAlgorithmInline]


class RemarkInline(admin.TabularInline):
    model = FieldActivityRemark
    extra = 0
    fields = ["remark_type", "text"]
    readonly_fields = ["remark_type", "text"]


@admin.register(FieldActivity)
class FieldActivityAdmin(admin.ModelAdmin):
    list_display = ["id", "fa_type", "premise", "account", "status", "completed_at", "crew"]
    list_filter = ["status", "fa_type"]
    search_fields = ["id", "premise__id", "account__id"]
    inlines = [RemarkInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in FieldActivity._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FieldActivityOutgoingMessage)
class FieldActivityOutgoingMessageAdmin(ReadOnlyAdmin):
    """Outgoing messages about field activities, copied from the integration layer: read-only."""

    list_display = ["id", "field_activity", "message_type", "status", "created_at"]
    list_filter = ["status", "message_type"]
    search_fields = ["id", "field_activity__id"]
