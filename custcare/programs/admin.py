"""Admin for service credit membership types (with their algorithms). Memberships arrive as events
from the programme system; they are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.core.admin import AuditedAdmin
from custcare.programs.models import Membership, ServiceCreditMembershipType, ServiceCreditMembershipTypeAlgorithm


class MembershipTypeAlgorithmInline(admin.TabularInline):
    model = ServiceCreditMembershipTypeAlgorithm
    extra = 0
    fields = ["spot", "sequence", "algorithm"]


@admin.register(ServiceCreditMembershipType)
class ServiceCreditMembershipTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [MembershipTypeAlgorithmInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "membership_type", "person", "account", "status", "created_date", "activation_date"]
    list_filter = ["status", "membership_type"]
    search_fields = ["id", "person__id", "account__id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
