"""Admin for the audit trail (read-only) and the audit mixin every configuration admin uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records another system (or a batch run) owns: shown, searchable, never added, edited or deleted
    in the admin site. They change only through their intake or their process."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        model: type[models.Model] = self.model
        return [f.name for f in model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Writes made in the admin site are audited like writes made through the services."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            previous = type(obj).objects.filter(pk=obj.pk).first()
            before = audit_snapshot(previous) if previous else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                entity=obj, action="change" if change else "add", user=request.user, before=before, summary="admin"
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(entity=obj, action="delete", user=request.user, before=audit_snapshot(obj), summary="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(
                    entity=obj, action="delete", user=request.user, before=audit_snapshot(obj), summary="admin"
                )
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit_record(
                    entity=obj, action="delete", user=request.user, before=audit_snapshot(obj), summary="admin"
                )
                obj.delete()
            for obj in instances:
                is_new = obj.pk is None or obj._state.adding
                previous = None if is_new else type(obj).objects.filter(pk=obj.pk).first()
                obj.save()
                audit_record(
                    entity=obj,
                    action="add" if is_new else "change",
                    user=request.user,
                    before=audit_snapshot(previous) if previous else None,
                    summary="admin",
                )
            formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "entity_type", "entity_id", "summary"]
    list_filter = ["action", "entity_type"]
    search_fields = ["entity_id", "username", "summary"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
