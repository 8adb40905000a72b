from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.agreements.models import UmbrellaAgreement, UmbrellaAgreementType, UmbrellaAgreementTypeAlgorithm
from custcare.agreements.sa_activation import SATypeAlgorithm
from custcare.core.admin import AuditedAdmin
from custcare.customers.admin import SATypeAdmin as CustomersSATypeAdmin
from custcare.customers.models import SAType


class UmbrellaAgreementTypeAlgorithmInline(admin.TabularInline):
    model = UmbrellaAgreementTypeAlgorithm
    extra = 0
    fields = ["sequence", "algorithm"]
    verbose_name = "algorithm run when an agreement of this type is renewed"
    verbose_name_plural = "algorithms run when an agreement of this type is renewed (spot UA-RENEW)"


@admin.register(UmbrellaAgreementType)
class UmbrellaAgreementTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [UmbrellaAgreementTypeAlgorithmInline]


@admin.register(UmbrellaAgreement)
class UmbrellaAgreementAdmin(AuditedAdmin):
    """Agreements arrive through the umbrella-agreement-renewed event; the admin shows them."""

    list_display = ["id", "ua_type", "account", "person", "start_date", "end_date", "renewal_count"]
    list_filter = ["ua_type"]
    search_fields = ["id", "account__id", "person__id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SATypeAlgorithmInline(admin.TabularInline):
    model = SATypeAlgorithm
    extra = 0
    fields = ["sequence", "algorithm"]
    verbose_name = "algorithm run when an SA of this type is activated"
    verbose_name_plural = "algorithms run when an SA of this type is activated (spot SA-ACTIV)"


# The SA type page is the customers app's; it gains the activation algorithms here, so the customer
# models and admin need not know about the event machinery.
admin.site.unregister(SAType)


@admin.register(SAType)
class SATypeAdmin(CustomersSATypeAdmin):
    inlines = [*CustomersSATypeAdmin.inlines, SATypeAlgorithmInline]
