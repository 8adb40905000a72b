"""System events in the admin site: read-only (they are records of what other systems sent), with an
action that retries the selected events of the error queue through the events service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from custcare.core.errors import DomainError
from custcare.events.models import SystemEvent
from custcare.events.services import event_retry


@admin.register(SystemEvent)
class SystemEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "event_id", "status", "attempts", "source_reference", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["event_id", "source_reference", "error"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in SystemEvent._meta.fields]
    actions = ["retry_selected"]

    @admin.display(description="Reason")
    def short_error(self, obj: SystemEvent) -> str:
        return obj.error[:120]

    @admin.action(description="Retry the selected events in the error queue")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[SystemEvent]) -> None:
        done = still = skipped = 0
        for pk in queryset.filter(status=SystemEvent.Status.ERROR).values_list("pk", flat=True):
            try:
                event = event_retry(event_pk=pk, user=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            if event.status == SystemEvent.Status.PROCESSED:
                done += 1
            else:
                still += 1
        skipped = queryset.exclude(status=SystemEvent.Status.ERROR).count()
        self.message_user(
            request,
            f"{done} processed, {still} still in the error queue, {skipped} not in the error queue (unchanged).",
            messages.SUCCESS if not still else messages.WARNING,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
