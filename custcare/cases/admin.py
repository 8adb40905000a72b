from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey
from django.http import HttpRequest

from custcare.cases.models import Case, CaseTransition, CaseType, CaseTypeStatus, CaseTypeStatusAlgorithm
from custcare.core.admin import AuditedAdmin


class CaseTypeStatusInline(admin.TabularInline):
    model = CaseTypeStatus
    extra = 0
    fields = ["sequence", "status", "description", "is_open", "is_initial"]


class CaseTypeStatusAlgorithmInline(admin.TabularInline):
    """Algorithms run when a case of this type enters a status; the status list offers this type's
    statuses only (save new statuses first)."""

    model = CaseTypeStatusAlgorithm
    extra = 0
    fields = ["status", "sequence", "algorithm"]
    verbose_name = "algorithm run when a case enters a status"
    verbose_name_plural = "algorithms run when a case enters a status (spot CASE-TRANS)"

    def formfield_for_foreignkey(self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "status":
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = CaseTypeStatus.objects.filter(case_type_id=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CaseType)
class CaseTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [CaseTypeStatusInline, CaseTypeStatusAlgorithmInline]


class CaseTransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    fields = ["at", "from_status", "to_status", "comment"]
    readonly_fields = ["at", "from_status", "to_status", "comment"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    """Cases arrive through the case events; the admin shows them and their transitions."""

    list_display = ["id", "case_type", "status", "account", "person", "premise", "opened_on", "closed_on"]
    list_filter = ["case_type", "status__is_open"]
    search_fields = ["id", "account__id", "person__id", "premise__id"]
    inlines = [CaseTransitionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
