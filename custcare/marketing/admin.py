"""Admin for campaigns (with their order algorithms) and the customer class settings. Orders arrive
as events from the marketing system; they are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.core.admin import AuditedAdmin
from custcare.customers.models import CustomerClass
from custcare.marketing.models import (
    Campaign,
    CampaignAlgorithm,
    CampaignOrder,
    CustomerClassAlgorithm,
    CustomerClassOptions,
)


class CampaignAlgorithmInline(admin.TabularInline):
    model = CampaignAlgorithm
    extra = 0
    fields = ["spot", "sequence", "algorithm"]


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["code", "description", "start_date", "end_date"]
    search_fields = ["code", "description"]
    inlines = [CampaignAlgorithmInline]


@admin.register(CampaignOrder)
class CampaignOrderAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "person", "account", "status", "order_date", "completion_date", "package"]
    list_filter = ["status", "campaign"]
    search_fields = ["id", "person__id", "account__id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CustomerClassOptionsInline(admin.StackedInline):
    model = CustomerClassOptions
    can_delete = False
    fields = ["autopay_allowed", "expiry_notice_days", "notice_contact_type"]


class CustomerClassAlgorithmInline(admin.TabularInline):
    model = CustomerClassAlgorithm
    extra = 0
    fields = ["spot", "sequence", "algorithm"]


# The customer class code table belongs to the customers app; its admin page gains the settings and
# the plug-in table kept here, so an administrator configures a class in one place.
_base = type(admin.site._registry[CustomerClass]) if admin.site.is_registered(CustomerClass) else AuditedAdmin
if admin.site.is_registered(CustomerClass):
    admin.site.unregister(CustomerClass)


@admin.register(CustomerClass)
class CustomerClassAdmin(_base):  # type: ignore[valid-type,misc]
    inlines = [*getattr(_base, "inlines", []), CustomerClassOptionsInline, CustomerClassAlgorithmInline]


@admin.register(CustomerClassOptions)
class CustomerClassOptionsAdmin(AuditedAdmin):
    list_display = ["customer_class", "autopay_allowed", "expiry_notice_days", "notice_contact_type"]


@admin.register(CustomerClassAlgorithm)
class CustomerClassAlgorithmAdmin(AuditedAdmin):
    list_display = ["customer_class", "spot", "sequence", "algorithm"]
    list_filter = ["spot", "customer_class"]
