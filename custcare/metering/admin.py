from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.core.admin import AuditedAdmin
from custcare.metering.models import MeterRead, MeterReaderRemarkType, MeterReaderRemarkTypeAlgorithm, MeterReadRemark


class MeterReaderRemarkTypeAlgorithmInline(admin.TabularInline):
    model = MeterReaderRemarkTypeAlgorithm
    extra = 0
    fields = ["sequence", "algorithm"]
    verbose_name = "algorithm run when a read carries this remark"
    verbose_name_plural = "algorithms run when a read carries this remark (spot MR-REMARK)"


@admin.register(MeterReaderRemarkType)
class MeterReaderRemarkTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [MeterReaderRemarkTypeAlgorithmInline]


class MeterReadRemarkInline(admin.TabularInline):
    model = MeterReadRemark
    extra = 0
    fields = ["remark_type", "text"]
    readonly_fields = ["remark_type", "text"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeterRead)
class MeterReadAdmin(AuditedAdmin):
    """Reads arrive through the meter-read event; the admin shows them, it does not edit them."""

    list_display = ["id", "premise", "account", "meter_number", "read_at", "reading", "reader"]
    search_fields = ["id", "premise__id", "account__id", "meter_number"]
    date_hierarchy = "read_at"
    inlines = [MeterReadRemarkInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
