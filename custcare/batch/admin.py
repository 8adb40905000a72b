"""Admin for batch controls and schedules (audited writes) and runs (read-only: runs change only
through the batch services, so that run numbers, checkpoints and counts stay true)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.batch.models import BatchControl, BatchError, BatchRun, BatchSchedule, BatchThread
from custcare.core.admin import AuditedAdmin, ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


RUN_HISTORY = (
    "run_number", "process_date", "status", "records_processed", "error_count", "submitted_at", "ended_at"
)  # fmt: skip
THREAD_FIELDS = (
    "thread_number", "key_lo", "key_hi", "checkpoint", "status", "records_processed", "error_count", "chunks_done",
    "worker", "started_at", "heartbeat_at", "ended_at", "message",
)  # fmt: skip
ERROR_FIELDS = ("at", "thread_number", "record_key", "message")


class RunHistoryInline(ReadOnlyInline):
    model = BatchRun
    fields = RUN_HISTORY
    readonly_fields = RUN_HISTORY
    ordering = ["-run_number"]
    show_change_link = True
    verbose_name_plural = "run history"


class ScheduleInline(admin.TabularInline):
    model = BatchSchedule
    extra = 0
    fields = ["time_of_day", "weekdays", "thread_count", "parameters", "executor", "enabled", "last_submitted_for"]
    readonly_fields = ["last_submitted_for"]


@admin.register(BatchControl)
class BatchControlAdmin(AuditedAdmin):
    list_display = ["code", "description", "program", "next_run_number", "default_thread_count", "chunk_size",
                    "max_errors"]  # fmt: skip
    search_fields = ["code", "description"]
    readonly_fields = ["next_run_number"]
    inlines = [ScheduleInline, RunHistoryInline]


@admin.register(BatchSchedule)
class BatchScheduleAdmin(AuditedAdmin):
    list_display = ["control", "time_of_day", "weekdays", "executor", "enabled", "last_submitted_for"]
    list_filter = ["enabled", "executor"]
    readonly_fields = ["last_submitted_for"]


class ThreadInline(ReadOnlyInline):
    model = BatchThread
    fields = THREAD_FIELDS
    readonly_fields = THREAD_FIELDS


class ErrorInline(ReadOnlyInline):
    model = BatchError
    fields = ERROR_FIELDS
    readonly_fields = ERROR_FIELDS


@admin.register(BatchRun)
class BatchRunAdmin(ReadOnlyAdmin):
    list_display = ["control", "run_number", "process_date", "status", "records_processed", "error_count",
                    "executor", "submitted_at"]  # fmt: skip
    list_filter = ["status", "control", "executor"]
    date_hierarchy = "submitted_at"
    inlines = [ThreadInline, ErrorInline]
