"""Admin for the billing records: the code tables are configuration (editable, audited); the records
belong to the billing system and arrive through record intake, so they are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.billing.models import (
    Bill,
    CreditRatingHistory,
    Declaration,
    DeclarationType,
    MatchEvent,
    OffCycleBillGenerator,
    Payment,
    PayPlan,
    PayPlanScheduledPayment,
    PayPlanType,
    RebateClaim,
)
from custcare.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(PayPlanType)
class PayPlanTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(DeclarationType)
class DeclarationTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


class ReadOnlyRecordAdmin(ReadOnlyAdmin):
    """A record owned by the billing system: searchable by id and account, never edited here."""

    search_fields = ["id", "account__id"]
    list_select_related = False


@admin.register(Bill)
class BillAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "bill_date", "due_date", "amount", "status", "written_off_amount"]
    list_filter = ["status"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "payment_date", "amount", "tender_type", "status"]
    list_filter = ["status"]


class ScheduledPaymentInline(admin.TabularInline):
    model = PayPlanScheduledPayment
    extra = 0
    fields = ("id", "due_date", "amount", "status")
    readonly_fields = ("id", "due_date", "amount", "status")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayPlan)
class PayPlanAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "pay_plan_type", "status", "start_date", "total_amount", "status_date"]
    list_filter = ["status", "pay_plan_type"]
    inlines = [ScheduledPaymentInline]


@admin.register(PayPlanScheduledPayment)
class PayPlanScheduledPaymentAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "pay_plan", "due_date", "amount", "status"]
    list_filter = ["status"]
    search_fields = ["id", "pay_plan__id", "pay_plan__account__id"]


@admin.register(MatchEvent)
class MatchEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "status", "created_on", "amount"]
    list_filter = ["status"]


@admin.register(OffCycleBillGenerator)
class OffCycleBillGeneratorAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "status", "created_on"]
    list_filter = ["status"]


@admin.register(RebateClaim)
class RebateClaimAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "premise", "status", "claim_date", "amount"]
    list_filter = ["status"]


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "premise", "declaration_type", "start_date", "end_date"]
    list_filter = ["declaration_type"]
    search_fields = ["id", "account__id", "premise__id"]


@admin.register(CreditRatingHistory)
class CreditRatingHistoryAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "points", "start_date", "end_date", "reason"]
